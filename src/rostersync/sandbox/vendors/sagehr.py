"""Sage HR (formerly CakeHR) API emulator, written from Sage HR's public API documentation.

It serves, at the root (the real base URL is ``https://{subdomain}.sage.hr/api``):

=====  ==============================  =================================================
verb   path                            notes
=====  ==============================  =================================================
GET    /api/employees                  current employees (future starters included);
                                       ``page``; ``team_history``,
                                       ``employment_status_history``, ``position_history``
GET    /api/employees/{id}             one current employee, same history flags
GET    /api/terminated-employees       employees whose termination date has passed
GET    /api/terminated-employees/{id}  one, with ``termination: {reason, comments}``
GET    /api/teams                      ``id``, ``name``, ``manager_ids``, ``employee_ids``
GET    /api/positions                  ``id``, ``title``, ``code``, ``description``
=====  ==============================  =================================================

Behaviour copied from the docs:

- Auth: the ``X-Auth-Token`` header carries the API key (Settings > Integrations > API);
  anything else answers 401.
- Lists answer ``{"data": [...], "meta": {"current_page", "next_page", "previous_page",
  "total_pages", "per_page", "total_entries"}}`` and page with ``page`` only.
- Employees: integer ``id``, ``email``, ``first_name``, ``last_name``, ``employment_start_date``
  (``YYYY-MM-DD``), ``team`` / ``team_id``, ``position`` / ``position_id``,
  ``reports_to_employee_id``, ``employee_number``, ``employment_status`` (the contract kind), and
  the personal fields an admin key sees: ``date_of_birth``, ``gender``, phones, home address
  (``street_first``, ``city``, ``post_code``, ``country``). Terminated employees carry
  ``termination_date`` and fewer fields.
- Teams: Sage HR has one level of teams; each department of the company is a team (the
  archived department is not listed). Positions are derived from departments.

Guesses, marked ``[guess]``: the page size (50); the error bodies (``{"error": ...}``); that
people serving notice stay in ``/employees`` until their termination date; and work
locations: the public reference documents no list endpoint for offices, so none is served.
People on leave are current employees (Sage HR leave is time off, not a state).

Sources (stored copies, read 2026-11): https://developer.sage.com/hr/get-started/,
https://support.sage.hr/en/articles/3246469-how-does-sage-hr-api-work, and Sage HR's published
OpenAPI description as vendored in konfig-sdks/sage-typescript-sdk (paths, parameters,
EmployeeListActiveEmployeesResponse*, EmployeeListTerminatedEmployees*, TeamsListInCompany*,
PositionsListCompanyPositions* schemas).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, header_ok, json_response, vendor_app

__all__ = ["CREDENTIALS", "PER_PAGE", "create_app"]

CREDENTIALS = ("api_key",)
"""The admin user's API key, sent as ``X-Auth-Token``."""

PER_PAGE = 50  # [guess] not stated in the reference
_CONTRACT = "Full-time"

_ERROR_TEXT = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class SageError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    return json.dumps({"error": message or _ERROR_TEXT.get(status, "Error")}).encode()


_json = partial(json_response, compact=False)


def _employee_id(person: SyntheticPerson) -> int:
    # Sage HR ids are small integers; the employee number is unique and never reused.
    return 1_000_000 + person.serial


def _number(person: SyntheticPerson) -> str | None:
    return None if person.employee_number is None else str(person.employee_number)


def _position_id(department_id: str) -> int:
    return int(department_id) % 1_000_000


def _is_terminated(person: SyntheticPerson, today: date) -> bool:
    if person.status is PersonStatus.TERMINATED:
        return True
    return person.termination_date is not None and person.termination_date < today


def _history(person: SyntheticPerson, team_name: str, position: str) -> dict[str, Any]:
    start = person.start_date.isoformat()
    return {
        "team_history": [
            {
                "team_id": int(person.department_id),
                "start_date": start,
                "end_date": None,
                "team_name": team_name,
            }
        ],
        "employment_status_history": [
            {
                "employment_status_id": 1,
                "start_date": start,
                "end_date": None,
                "employment_statu_name": _CONTRACT,  # sic: the documented key
            }
        ],
        "position_history": [
            {
                "position_id": _position_id(person.department_id),
                "start_date": start,
                "end_date": None,
                "position_name": position,
            }
        ],
    }


def _sensitive(person: SyntheticPerson) -> dict[str, Any]:
    address = person.home_address
    return {
        "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "gender": person.gender.capitalize(),
        "home_phone": None,
        "mobile_phone": person.personal_phone,
        "street_first": address.line1 if address else None,
        "street_second": None,
        "city": address.city if address else None,
        "post_code": address.postcode if address else None,
        "country": address.country_name if address else None,
    }


def _leaked(person: SyntheticPerson) -> dict[str, Any]:
    return {
        "personal_email": person.personal_email,
        "salary": person.salary,
        "salary_currency": person.salary_currency,
        "bank_account": person.bank_account,
        "ethnicity": person.ethnicity,
        "performance_note": person.performance_note,
        "time_off_balance": person.time_off_balance,
    }


class _Renderer:
    """Renders the company's people in Sage HR's shapes, for one company version."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.today = company.today
        self.people = company.people()
        self.by_id = {p.id: p for p in self.people}
        self.leak = leak

    def _position(self, person: SyntheticPerson) -> str:
        return f"{self.company.department(person.department_id).name} specialist"

    def current(self, person: SyntheticPerson, *, history: set[str]) -> dict[str, Any]:
        team = self.company.department(person.department_id)
        manager = self.by_id.get(person.manager_id) if person.manager_id else None
        out: dict[str, Any] = {
            "id": _employee_id(person),
            "email": person.work_email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "picture_url": None,
            "employment_start_date": person.start_date.isoformat(),
            "team": team.name,
            "team_id": int(team.id),
            "position": self._position(person),
            "position_id": _position_id(team.id),
            "reports_to_employee_id": _employee_id(manager) if manager else None,
            "work_phone": None,
            "employee_number": _number(person),
            "employment_status": _CONTRACT,
            **_sensitive(person),
        }
        extra = _history(person, team.name, self._position(person))
        out.update({key: extra[key] for key in sorted(history)})
        if self.leak:
            out.update(_leaked(person))
        return out

    def terminated(self, person: SyntheticPerson, *, detail: bool = False) -> dict[str, Any]:
        termination = person.termination_date or self.today
        out: dict[str, Any] = {
            "id": _employee_id(person),
            "termination_date": termination.isoformat(),
            "employee_number": _number(person),
            "email": person.work_email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "picture_url": None,
            "employment_start_date": person.start_date.isoformat(),
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "position": self._position(person),
        }
        if detail:
            out["termination"] = {"reason": "Resignation", "comments": None}
        if self.leak:
            out.update(_sensitive(person))
            out.update(_leaked(person))
        return out

    def active_people(self) -> list[SyntheticPerson]:
        return [p for p in self.people if not _is_terminated(p, self.today)]

    def terminated_people(self) -> list[SyntheticPerson]:
        return [p for p in self.people if _is_terminated(p, self.today)]


def _page(request: Request, items: list[Any]) -> Response:
    raw = request.query_params.get("page") or "1"
    try:
        page = int(raw)
    except ValueError:
        raise SageError(400, "page must be a number") from None
    if page < 1:
        raise SageError(400, "page must be a positive number")
    total_pages = max(1, -(-len(items) // PER_PAGE))
    return _json(
        {
            "data": items[(page - 1) * PER_PAGE : page * PER_PAGE],
            "meta": {
                "current_page": page,
                "next_page": page + 1 if page < total_pages else None,
                "previous_page": page - 1 if page > 1 else None,
                "total_pages": total_pages,
                "per_page": PER_PAGE,
                "total_entries": len(items),
            },
        }
    )


_HISTORY_FLAGS = ("team_history", "employment_status_history", "position_history")


def _history_flags(request: Request) -> set[str]:
    return {f for f in _HISTORY_FLAGS if request.query_params.get(f, "").lower() == "true"}


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Sage HR emulator over ``company`` accepting one API key (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    api_key = credentials["api_key"]

    app = vendor_app(
        "Sage HR emulator", company, faults, error_body=_error_body, compact_json=False
    )

    def authenticate(request: Request) -> None:
        if not header_ok(request, "x-auth-token", api_key):
            raise SageError(401)

    api = APIRouter(prefix="/api", dependencies=[Depends(authenticate)])

    memo = CompanyMemo(company)

    def renderer_of(leak: bool) -> _Renderer:
        return memo.get(("renderer", leak), lambda: _Renderer(company, leak=leak))

    def renderer() -> _Renderer:
        return renderer_of(faults.leak_sensitive_fields)

    def current(leak: bool, flags: frozenset[str]) -> list[dict[str, Any]]:
        view = renderer_of(leak)
        return [view.current(p, history=set(flags)) for p in view.active_people()]

    def terminated(leak: bool) -> list[dict[str, Any]]:
        view = renderer_of(leak)
        return [view.terminated(p) for p in view.terminated_people()]

    @api.get("/employees")
    async def list_employees(request: Request) -> Response:
        leak, flags = faults.leak_sensitive_fields, frozenset(_history_flags(request))
        return _page(request, memo.get(("current", leak, flags), lambda: current(leak, flags)))

    @api.get("/employees/{employee_id}")
    async def get_employee(employee_id: str, request: Request) -> Response:
        view, flags = renderer(), _history_flags(request)
        for person in view.active_people():
            if str(_employee_id(person)) == employee_id:
                return _json({"data": view.current(person, history=flags)})
        raise SageError(404, "Employee not found")

    @api.get("/terminated-employees")
    async def list_terminated(request: Request) -> Response:
        leak = faults.leak_sensitive_fields
        return _page(request, memo.get(("terminated", leak), lambda: terminated(leak)))

    @api.get("/terminated-employees/{employee_id}")
    async def get_terminated(employee_id: str) -> Response:
        view = renderer()
        for person in view.terminated_people():
            if str(_employee_id(person)) == employee_id:
                return _json({"data": view.terminated(person, detail=True)})
        raise SageError(404, "Employee not found")

    @api.get("/teams")
    async def list_teams(request: Request) -> Response:
        view = renderer()
        teams = []
        for department in company.departments:
            if department.archived:
                continue
            members = [p for p in view.active_people() if p.department_id == department.id]
            member_ids = {p.id for p in members}
            leads = {p.manager_id for p in members if p.manager_id not in member_ids}
            teams.append(
                {
                    "id": int(department.id),
                    "name": department.name,
                    "manager_ids": sorted(
                        _employee_id(view.by_id[m]) for m in leads if m in view.by_id
                    ),
                    "employee_ids": [_employee_id(p) for p in members],
                }
            )
        return _page(request, teams)

    @api.get("/positions")
    async def list_positions(request: Request) -> Response:
        items = [
            {
                "id": _position_id(d.id),
                "title": f"{d.name} specialist",
                "code": None,
                "description": None,
            }
            for d in company.departments
            if not d.archived
        ]
        return _page(request, items)

    app.include_router(api)
    return app
