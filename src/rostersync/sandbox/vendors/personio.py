"""Personio Personnel Data API (v1) emulator, written from Personio's public documentation.

Served at the root (the real base URL is ``https://api.personio.de``):

=====  ================================  ===================================================
verb   path                              notes
=====  ================================  ===================================================
POST   /v1/auth                          ``client_id`` / ``client_secret`` in the query
                                         string or the body (JSON or form); answers
                                         ``{"success": true, "data": {"token": "papi-…"}}``
POST   /v2/auth/token                    OAuth2 client credentials (form); ``access_token``
GET    /v1/company/employees             ``limit`` (default 50, at most 100), ``offset`` (a
                                         record offset), ``attributes[]``, ``email``,
                                         ``updated_since``; every status
GET    /v1/company/employees/{id}        one employee
=====  ================================  ===================================================

Behaviour copied from the docs:

- Tokens are the stable ``papi-`` bearer tokens (one per credential pair, valid 24 hours, used
  for any number of calls); every successful data response repeats the token in its
  ``Authorization`` header. A missing or unknown token answers 401.
- Lists answer ``{"success": true, "metadata": {"total_elements", "current_page",
  "total_pages"}, "offset", "limit", "data": [...]}``; ``current_page`` is ``offset // limit``.
  A ``limit`` over 100 is a 400.
- Each employee is ``{"type": "Employee", "attributes": {<key>: {"label", "value", "type",
  "universal_id"}}}``; ids are integers; ``status`` is ``active`` / ``inactive`` /
  ``onboarding`` (hired, not started) / ``leave``; dates are ISO date-times with the
  company's offset (``2021-03-01T00:00:00+01:00``); ``department``, ``office`` and ``team``
  hold ``{"type": "Department"|"Office"|"Team", "attributes": {"id", "name"}}``;
  ``supervisor`` holds a short ``Employee`` (id, first and last name, email).
- ``attributes[]`` narrows the attributes returned (``id`` is always there). Without it the
  key's whitelist is returned, which here is every attribute, sensitive ones included (date of
  birth, gender, IBAN, salary, private email and phone as ``dynamic_*`` custom attributes, as
  Personio exposes custom fields); with ``faults.leak_sensitive_fields`` the filter is ignored.
- Errors: ``{"success": false, "error": {"code": <status>, "message": "…"}}``.

Guesses are marked ``[guess]``: the ids of the custom attributes, the exact error messages, and
``email`` / ``updated_since`` filtering before paging. Control endpoints live under
``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   https://developer.personio.de/reference/auth (stable papi- tokens, 24 h, header echo)
#   https://developer.personio.de/changelog/authentication-api-improved-bearer-token
#   https://developer.personio.de/reference/get_company-employees
#   https://developer.personio.de/docs/pagination-adoption-guide-for-v1-get-employees-endpoint
#   (limit <= 100, default 50, offset is a record offset, metadata block)
#   https://developer.personio.de/changelog/employee-api-pagination (metadata example)
#   Attribute shape {label, value, type, universal_id} as in public clients' mocks.

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections.abc import Mapping
from datetime import UTC, date
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    VendorError,
    bare_app,
    bearer_ok,
    error_response,
    int_param,
    json_response,
    vendor_app,
)

__all__ = ["CREDENTIALS", "DEFAULT_LIMIT", "MAX_LIMIT", "create_app", "personio_id"]

CREDENTIALS = ("client_id", "client_secret")
"""The keys of ``credentials``: the API credential pair from Settings > API credentials."""

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
TOKEN_TTL = 86400

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized: the token is invalid or has expired",
    403: "Forbidden: the API credentials may not access this resource",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}

# [guess] custom attribute ids; Personio names custom fields dynamic_<number>.
_DYNAMIC = {
    "date_of_birth": ("dynamic_1146666", "Date of birth", "date"),
    "iban": ("dynamic_1146702", "IBAN", "standard"),
    "private_email": ("dynamic_1146713", "Private email", "standard"),
    "private_phone": ("dynamic_1146714", "Private phone", "standard"),
    "ethnicity": ("dynamic_1146720", "Ethnicity", "list"),
    "performance": ("dynamic_1146731", "Performance note", "standard"),
}


class PersonioError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    error = {"code": status, "message": message or _MESSAGES.get(status, "Error")}
    return json.dumps({"success": False, "error": error}).encode()


_json = partial(json_response, compact=False)


def _stamp(value: date | None) -> str | None:
    """Personio's date-times: midnight with the company's offset (Berlin, winter)."""
    return f"{value.isoformat()}T00:00:00+01:00" if value else None


def _attr(key: str, label: str, value: Any, kind: str = "standard") -> tuple[str, dict[str, Any]]:
    return key, {"label": label, "value": value, "type": kind, "universal_id": key}


def _status(person: SyntheticPerson) -> str:
    return {
        PersonStatus.ACTIVE: "active",
        PersonStatus.ON_LEAVE: "leave",
        PersonStatus.TERMINATED: "inactive",
        PersonStatus.HIRED: "onboarding",
    }[person.status]


def personio_id(person: SyntheticPerson) -> int:
    """Personio employee ids are integers; derived from the employee number, stable."""
    return 1_000_000 + person.serial


def _short(person: SyntheticPerson) -> dict[str, Any]:
    return {
        "type": "Employee",
        "attributes": dict(
            [
                _attr("id", "ID", personio_id(person), "integer"),
                _attr("first_name", "First name", person.first_name),
                _attr("last_name", "Last name", person.last_name),
                _attr("email", "Email", person.work_email or ""),
            ]
        ),
    }


def _employee(
    person: SyntheticPerson, company: SyntheticCompany, people: Mapping[str, SyntheticPerson]
) -> dict[str, Any]:
    department = company.department(person.department_id)
    site = company.site(person.site_id)
    team = company.team(person.team_id) if person.team_id else None
    manager = people.get(person.manager_id) if person.manager_id else None
    home = person.home_address
    attributes = dict(
        [
            _attr("id", "ID", personio_id(person), "integer"),
            _attr("first_name", "First name", person.first_name),
            _attr("last_name", "Last name", person.last_name),
            _attr("preferred_name", "Preferred name", ""),
            _attr("email", "Email", person.work_email or ""),
            _attr("gender", "Gender", person.gender),
            _attr("status", "Status", _status(person)),
            _attr("position", "Position", f"{department.name} specialist"),
            _attr("supervisor", "Supervisor", _short(manager) if manager else None, "standard"),
            _attr("employment_type", "Employment type", "internal"),
            _attr("weekly_working_hours", "Weekly hours", "40"),
            _attr("hire_date", "Hire date", _stamp(person.start_date), "date"),
            _attr("contract_end_date", "Contract ends", None, "date"),
            _attr("termination_date", "Termination date", _stamp(person.termination_date), "date"),
            _attr(
                "termination_type",
                "Termination type",
                "" if not person.termination_date else "resignation",
            ),
            _attr(
                "created_at", "created_at", person.created_at.astimezone(UTC).isoformat(), "date"
            ),
            _attr(
                "department",
                "Department",
                {
                    "type": "Department",
                    "attributes": {"id": int(department.id), "name": department.name},
                },
            ),
            _attr(
                "office",
                "Office",
                {"type": "Office", "attributes": {"id": int(site.id), "name": site.name}},
            ),
            _attr(
                "team",
                "Team",
                {"type": "Team", "attributes": {"id": int(team.id), "name": team.name}}
                if team
                else None,
            ),
            _attr("fix_salary", "Fix salary", float(person.salary), "decimal"),
            _attr(
                "vacation_day_balance", "Vacation day balance", person.time_off_balance, "decimal"
            ),
            _attr(
                _DYNAMIC["date_of_birth"][0], "Date of birth", _stamp(person.date_of_birth), "date"
            ),
            _attr(_DYNAMIC["iban"][0], "IBAN", person.bank_account),
            _attr(_DYNAMIC["private_email"][0], "Private email", person.personal_email),
            _attr(_DYNAMIC["private_phone"][0], "Private phone", person.personal_phone),
            _attr(_DYNAMIC["ethnicity"][0], "Ethnicity", person.ethnicity, "list"),
            _attr(_DYNAMIC["performance"][0], "Performance note", person.performance_note),
            _attr(
                "dynamic_1146740",
                "Home address",
                f"{home.line1}, {home.postcode} {home.city}" if home else None,
            ),
        ]
    )
    return {"type": "Employee", "attributes": attributes}


def _int(raw: str | None, name: str, default: int) -> int:
    too_small = "{name} must not be negative"
    return int_param(
        raw,
        default,
        PersonioError,
        name=name,
        minimum=0,
        blank_is_missing=True,
        too_small=too_small,
    )


async def _credentials(request: Request) -> dict[str, str]:
    """client_id / client_secret from the query string, a JSON body or a form body."""
    found = {k: v for k, v in request.query_params.items() if k in CREDENTIALS}
    raw = await request.body()
    if raw.strip():
        try:
            body = json.loads(raw)
        except ValueError:
            body = {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
        if isinstance(body, dict):
            found |= {k: str(v) for k, v in body.items() if k in (*CREDENTIALS, "grant_type")}
    return found


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Personio emulator over ``company`` accepting one credential pair (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    client_id, client_secret = credentials["client_id"], credentials["client_secret"]
    digest = hashlib.sha256(f"{client_id}:{client_secret}".encode()).hexdigest()
    token = f"papi-{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    app = vendor_app(
        "Personio emulator", company, faults, error_body=_error_body, compact_json=False
    )
    # The auth endpoints sit in front of fault injection: removed permissions (403) do not
    # stop Personio issuing tokens, while revoked credentials do (checked below).
    front = bare_app("Personio emulator", company, faults)

    def check_pair(found: Mapping[str, str]) -> None:
        if faults.revoked:
            raise PersonioError(401, "Wrong credentials")
        ok_id = secrets.compare_digest(found.get("client_id", "").encode(), client_id.encode())
        ok_secret = secrets.compare_digest(
            found.get("client_secret", "").encode(), client_secret.encode()
        )
        if not (ok_id and ok_secret):
            raise PersonioError(401, "Wrong credentials")

    def authenticate(request: Request) -> dict[str, str]:
        if not bearer_ok(request, token, exact=False):
            raise PersonioError(401)
        return {"Authorization": f"Bearer {token}"}

    @front.post("/v1/auth")
    async def auth(request: Request) -> Response:
        check_pair(await _credentials(request))
        return _json({"success": True, "data": {"token": token}})

    @front.post("/v2/auth/token")
    async def auth_v2(request: Request) -> Response:
        found = await _credentials(request)
        if found.get("grant_type") != "client_credentials":
            raise PersonioError(400, "grant_type must be client_credentials")
        check_pair(found)
        return _json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL,
                "scope": "personio:persons:read",
            }
        )

    memo = CompanyMemo(company)

    def matching(email: str | None, since: str | None) -> list[SyntheticPerson]:
        people = memo.people()
        return [
            person
            for person in people
            if (email is None or (person.work_email or "").lower() == email.lower())
            # [guess] creation stands in for the last change
            and not (since and person.created_at.date().isoformat() < since[:10])
        ]

    def listing(request: Request) -> list[SyntheticPerson]:
        """Who the query lists, in order; the same for every page until the company changes."""
        email = request.query_params.get("email")
        since = request.query_params.get("updated_since")
        return memo.get(("listed", email, since), lambda: matching(email, since))

    def rendered(request: Request, people: list[SyntheticPerson]) -> list[dict[str, Any]]:
        by_id = memo.by_id()
        rows = [_employee(person, company, by_id) for person in people]
        wanted = request.query_params.getlist("attributes[]")
        if wanted and not faults.leak_sensitive_fields:
            keep = {"id", *wanted}
            for row in rows:
                row["attributes"] = {k: v for k, v in row["attributes"].items() if k in keep}
        return rows

    @app.get("/v1/company/employees")
    async def employees(request: Request) -> Response:
        headers = authenticate(request)
        limit = _int(request.query_params.get("limit"), "limit", DEFAULT_LIMIT)
        offset = _int(request.query_params.get("offset"), "offset", 0)
        if limit < 1 or limit > MAX_LIMIT:
            raise PersonioError(400, f"limit must be between 1 and {MAX_LIMIT}")
        listed = listing(request)
        body = {
            "success": True,
            "metadata": {
                "total_elements": len(listed),
                "current_page": offset // limit,
                "total_pages": math.ceil(len(listed) / limit),
            },
            "offset": offset,
            "limit": limit,
            "data": rendered(request, listed[offset : offset + limit]),
        }
        return _json(body, headers=headers)

    @app.get("/v1/company/employees/{employee_id}")
    async def employee(employee_id: str, request: Request) -> Response:
        headers = authenticate(request)
        for person in listing(request):
            if str(personio_id(person)) == employee_id:
                return _json(
                    {"success": True, "data": rendered(request, [person])[0]}, headers=headers
                )
        raise PersonioError(404, "Employee not found")

    @front.exception_handler(PersonioError)
    async def personio_error(_request: Request, exc: PersonioError) -> Response:
        return error_response(_error_body(exc.status, exc.message), exc.status)

    front.mount("/", app)
    return front
