"""Gusto API emulator, written from Gusto's public documentation.

Served at the root (the real base URLs are ``https://api.gusto.com`` and, for demo
companies, ``https://api.gusto-demo.com``):

=====  ==============================================  =========================================
verb   path                                            notes
=====  ==============================================  =========================================
POST   /oauth/token                                    ``grant_type=refresh_token`` with
                                                       ``client_id``, ``client_secret``,
                                                       ``refresh_token`` (form or JSON)
GET    /v1/token_info                                  the company the token belongs to
GET    /v1/companies/{company_uuid}/employees          ``page``, ``per`` (default 25, at most
                                                       100), ``terminated``, ``include``
GET    /v1/employees/{employee_uuid}                   one employee
GET    /v1/employees/{employee_uuid}/work_addresses    the employee's work addresses
GET    /v1/companies/{company_uuid}/locations          company locations, ``page`` / ``per``
GET    /v1/companies/{company_uuid}/departments        departments with their employees
=====  ==============================================  =========================================

Behaviour copied from the docs:

- OAuth2: the stored refresh token buys a two-hour access token (``expires_in`` 7200) and a
  new refresh token each time (rotation). API calls need ``Authorization: Bearer <access
  token>``; anything else answers 401. A token only sees its own company (403 otherwise).
- Lists are bare JSON arrays; with ``page`` / ``per`` the response carries ``X-Page``,
  ``X-Per-Page``, ``X-Total-Pages`` and ``X-Total-Count``. Without ``terminated`` both current
  and terminated employees are listed; ``terminated=true|false`` filters.
- Employees: ``uuid``, ``first_name``, ``last_name``, ``preferred_first_name``, ``email`` (the
  employee's personal email: Gusto invites people there), ``work_email``, ``manager_uuid``,
  ``department`` (title) and ``department_uuid``, ``terminated``, ``onboarded``,
  ``onboarding_status``, ``jobs`` (``hire_date``, ``title``, ``location_uuid``,
  ``compensations``), ``terminations`` (``effective_date``, ``active``), ``date_of_birth``,
  ``phone``, ``has_ssn``, ``ssn`` (always ""), ``current_employment_status``. Gusto has no
  leave status: people on leave are plain current employees. Future hires have a ``hire_date``
  ahead and ``onboarded`` false.
- Locations give ``country`` as ISO alpha-3 (``USA``); work addresses point at a location.
- Errors: ``{"errors": [{"error_key", "category", "message"}]}``; OAuth errors use RFC 6749's
  ``{"error", "error_description"}``.

Guesses are marked ``[guess]``: a ``per`` over 100 is cut to 100; every refresh token issued
stays usable unless ``strict_refresh_rotation`` is set (the docs say the old one is
invalidated; the shared conformance suite reads twice with the stored token); non-US sites get
their own alpha-3 country (Gusto itself is US-only). Control endpoints live under
``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   https://docs.gusto.com/app-integrations/docs/pagination (page, per, X-* headers, default 25)
#   https://docs.gusto.com/app-integrations/docs/refreshing-the-access-token (refresh grant,
#   expires_in 7200, rotated refresh token)
#   https://docs.gusto.com/app-integrations/reference/get-v1-companies-company_id-employees
#   https://docs.gusto.com/app-integrations/reference/get-v1-companies-company_id-locations
#   https://docs.gusto.com/app-integrations/reference/get-companies-departments
#   https://docs.gusto.com/app-integrations/reference/get-v1-employees-employee_id-work_addresses
#   https://docs.gusto.com/app-integrations/reference/get-v1-token-info
#   Employee fields cross-checked with docs.rs gusto-api types::Employee (generated from
#   Gusto's OpenAPI) and https://docs.gusto.com/app-integrations/docs/error-categories.

from __future__ import annotations

import hashlib
import json
import math
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.vendor_app import (
    VendorError,
    bare_app,
    bearer_token,
    json_response,
    vendor_app,
)

__all__ = ["CREDENTIALS", "DEFAULT_PER", "MAX_PER", "create_app", "gusto_uuid"]

CREDENTIALS = ("client_id", "client_secret", "refresh_token", "company_uuid")
"""The app's OAuth client, a refresh token from the company's consent, and its company UUID."""

DEFAULT_PER = 25
MAX_PER = 100
ACCESS_TOKEN_TTL = 7200

_ALPHA3 = {"US": "USA", "GB": "GBR", "DE": "DEU", "FR": "FRA", "ES": "ESP"}

_ERRORS = {
    400: ("invalid_request", "invalid_request", "The request is invalid"),
    401: ("invalid_token", "invalid_token", "The access token is invalid or has expired"),
    403: ("forbidden", "forbidden", "The token is not authorized for this resource"),
    404: ("not_found", "not_found", "Resource not found"),
    429: ("rate_limit_exceeded", "rate_limit_exceeded", "Too many requests"),
    500: ("internal_error", "internal_error", "Internal server error"),
    502: ("bad_gateway", "internal_error", "Bad gateway"),
    503: ("service_unavailable", "internal_error", "Service unavailable"),
    504: ("gateway_timeout", "internal_error", "Gateway timeout"),
}


class GustoError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def _error_body(status: int, message: str | None = None) -> bytes:
    key, category, default = _ERRORS.get(status, ("error", "error", "Error"))
    error = {"error_key": key, "category": category, "message": message or default}
    return json.dumps({"errors": [error]}).encode()


_json = partial(json_response, compact=False)


def gusto_uuid(kind: str, raw_id: str) -> str:
    """A version-4-shaped UUID, stable for a synthetic id."""
    digest = hashlib.sha256(f"gusto:{kind}:{raw_id}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _version(*parts: object) -> str:
    return hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()


def _location(site: Site, company_uuid: str) -> dict[str, Any]:
    return {
        "uuid": gusto_uuid("location", site.id),
        "version": _version("location", site.id),
        "company_uuid": company_uuid,
        "phone_number": f"555{int(site.id) % 10_000_000:07d}",
        "street_1": f"{10 + int(site.id) % 180} {site.name} Street",
        "street_2": None,
        "city": site.city,
        "state": "",
        "zip": f"{int(site.id) % 90000 + 10000}",
        "country": _ALPHA3.get(site.country_code, site.country_code),
        "active": True,
        "mailing_address": False,
        "filing_address": site.country_code == "US",
    }


def _employee(
    person: SyntheticPerson,
    company: SyntheticCompany,
    company_uuid: str,
    include: set[str],
    leak: bool,
) -> dict[str, Any]:
    department = company.department(person.department_id)
    employee_uuid = gusto_uuid("employee", person.id)
    ended = person.termination_date
    terminated = person.status is PersonStatus.TERMINATED
    onboarded = person.status is not PersonStatus.HIRED
    compensation = {
        "uuid": gusto_uuid("compensation", person.id),
        "version": _version("compensation", person.id, person.salary),
        "job_uuid": gusto_uuid("job", person.id),
        "rate": f"{person.salary:.2f}",
        "payment_unit": "Year",
        "flsa_status": "Exempt",
        "effective_date": person.start_date.isoformat(),
    }
    row: dict[str, Any] = {
        "uuid": employee_uuid,
        "version": _version(person.id, person.status.value, person.department_id, ended),
        "company_uuid": company_uuid,
        "first_name": person.first_name,
        "middle_initial": None,
        "last_name": person.last_name,
        "preferred_first_name": None,
        "email": person.personal_email,
        "work_email": person.work_email,
        "manager_uuid": gusto_uuid("employee", person.manager_id) if person.manager_id else None,
        "department": department.name,
        "department_uuid": gusto_uuid("department", department.id),
        "terminated": terminated,
        "two_percent_shareholder": False,
        "onboarded": onboarded,
        "onboarding_status": "onboarding_completed" if onboarded else "admin_onboarding_incomplete",
        "jobs": [
            {
                "uuid": gusto_uuid("job", person.id),
                "version": _version("job", person.id),
                "employee_uuid": employee_uuid,
                "hire_date": person.start_date.isoformat(),
                "title": f"{department.name} specialist",
                "primary": True,
                "rate": f"{person.salary:.2f}",
                "payment_unit": "Year",
                "location_uuid": gusto_uuid("location", person.site_id),
                "current_compensation_uuid": compensation["uuid"],
                "compensations": [compensation],
            }
        ],
        "eligible_paid_time_off": [
            {
                "name": "Vacation Hours",
                "policy_name": "Vacation",
                "accrual_balance": str(person.time_off_balance),
            }
        ],
        "terminations": (
            [
                {
                    "uuid": gusto_uuid("termination", person.id),
                    "version": _version("termination", person.id, ended),
                    "employee_uuid": employee_uuid,
                    "active": True,
                    "cancelable": not terminated,
                    "effective_date": ended.isoformat(),
                    "run_termination_payroll": False,
                }
            ]
            if ended
            else []
        ),
        "garnishments": [],
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "has_ssn": True,
        "ssn": "",
        "phone": person.personal_phone,
        "payment_method": "Direct Deposit",
        "current_employment_status": "full_time",
        "historical": False,
        "employee_code": f"{person.employee_number:06x}",
    }
    if "custom_fields" in include or leak:
        row["custom_fields"] = [
            {
                "id": gusto_uuid("custom_field", "performance"),
                "company_custom_field_id": gusto_uuid("company_custom_field", "performance"),
                "name": "Performance note",
                "type": "text",
                "value": person.performance_note,
            }
        ]
    if "all_home_addresses" in include or leak:
        home = person.home_address
        row["home_addresses"] = (
            [{"street_1": home.line1, "city": home.city, "zip": home.postcode, "active": True}]
            if home
            else []
        )
    if leak:
        row["ssn"] = f"{int(person.id) % 900_000_000 + 100_000_000}"
        row["bank_accounts"] = [{"account_number": person.bank_account, "account_type": "Checking"}]
        row["gender"] = person.gender
        row["ethnicity"] = person.ethnicity
    return row


def _pagination(request: Request, total: int) -> tuple[int, int, dict[str, str] | None]:
    params = request.query_params
    if "page" not in params and "per" not in params:
        return 0, total, None
    try:
        page = int(params.get("page", "1"))
        per = int(params.get("per", str(DEFAULT_PER)))
    except ValueError:
        raise GustoError(400, "page and per must be integers") from None
    if page < 1 or per < 1:
        raise GustoError(400, "page and per must be positive")
    per = min(per, MAX_PER)
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per),
        "X-Total-Pages": str(max(1, math.ceil(total / per))),
        "X-Total-Count": str(total),
    }
    return (page - 1) * per, per, headers


class _Tokens:
    """Issued tokens: access tokens with their expiry, refresh tokens still usable."""

    def __init__(self, refresh_token: str, strict: bool) -> None:
        self._lock = threading.Lock()
        self._refresh = {refresh_token}
        self._access: dict[str, float] = {}
        self._strict = strict

    def refresh(self, presented: str) -> tuple[str, str]:
        with self._lock:
            if presented not in self._refresh:
                raise OAuthError(
                    400, "invalid_grant", "The refresh token is invalid or was revoked"
                )
            if self._strict:
                self._refresh.discard(presented)
            access, rotated = secrets.token_hex(32), secrets.token_hex(32)
            self._refresh.add(rotated)
            self._access[access] = time.monotonic() + ACCESS_TOKEN_TTL
            return access, rotated

    def valid(self, access: str) -> bool:
        with self._lock:
            expires = self._access.get(access)
            return expires is not None and expires > time.monotonic()


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    if not raw.strip():
        return dict(request.query_params)
    try:
        body = json.loads(raw)
    except ValueError:
        return {k: v[0] for k, v in parse_qs(raw.decode(errors="replace")).items()}
    return {k: str(v) for k, v in body.items()} if isinstance(body, dict) else {}


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    strict_refresh_rotation: bool = False,
) -> FastAPI:
    """A Gusto emulator over ``company`` for one OAuth app and company (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    company_uuid = credentials["company_uuid"]
    tokens = _Tokens(credentials["refresh_token"], strict_refresh_rotation)
    app = vendor_app("Gusto emulator", company, faults, error_body=_error_body, compact_json=False)
    # The token endpoint sits in front of fault injection: a permission removed from the
    # company (403) does not stop Gusto issuing tokens, while a revoked grant does (below).
    front = bare_app("Gusto emulator", company, faults)

    def authenticate(request: Request, company_id: str | None = None) -> None:
        supplied = bearer_token(request)
        if supplied is None or not tokens.valid(supplied):
            raise GustoError(401)
        if company_id is not None and company_id != company_uuid:
            raise GustoError(403)

    @front.post("/oauth/token")
    async def oauth_token(request: Request) -> Response:
        if faults.revoked:
            raise OAuthError(400, "invalid_grant", "The refresh token was revoked")
        form = await _form(request)
        if form.get("grant_type") != "refresh_token":
            raise OAuthError(400, "unsupported_grant_type", "Only refresh_token is supported here")
        client_ok = secrets.compare_digest(
            form.get("client_id", "").encode(), credentials["client_id"].encode()
        ) and secrets.compare_digest(
            form.get("client_secret", "").encode(), credentials["client_secret"].encode()
        )
        if not client_ok:
            raise OAuthError(401, "invalid_client", "Client authentication failed")
        access, rotated = tokens.refresh(form.get("refresh_token", ""))
        return _json(
            {
                "access_token": access,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_TTL,
                "refresh_token": rotated,
                "created_at": int(time.time()),
                "scope": "employees:read companies:read departments:read",
            }
        )

    @app.get("/v1/token_info")
    async def token_info(request: Request) -> Response:
        authenticate(request)
        return _json(
            {
                "scope": "employees:read companies:read departments:read",
                "resource": {"type": "Company", "uuid": company_uuid},
                "resource_owner": {"type": "CompanyAdmin", "uuid": gusto_uuid("admin", "1")},
            }
        )

    def employees_of(include: set[str]) -> list[dict[str, Any]]:
        leak = faults.leak_sensitive_fields
        return [_employee(p, company, company_uuid, include, leak) for p in company.people()]

    @app.get("/v1/companies/{company_id}/employees")
    async def employees(company_id: str, request: Request) -> Response:
        authenticate(request, company_id)
        include = set(request.query_params.get("include", "").split(",")) - {""}
        rows = employees_of(include)
        flag = request.query_params.get("terminated")
        if flag is not None:
            if flag not in ("true", "false"):
                raise GustoError(400, "terminated must be true or false")
            rows = [r for r in rows if r["terminated"] is (flag == "true")]
        start, size, headers = _pagination(request, len(rows))
        return _json(rows[start : start + size], headers=headers)

    @app.get("/v1/employees/{employee_id}")
    async def employee(employee_id: str, request: Request) -> Response:
        authenticate(request)
        for row in employees_of(set()):
            if row["uuid"] == employee_id:
                return _json(row)
        raise GustoError(404)

    @app.get("/v1/employees/{employee_id}/work_addresses")
    async def work_addresses(employee_id: str, request: Request) -> Response:
        authenticate(request)
        for person in company.people():
            if gusto_uuid("employee", person.id) == employee_id:
                site = company.site(person.site_id)
                address = _location(site, company_uuid)
                return _json(
                    [
                        {
                            "uuid": gusto_uuid("work_address", person.id),
                            "version": _version("work_address", person.id, site.id),
                            "effective_date": person.start_date.isoformat(),
                            "active": True,
                            "location_uuid": address["uuid"],
                            "employee_uuid": employee_id,
                            **{
                                k: address[k]
                                for k in ("street_1", "street_2", "city", "state", "zip", "country")
                            },
                        }
                    ]
                )
        raise GustoError(404)

    @app.get("/v1/companies/{company_id}/locations")
    async def locations(company_id: str, request: Request) -> Response:
        authenticate(request, company_id)
        rows = [_location(site, company_uuid) for site in company.sites]
        start, size, headers = _pagination(request, len(rows))
        return _json(rows[start : start + size], headers=headers)

    @app.get("/v1/companies/{company_id}/departments")
    async def departments(company_id: str, request: Request) -> Response:
        authenticate(request, company_id)
        people = company.people()
        rows = [
            {
                "uuid": gusto_uuid("department", d.id),
                "version": _version("department", d.id),
                "company_uuid": company_uuid,
                "title": d.name,
                "employees": [
                    {"uuid": gusto_uuid("employee", p.id)}
                    for p in people
                    if p.department_id == d.id and p.status is not PersonStatus.TERMINATED
                ],
                "contractors": [],
            }
            for d in company.departments
            if not d.archived
        ]
        return _json(rows)

    @front.exception_handler(OAuthError)
    async def oauth_error(_request: Request, exc: OAuthError) -> Response:
        body = {"error": exc.error, "error_description": exc.description}
        return Response(json.dumps(body), status_code=exc.status, media_type="application/json")

    front.mount("/", app)
    return front
