"""Rippling platform API emulator, written from Rippling's public OpenAPI description.

Served at the root (the real base URL is ``https://api.rippling.com/platform/api``):

=====  ==========================================  ==============================================
verb   path                                        notes
=====  ==========================================  ==============================================
GET    /platform/api/companies/current             the company of the API key
GET    /platform/api/employees                     active employees (everyone not TERMINATED)
GET    /platform/api/employees/include_terminated  active and terminated employees
GET    /platform/api/employees/{employeeId}        one employee
GET    /platform/api/departments                   ``name``, ``id``, ``parent``
GET    /platform/api/teams                         ``name``, ``id``, ``parent``
GET    /platform/api/work_locations                ``id``, ``nickname``, ``address``
=====  ==========================================  ==============================================

Behaviour copied from the docs:

- Auth: ``Authorization: Bearer <API key>``; anything else answers 401.
- Lists are bare JSON arrays paged by ``limit`` / ``offset``; the docs ask for at most 100 per
  page, so a larger ``limit`` is cut to 100 [guess: the docs do not say whether it is refused].
  Without ``limit`` the whole list comes back.
- Employees carry Rippling's fields: ``id`` (24-hex object id), ``name``, ``firstName``,
  ``lastName``, ``preferredFirstName``, ``workEmail`` (nullable), ``personalEmail``,
  ``roleState`` (``INIT`` / ``HIRED`` / ``ACCEPTED`` / ``ACTIVE`` / ``TERMINATED``),
  ``startDate``, ``endDate`` (``YYYY-MM-DD``, also set ahead for people serving notice),
  ``manager`` (an employee id), ``department`` (name) and ``departmentId``, ``workLocation``
  (an address, ``country`` alpha-2) and ``workLocationId``, ``employmentType``, ``title``.
  As in the documented examples, the key also sees ``dob``, ``ssn``, ``phone``, ``address``
  (home), ``gender`` and ``compensation``: the real API returns whatever the key's scopes
  allow, and the documented examples show these.
- Rippling has no leave state in ``roleState``: people on leave are ``ACTIVE``.
- ``employmentType`` is ``CONTRACTOR`` for contractors (the spec's enum: ``CONTRACTOR``,
  ``SALARIED_FT``, ``SALARIED_PT``, ``HOURLY_FT``, ``HOURLY_PT``, ``TEMP``), in the same
  lists as employees; everyone else is ``SALARIED_FT``.
- Future hires are ``ACCEPTED`` (offer accepted) or, one in three, ``HIRED`` [guess].

Guesses are marked ``[guess]``: error bodies are ``{"detail": "..."}`` (the docs give status
meanings only); ``teams`` on an employee is a list of team ids (newer generated clients show a
``teams`` array; the published schema has none). Archived departments are not listed, though
old leavers still name them. Control endpoints live under ``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   github.com/Rippling/OpenAPIDocs RipplingOpenAPI.v1.yaml (servers, /employees,
#   /employees/include_terminated, /departments, /teams, /work_locations, /companies/current,
#   schemas Employee, Department, Team, WorkLocation, Address, parameters limit / offset)
#   github.com/Rippling/OpenAPIDocs docs/Getting-Started/i-Errors.md (401, 403, 500, 504)
#   docs.rs/rippling-base-api types::Employee (teams array)

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, json_response, vendor_app

__all__ = ["CREDENTIALS", "MAX_PAGE", "create_app"]

CREDENTIALS = ("api_key",)
"""The key of ``credentials``: a Rippling API key (Settings > Company settings > API Tokens)."""

MAX_PAGE = 100
PREFIX = "/platform/api"

_MESSAGES = {
    400: "Bad Request",
    401: "Invalid token.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    429: "Request was throttled.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class RipplingError(VendorError):
    """Answered as ``{"detail": ...}`` (see ``_body``)."""


def _body(status: int, detail: str | None = None) -> bytes:
    return json.dumps({"detail": detail or _MESSAGES.get(status, "Error")}).encode()


_json = partial(json_response, compact=False)


def object_id(kind: str, raw_id: str) -> str:
    """A Mongo-style 24-hex id, stable for a synthetic id (Rippling ids look like these)."""
    return hashlib.sha256(f"rippling:{kind}:{raw_id}".encode()).hexdigest()[:24]


def _address(site: Site) -> dict[str, Any]:
    return {
        "streetLine1": f"{10 + int(site.id) % 180} {site.name} Street",
        "city": site.city,
        "zip": f"{int(site.id) % 90000 + 10000}",
        "country": site.country_code,
        "state": "",
    }


def _role_state(person: SyntheticPerson) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "TERMINATED"
    if person.status is PersonStatus.HIRED:
        return "HIRED" if int(person.id) % 3 == 0 else "ACCEPTED"
    return "ACTIVE"  # leave is not a role state


def _employee(person: SyntheticPerson, company: SyntheticCompany) -> dict[str, Any]:
    site = company.site(person.site_id)
    department = company.department(person.department_id)
    home = person.home_address
    return {
        "id": object_id("employee", person.id),
        "name": person.display_name,
        "preferredFirstName": person.first_name,
        "firstName": person.first_name,
        "lastName": person.last_name,
        "employmentType": "CONTRACTOR" if person.contractor else "SALARIED_FT",
        "title": f"{department.name} specialist",
        "department": department.name,
        "departmentId": object_id("department", department.id),
        "teams": [object_id("team", person.team_id)] if person.team_id else [],
        "workLocation": _address(site),
        "workLocationId": object_id("location", site.id),
        "startDate": person.start_date.isoformat(),
        "endDate": person.termination_date.isoformat() if person.termination_date else None,
        "roleState": _role_state(person),
        "workEmail": person.work_email,
        "manager": object_id("employee", person.manager_id) if person.manager_id else None,
        "employeeNumber": person.employee_number,
        "spokeId": None,
        "customFields": {},
        "createdAt": person.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        "personalEmail": person.personal_email,
        "phone": person.personal_phone,
        "dob": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "ssn": None,
        "gender": person.gender.upper() if person.gender in ("male", "female") else None,
        "address": (
            {
                "streetLine1": home.line1,
                "city": home.city,
                "zip": home.postcode,
                "country": site.country_code,
            }
            if home
            else None
        ),
        "compensation": {
            "currency": person.salary_currency,
            "annualSalary": f"{person.salary:.2f}",
            "salaryUnit": "YEAR",
        },
    }


def _leaked(person: SyntheticPerson) -> dict[str, Any]:
    """Not Rippling fields: added only when the sandbox is told to leak everything."""
    return {
        "bankAccount": person.bank_account,
        "ethnicity": person.ethnicity,
        "timeOffBalance": person.time_off_balance,
        "performanceNote": person.performance_note,
    }


def _page(items: list[Any], request: Request) -> list[Any]:
    try:
        offset = int(request.query_params.get("offset", "0"))
        raw_limit = request.query_params.get("limit")
        limit = int(raw_limit) if raw_limit is not None else None
    except ValueError:
        raise RipplingError(400, "limit and offset must be integers") from None
    if offset < 0 or (limit is not None and limit < 0):
        raise RipplingError(400, "limit and offset must not be negative")
    if limit is None:
        return items[offset:]
    return items[offset : offset + min(limit, MAX_PAGE)]


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Rippling emulator over ``company`` accepting one API key (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    app = vendor_app("Rippling emulator", company, faults, error_body=_body, compact_json=False)

    def authenticate(request: Request) -> None:
        if not bearer_ok(request, credentials["api_key"]):
            raise RipplingError(401)

    api = APIRouter(prefix=PREFIX, dependencies=[Depends(authenticate)])

    memo = CompanyMemo(company)

    def render(include_terminated: bool, leak: bool) -> list[dict[str, Any]]:
        out = []
        for person in memo.people():
            if not include_terminated and person.status is PersonStatus.TERMINATED:
                continue
            row = _employee(person, company)
            if leak:
                row |= _leaked(person)
            out.append(row)
        return out

    def people(include_terminated: bool) -> list[dict[str, Any]]:
        leak = faults.leak_sensitive_fields
        key = ("employees", include_terminated, leak)
        return memo.get(key, lambda: render(include_terminated, leak))

    @api.get("/companies/current")
    async def current_company() -> Response:
        return _json(
            {
                "id": object_id("company", str(company.seed)),
                "name": company.name,
                "primaryEmail": f"hr@{company.domain}",
                "workLocations": [
                    {"id": object_id("location", s.id), "nickname": s.name, "address": _address(s)}
                    for s in company.sites
                ],
            }
        )

    @api.get("/employees")
    async def employees(request: Request) -> Response:
        return _json(_page(people(include_terminated=False), request))

    @api.get("/employees/include_terminated")
    async def employees_all(request: Request) -> Response:
        return _json(_page(people(include_terminated=True), request))

    @api.get("/employees/{employee_id}")
    async def employee(employee_id: str) -> Response:
        for row in people(include_terminated=True):
            if row["id"] == employee_id:
                return _json(row)
        raise RipplingError(404)

    @api.get("/departments")
    async def departments(request: Request) -> Response:
        rows = [
            {"name": d.name, "id": object_id("department", d.id), "parent": None}
            for d in company.departments
            if not d.archived
        ]
        return _json(_page(rows, request))

    @api.get("/teams")
    async def teams(request: Request) -> Response:
        rows = [
            {"name": t.name, "id": object_id("team", t.id), "parent": None} for t in company.teams
        ]
        return _json(_page(rows, request))

    @api.get("/work_locations")
    async def work_locations(request: Request) -> Response:
        rows = [
            {"id": object_id("location", s.id), "nickname": s.name, "address": _address(s)}
            for s in company.sites
        ]
        return _json(_page(rows, request))

    app.include_router(api)
    return app
