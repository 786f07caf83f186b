"""Breathe HR API emulator, written from Breathe's public developer documentation.

It serves, at the root (the real base URL is ``https://api.breathehr.com``):

=====  ====================  ==========================================================
verb   path                  notes
=====  ====================  ==========================================================
GET    /v1/employees         ``page`` / ``per_page`` (default 25, at most 100);
                             ``{"employees": [...]}`` with ``Link`` and ``Total`` headers
GET    /v1/employees/{id}    ``{"employees": [one]}``
GET    /v1/departments       ``{"departments": [...]}`` (paged the same way)
GET    /v1/locations         ``{"locations": [...]}``
GET    /v1/divisions         ``{"divisions": [...]}`` (none in the synthetic company)
=====  ====================  ==========================================================

Behaviour copied from the docs:

- Auth: the ``X-API-KEY`` header (any case); anything else answers 401.
- Pagination: RFC 5988 ``Link`` header (``first``, ``prev``, ``next``, ``last``) and a
  ``Total`` header holding the number of records; ``per_page`` above 100 is capped at 100.
- Rate limit: 60 requests in 60 seconds per customer; past it 429 with
  ``{"error": {"type": "Rate Limit Reached"}}`` (off by default, see ``create_app``).
- Errors are ``{"error": {"type": ...}}`` objects.
- Employees carry ``status`` ("Current employee" is documented), ``join_date`` /
  ``company_join_date``, ``job_start_date``, ``leaving_date`` and nested ``line_manager``,
  ``department``, ``division`` and ``location`` objects (``{"id", "name"}``); ids are integers.
  Every person is listed, former employees included.

Guesses, marked ``[guess]`` below: the status labels other than "Current employee"
("Pending employee", "Leaving employee", "Former employee"), the 401 error type, the fields of
location objects (name only: the docs show no country), and leave: Breathe has no "on leave"
status (absences are a separate resource), so people on leave are current employees.
Sensitive fields (``dob``, ``gender``, ``personal_email``, ``personal_mobile``, address,
``ni_number``) are rendered only with ``faults.leak_sensitive_fields``, together with
salary and bank details that the real list never returns.

Sources (stored copies, read 2026-11): https://developer.breathehr.com/documentation
(request_and_response, request_and_response/pagination, error_responses, rate_limiting),
https://developer.breathehr.com/community/faqs; field names cross-checked with the
employee fixture of the public dxw/breathe_ruby client (spec/fixtures/employees.json).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    MinuteWindow,
    VendorError,
    header_ok,
    int_param,
    json_response,
    vendor_app,
)

__all__ = ["CREDENTIALS", "create_app"]

CREDENTIALS = ("api_key",)
"""The production API key (``prod-...``) from Settings > Integrations > API setup."""

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
RATE_LIMIT = 60  # requests per 60 seconds per customer
_ACCOUNT_ID = 1


class BreatheError(VendorError):
    """``BreatheError(status, error_type)``, answered as ``{"error": {"type": ...}}``."""


_ERROR_TYPES = {
    400: "Bad Request",
    401: "Unauthorised",  # [guess]
    403: "Forbidden",
    404: "Record Not Found",
    429: "Rate Limit Reached",  # documented
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _error_body(status: int, error_type: str | None = None) -> bytes:
    kind = error_type or _ERROR_TYPES.get(status, "Error")
    return json.dumps({"error": {"type": kind}}).encode()


_json = partial(json_response, compact=False)


# --- ids and rendering ----------------------------------------------------------------------


def _employee_id(person: SyntheticPerson) -> int:
    # Breathe ids are small integers; the employee number is unique and stable.
    return 1_280_000 + person.serial


def _status(person: SyntheticPerson, today: date) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "Former employee"  # [guess] the UI calls them "left" / "ex-employee"
    if person.status is PersonStatus.HIRED:
        return "Pending employee"  # [guess] the UI's "pending"
    if person.termination_date is not None and person.termination_date >= today:
        return "Leaving employee"  # [guess] the UI's "leaving" (pending leaver)
    return "Current employee"


def _ref(item_id: str, name: str) -> dict[str, Any]:
    return {"id": int(item_id), "name": name}


def _employee(
    person: SyntheticPerson,
    company: SyntheticCompany,
    people: Mapping[str, SyntheticPerson],
    *,
    leak: bool,
) -> dict[str, Any]:
    department = company.department(person.department_id)
    site = company.site(person.site_id)
    manager = people.get(person.manager_id) if person.manager_id else None
    created = person.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    months = max(0, (company.today - person.start_date).days * 12 // 365)
    out: dict[str, Any] = {
        "id": _employee_id(person),
        "account_id": _ACCOUNT_ID,
        "employee_ref": (
            None if person.employee_number is None else f"E{person.employee_number:04d}"
        ),
        "first_name": person.first_name,
        "middle_name": None,
        "last_name": person.last_name,
        "known_as": None,
        "email": person.work_email,
        "job_title": f"{department.name} specialist",
        "status": _status(person, company.today),
        "join_date": person.start_date.isoformat(),
        "company_join_date": person.start_date.isoformat(),
        "job_start_date": person.start_date.isoformat(),
        "leaving_date": person.termination_date.isoformat() if person.termination_date else None,
        "probation_date": None,
        "length_of_service_in_months": months,
        "full_or_part_time": "Full Time",
        "notice_period": None,
        "photo_url": None,
        "hr": False,
        "line_manager": (
            {
                "id": _employee_id(manager),
                "first_name": manager.first_name,
                "last_name": manager.last_name,
                "email": manager.work_email,
            }
            if manager
            else None
        ),
        "holiday_approver": None,
        "department": _ref(department.id, department.name),
        "division": None,
        "location": _ref(site.id, site.name),
        "working_pattern": {
            "id": 1,
            "name": "Default working week M-F 8hrs",
            "total_hours": "40.0",
            "default": True,
        },
        "created_at": created,
        "updated_at": created,
    }
    if leak:
        sensitive = person.to_dict(include_sensitive=True)
        out.update(
            dob=sensitive["date_of_birth"],
            gender=person.gender,
            personal_email=person.personal_email,
            personal_mobile=person.personal_phone,
            address=sensitive["home_address"],
            ni_number=f"QQ{person.serial:06d}C",
            salary=person.salary,
            bank_account=person.bank_account,
            ethnicity=person.ethnicity,
            performance_note=person.performance_note,
            holiday_balance=person.time_off_balance,
        )
    return out


# --- paging ---------------------------------------------------------------------------------


def _positive_int(raw: str | None, default: int, name: str) -> int:
    invalid = "Invalid parameter: {name}"
    return int_param(
        raw,
        default,
        BreatheError,
        name=name,
        blank_is_missing=True,
        not_int=invalid,
        too_small=invalid,
    )


def _paged(request: Request, key: str, items: list[Any]) -> Response:
    page = _positive_int(request.query_params.get("page"), 1, "page")
    per_page = min(
        MAX_PER_PAGE,
        _positive_int(request.query_params.get("per_page"), DEFAULT_PER_PAGE, "per_page"),
    )
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    base = str(request.url.replace(query=""))
    others = {k: v for k, v in request.query_params.items() if k != "page"}

    def link(number: int, rel: str) -> str:
        return f'<{base}?{urlencode({**others, "page": number})}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    links.append(link(last, "last"))
    if page < last:
        links.append(link(page + 1, "next"))
    return _json({key: chunk}, headers={"Link": ", ".join(links), "Total": str(len(items))})


class _RateLimiter(MinuteWindow):
    """60 requests in any 60 seconds, as the docs state."""

    def check(self) -> None:
        if not self.hit()[0]:
            raise BreatheError(429, "Rate Limit Reached")


# --- the app --------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    enforce_rate_limit: bool = False,
) -> FastAPI:
    """A Breathe HR emulator over ``company`` accepting one API key (see CREDENTIALS).

    ``enforce_rate_limit`` turns on the documented 60-requests-a-minute limit.
    """
    faults = faults if faults is not None else Faults()
    api_key = credentials["api_key"]
    limiter = _RateLimiter(RATE_LIMIT) if enforce_rate_limit else None

    app = vendor_app(
        "Breathe HR emulator", company, faults, error_body=_error_body, compact_json=False
    )

    def authenticate(request: Request) -> None:
        if not header_ok(request, "x-api-key", api_key):
            raise BreatheError(401, _ERROR_TYPES[401])
        if limiter is not None:
            limiter.check()

    api = APIRouter(prefix="/v1", dependencies=[Depends(authenticate)])

    memo = CompanyMemo(company)

    def render(leak: bool) -> list[dict[str, Any]]:
        by_id = memo.by_id()
        return [_employee(p, company, by_id, leak=leak) for p in by_id.values()]

    def employees(leak: bool) -> list[dict[str, Any]]:
        return memo.get(("employees", leak), lambda: render(leak))

    @api.get("/employees")
    async def list_employees(request: Request) -> Response:
        return _paged(request, "employees", employees(faults.leak_sensitive_fields))

    @api.get("/employees/{employee_id}")
    async def get_employee(employee_id: str) -> Response:
        for item in employees(faults.leak_sensitive_fields):
            if str(item["id"]) == employee_id:
                return _json({"employees": [item]})
        raise BreatheError(404, "Record Not Found")

    @api.get("/departments")
    async def list_departments(request: Request) -> Response:
        items = [_ref(d.id, d.name) for d in company.departments if not d.archived]
        return _paged(request, "departments", items)

    @api.get("/locations")
    async def list_locations(request: Request) -> Response:
        return _paged(request, "locations", [_ref(s.id, s.name) for s in company.sites])

    @api.get("/divisions")
    async def list_divisions(request: Request) -> Response:
        return _paged(request, "divisions", [])

    app.include_router(api)
    return app
