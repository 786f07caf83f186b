"""Factorial public API emulator, written from Factorial's public documentation.

It serves, at the root (the real base URL is ``https://api.factorialhr.com``), under a dated
version prefix ``/api/{version}`` (e.g. ``/api/2025-10-01``):

=====  ==================================================  ==================================
verb   path                                                notes
=====  ==================================================  ==================================
GET    /api/{v}/resources/employees/employees              current employees; leavers too
                                                           with ``only_active=false``
GET    /api/{v}/resources/employees/employees/{id}         one employee
GET    /api/{v}/resources/teams/teams                      teams with ``employee_ids``
GET    /api/{v}/resources/locations/locations              work locations with ``country``
GET    /api/{v}/resources/companies/legal_entities         one legal entity per site country
GET    /api/{v}/resources/contracts/contract_versions      ``starts_on`` / ``ends_on`` per
                                                           employee
=====  ==================================================  ==================================

Behaviour copied from the docs:

- Auth: an API key in the ``x-api-key`` header, or an OAuth2 access token as
  ``Authorization: Bearer``; anything else answers 401.
- Every list is paginated, 100 items by default and at most. Cursor pagination is the default:
  ``limit``, ``after_id`` / ``before_id`` (the opaque cursors the last answer gave) and
  ``meta: {has_next_page, has_previous_page, start_cursor, end_cursor, total, limit}``; with
  ``page`` the list pages by number instead and ``meta`` has no cursors. Items sort by id.
- Employees: integer ``id``, ``first_name``, ``last_name``, ``full_name``, ``email`` (work),
  ``login_email``, ``manager_id``, ``location_id``, ``legal_entity_id``, ``company_id``,
  ``terminated_on`` (``YYYY-MM-DD``; set ahead for people serving notice, with
  ``is_terminating_in_the_future``), ``active``, ``seniority_calculation_date``, and the
  personal data an admin key sees (``personal_email``, ``phone_number``, ``birthday_on``,
  ``gender``, home address, ``identifier``). ``faults.leak_sensitive_fields`` adds the IBAN
  (``bank_number``) and compensation besides. Filters: ``ids[]``, ``emails[]``,
  ``only_active``. Leavers (``active`` false) are not listed by default: ``only_active`` is
  true unless ``only_active=false`` is sent, which keeps them (docs/connectors.md, Lifecycle
  semantics, Factorial row, from https://apidoc.factorialhr.com/reference). People serving
  notice are active, so they are listed either way.
- Teams: each department and each team of the company is a Factorial team (Factorial has no
  separate departments), with ``employee_ids`` and ``lead_ids``.
- Leave is time off in Factorial, not an employee state: people on leave are plain employees.

Guesses, marked ``[guess]``: error bodies (``{"error": {"code", "message"}}``); that unknown
``{version}`` values are accepted when they look like a date; locations give ``country`` as a
lower-case ISO code; an ``only_active`` value other than ``false`` counts as true; one employee
(``GET .../employees/{id}``) is found whether or not they have left.

Sources (read 2026-11): https://apidoc.factorialhr.com/docs/pagination,
https://apidoc.factorialhr.com/docs/how-does-it-work (offset and cursor pagination),
https://apidoc.factorialhr.com/docs/authentication (API keys in ``x-api-key``, OAuth2),
https://apidoc.factorialhr.com/reference (employees, teams, locations, legal entities,
contract versions), and the employee fields Kombo's Factorial connector page lists.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, header_ok, int_param, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_LIMIT", "create_app"]

CREDENTIALS = ("api_key", "access_token")
"""``api_key``: a company API key (required). ``access_token``: an OAuth2 token (optional)."""

MAX_LIMIT = 100
_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class FactorialError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    # [guess] shape
    text = message or _MESSAGES.get(status, "Error")
    return json.dumps({"error": {"code": status, "message": text}}).encode()


def _cursor(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode()


def _position(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor.encode(), validate=True).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise FactorialError(400, "Invalid cursor") from None


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    too_small = "{name} must be positive"
    return int_param(raw, default, FactorialError, name=name, too_small=too_small)


def paginate(request: Request, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Offset paging when `page` is given, cursor paging (the default) otherwise."""
    limit = min(_int(request, "limit", MAX_LIMIT), MAX_LIMIT)
    total = len(items)
    if "page" in request.query_params:
        page = _int(request, "page", 1)
        start = (page - 1) * limit
        chunk = items[start : start + limit]
        meta: dict[str, Any] = {
            "has_next_page": start + limit < total,
            "has_previous_page": page > 1,
            "total": total,
            "limit": limit,
        }
        return {"data": chunk, "meta": meta}
    after, before = request.query_params.get("after_id"), request.query_params.get("before_id")
    if after is not None:
        start = _position(after) + 1
    elif before is not None:
        start = max(0, _position(before) - limit)
    else:
        start = 0
    end = min(total, start + limit) if before is None else _position(before)
    chunk = items[start:end]
    meta = {
        "has_next_page": end < total,
        "has_previous_page": start > 0,
        "start_cursor": _cursor(start) if chunk else None,
        "end_cursor": _cursor(end - 1) if chunk else None,
        "total": total,
        "limit": limit,
    }
    return {"data": chunk, "meta": meta}


class _Renderer:
    """The company in Factorial's shapes, with integer ids derived from the neutral ones."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.leak = leak
        self.people = sorted(company.people(), key=lambda p: p.serial)
        self.company_id = 10000 + company.seed % 90000
        countries = sorted({s.country_code for s in company.sites})
        self.legal_entities = {code: 100 + i for i, code in enumerate(countries, start=1)}
        self.numbers = {p.id: p.serial for p in self.people}
        self.site_ids = {s.id: 300 + i for i, s in enumerate(company.sites, start=1)}

    def employee_id(self, person_id: str) -> int:
        # Factorial ids are integers from its own sequence, not the employee number.
        return 4000 + self.numbers.get(person_id, 0)

    def location_id(self, site_id: str) -> int:
        return self.site_ids[site_id]

    def stamp(self, person: SyntheticPerson) -> str:
        return person.created_at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"

    def employee(self, person: SyntheticPerson) -> dict[str, Any]:
        site = self.company.site(person.site_id)
        home = person.home_address
        terminated = person.termination_date
        manager = person.manager_id
        out: dict[str, Any] = {
            "id": self.employee_id(person.id),
            "access_id": 900000 + person.serial,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "full_name": person.display_name,
            "preferred_name": None,
            "email": person.work_email,
            "login_email": person.work_email,
            "personal_email": person.personal_email or None,
            "phone_number": person.personal_phone or None,
            "birthday_on": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "gender": person.gender or None,
            "nationality": site.country_code.lower(),
            "identifier": None,
            "identifier_type": None,
            "address_line_1": home.line1 if home else None,
            "address_line_2": None,
            "postal_code": home.postcode if home else None,
            "city": home.city if home else None,
            "state": None,
            "country": site.country_code.lower(),
            "company_id": self.company_id,
            "legal_entity_id": self.legal_entities[site.country_code],
            "location_id": self.location_id(site.id),
            "manager_id": self.employee_id(manager) if manager in self.numbers else None,
            "timeoff_manager_id": None,
            "terminated_on": terminated.isoformat() if terminated else None,
            "is_terminating_in_the_future": bool(terminated and terminated > self.company.today),
            "termination_reason_type": (
                "resignation" if person.status is PersonStatus.TERMINATED else None
            ),
            "termination_reason": None,
            "active": person.status is not PersonStatus.TERMINATED,
            "seniority_calculation_date": person.start_date.isoformat(),
            "company_identifier": (
                None if person.employee_number is None else str(person.employee_number)
            ),
            "created_at": self.stamp(person),
            "updated_at": self.stamp(person),
        }
        if self.leak:
            out |= {
                "bank_number": person.bank_account,
                "swift_bic": "EXAMPLEXXX",
                "base_compensation_amount_in_cents": person.salary * 100,
                "ethnicity": person.ethnicity,
                "time_off_balance": person.time_off_balance,
                "performance_note": person.performance_note,
            }
        return out

    def teams(self) -> list[dict[str, Any]]:
        """Departments and teams alike; departments come first, ids in creation order."""
        rows: list[dict[str, Any]] = []
        groups = [(d.id, d.name, "department") for d in self.company.departments]
        groups += [(t.id, t.name, "team") for t in self.company.teams]
        for index, (group_id, name, kind) in enumerate(groups, start=1):
            key = "department_id" if kind == "department" else "team_id"
            members = [p for p in self.people if getattr(p, key) == group_id]
            rows.append(
                {
                    "id": 7000 + index,
                    "name": name,
                    "description": None,
                    "avatar": None,
                    "company_id": self.company_id,
                    "employee_ids": [self.employee_id(p.id) for p in members],
                    "lead_ids": sorted(
                        {self.employee_id(p.manager_id) for p in members if p.manager_id}
                        & {self.employee_id(p.id) for p in members}
                    ),
                }
            )
        return rows

    def locations(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self.location_id(site.id),
                "company_id": self.company_id,
                "name": site.name,
                "country": site.country_code.lower(),  # [guess] case
                "state": None,
                "city": site.city,
                "address_line_1": None,
                "address_line_2": None,
                "postal_code": None,
                "phone_number": None,
                "main": index == 0,
                "timezone": None,
            }
            for index, site in enumerate(self.company.sites)
        ]

    def legal_entity_rows(self) -> list[dict[str, Any]]:
        names = {s.country_code: s.country_name for s in self.company.sites}
        return [
            {
                "id": entity_id,
                "company_id": self.company_id,
                "country": code.lower(),
                "legal_name": f"{self.company.name} ({names[code]})",
                "currency": None,
                "tin": None,
            }
            for code, entity_id in sorted(self.legal_entities.items(), key=lambda kv: kv[1])
        ]

    def contract_versions(self) -> list[dict[str, Any]]:
        return [
            {
                "id": 50000 + p.serial,
                "employee_id": self.employee_id(p.id),
                "starts_on": p.start_date.isoformat(),
                "ends_on": p.termination_date.isoformat() if p.termination_date else None,
                "job_title": "Team member",
            }
            for p in self.people
        ]


def _employee_query(request: Request) -> tuple[frozenset[int], frozenset[str], bool]:
    """What of the query changes who the employees list holds (ids, emails, only_active)."""
    params = request.query_params
    ids = frozenset(int(v) for v in params.getlist("ids[]") if v.isdigit())
    emails = frozenset(v.lower() for v in params.getlist("emails[]"))
    # Leavers only on request: only_active defaults to true, only_active=false keeps them.
    only_active = params.get("only_active", "true").lower() != "false"
    return ids, emails, only_active


def _filter_employees(request: Request, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids, emails, only_active = _employee_query(request)
    if ids:
        rows = [r for r in rows if r["id"] in ids]
    if emails:
        rows = [r for r in rows if (r["email"] or "").lower() in emails]
    if only_active:
        rows = [r for r in rows if r["active"]]
    return rows


def _no_query(_request: Request) -> Hashable:
    return None


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Factorial emulator over ``company`` (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    api_key = credentials["api_key"]
    token = credentials.get("access_token")
    app = vendor_app(
        "Factorial emulator (rostersync sandbox)", company, faults, error_body=_error_body
    )
    memo = CompanyMemo(company)

    def renderer(request: Request, version: str) -> _Renderer:
        ok = header_ok(request, "x-api-key", api_key) or (
            bool(token) and bearer_ok(request, token or "")
        )
        if not ok:
            raise FactorialError(401)
        if not _VERSION.match(version):
            raise FactorialError(404, f"Unknown API version {version!r}")
        return view(faults.leak_sensitive_fields)

    def view(leak: bool) -> _Renderer:
        return memo.get(("renderer", leak), lambda: _Renderer(company, leak=leak))

    def listing(
        kind: str,
        build: Callable[[_Renderer, Request], list[dict[str, Any]]],
        query: Callable[[Request], Hashable] = _no_query,
    ) -> Any:
        """A paged list of ``build``; ``query`` tells requests apart that list different rows."""

        async def handler(version: str, request: Request) -> Response:
            leak = renderer(request, version).leak
            key = (kind, leak, query(request))
            rows = memo.get(key, lambda: build(view(leak), request))
            return _json(paginate(request, rows))

        return handler

    base = "/api/{version}/resources"
    app.add_api_route(
        f"{base}/employees/employees",
        listing(
            "employees",
            lambda r, q: _filter_employees(q, [r.employee(p) for p in r.people]),
            _employee_query,
        ),
        methods=["GET"],
    )
    app.add_api_route(
        f"{base}/teams/teams", listing("teams", lambda r, _q: r.teams()), methods=["GET"]
    )
    app.add_api_route(
        f"{base}/locations/locations",
        listing("locations", lambda r, _q: r.locations()),
        methods=["GET"],
    )
    app.add_api_route(
        f"{base}/companies/legal_entities",
        listing("legal_entities", lambda r, _q: r.legal_entity_rows()),
        methods=["GET"],
    )
    app.add_api_route(
        f"{base}/contracts/contract_versions",
        listing("contract_versions", lambda r, _q: r.contract_versions()),
        methods=["GET"],
    )

    @app.get(base + "/employees/employees/{employee_id}")
    async def one_employee(version: str, employee_id: str, request: Request) -> Response:
        r = renderer(request, version)
        for person in r.people:
            if str(r.employee_id(person.id)) == employee_id:
                return _json(r.employee(person))
        raise FactorialError(404, "Employee not found")

    return app
