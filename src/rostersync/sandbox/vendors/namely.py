"""Namely API v1 emulator (profiles, groups, group types), written from Namely's public docs.

It serves, at the root (the real base URL is ``https://{company}.namely.com``):

=====  ===========================  =======================================================
verb   path                         notes
=====  ===========================  =======================================================
GET    /api/v1/profiles             ``page`` / ``per_page`` (default 30, at most 50);
                                    ``filter[user_status]``; ``{"profiles", "meta",
                                    "links", "linked"}``
GET    /api/v1/profiles/{id}        ``{"profiles": [one]}``
GET    /api/v1/groups               every group with its ``type``; ``{"groups", "meta"}``
GET    /api/v1/group_types          ``Departments``, ``Teams``, ``Office Locations``
=====  ===========================  =======================================================

Behaviour copied from the docs:

- Auth: ``Authorization: Bearer <access token>`` (a personal access token or an OAuth token);
  anything else answers 401.
- Profiles list every status (``active``, ``pending``, ``inactive``) unless
  ``filter[user_status]`` asks for one; ``per_page`` above 50 is capped at 50; a page past the
  end is empty. ``meta`` holds ``count`` (profiles matching), ``total_count`` (all profiles) and
  ``status``.
- A profile carries ``user_status``: ``active``, ``pending`` (hired, start date ahead) or
  ``inactive`` (left); ``start_date`` and ``departure_date`` as ``YYYY-MM-DD``; ``email`` (the
  company email) and ``personal_email``; ``reports_to`` as a list of ``{"id", "first_name",
  "last_name", "email"}``; ``links.groups`` as ``[{"id", "name"}]`` for the department and
  office location and ``links.teams`` for the team; ``job_title`` ``{"id", "title"}``. Leave is
  time off in Namely: people on leave stay ``active``. Ids are UUIDs.
- Groups have ``title``, ``type`` (the group type's title), ``is_team``, ``count`` and, for
  office locations, an ``address`` with ``country_id`` (ISO alpha-2).
- Profiles carry what an admin token sees: personal email, home address, date of birth, gender,
  mobile phone; ``faults.leak_sensitive_fields`` adds salary, bank account, ethnicity,
  time-off balance and a performance note.

Guesses, marked ``[guess]``: the error body ``{"message": ..., "errors": [...]}``; the
``links`` paging keys; office location ``address`` field names besides ``country_id``;
archived departments are simply absent from ``/groups`` while their people still link them.

Sources (read 2026-11): https://developers.namely.com/docs/namely-api/ (profiles, groups,
group types, pagination, rate limit of 100 requests a minute), the profile list parameters as
summarised on https://glama.ai/mcp/connectors/io.usefulapi/namely/tools/namely_list_profiles.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, int_param, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_PER_PAGE", "create_app"]

CREDENTIALS = ("access_token",)
"""A Namely personal access token (API > Personal Access Tokens) or OAuth access token."""

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 50
_STATUSES = ("active", "pending", "inactive")
_GROUP_TYPES = (
    ("Departments", "departments", False),
    ("Teams", "teams", True),
    ("Office Locations", "office_locations", False),
)

_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized: invalid or expired access token",
    403: "Forbidden: you do not have access to this resource",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class NamelyError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    text = message or _MESSAGES.get(status, "Error")
    return json.dumps({"message": text, "errors": [text]}).encode()  # [guess] shape


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"namely:{kind}:{key}"))


def _user_status(person: SyntheticPerson) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "inactive"
    if person.status is PersonStatus.HIRED:
        return "pending"
    return "active"  # leave is time off in Namely, not a user status


class _Renderer:
    """Renders the company in Namely's shapes; built once per company version."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.leak = leak
        self.people = company.people()
        self.by_id = {p.id: p for p in self.people}

    def profile_id(self, person_id: str) -> str:
        return _uuid("profile", person_id)

    def reports_to(self, person: SyntheticPerson) -> list[dict[str, Any]]:
        boss = self.by_id.get(person.manager_id) if person.manager_id else None
        if boss is None:
            return []
        return [
            {
                "id": self.profile_id(boss.id),
                "first_name": boss.first_name,
                "last_name": boss.last_name,
                "preferred_name": None,
                "email": boss.work_email,
            }
        ]

    def profile(self, person: SyntheticPerson) -> dict[str, Any]:
        site = self.company.site(person.site_id)
        dept = self.company.department(person.department_id)
        groups = [
            {"id": _uuid("group", dept.id), "name": dept.name},
            {"id": _uuid("group", site.id), "name": site.name},
        ]
        teams = []
        if person.team_id:
            teams.append(
                {
                    "id": _uuid("group", person.team_id),
                    "name": self.company.team(person.team_id).name,
                }
            )
        home = person.home_address
        out: dict[str, Any] = {
            "id": self.profile_id(person.id),
            "email": person.work_email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "preferred_name": None,
            "full_name": person.display_name,
            "user_status": _user_status(person),
            "updated_at": int(person.created_at.timestamp()),
            "created_at": int(person.created_at.timestamp()),
            "employee_id": None if person.employee_number is None else str(person.employee_number),
            "personal_email": person.personal_email or None,
            "job_title": {"id": _uuid("job-title", "member"), "title": "Team member"},
            "reports_to": self.reports_to(person),
            "employee_type": {"title": "Full Time"},
            "access_role": "Employee",
            "start_date": person.start_date.isoformat(),
            "departure_date": (
                person.termination_date.isoformat() if person.termination_date else None
            ),
            "office_main_number": None,
            "office_direct_dial": None,
            "mobile_phone": person.personal_phone or None,
            "dob": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "gender": person.gender.capitalize() if person.gender else None,
            "home": (
                {
                    "address1": home.line1,
                    "address2": None,
                    "city": home.city,
                    "state_id": None,
                    "zip": home.postcode,
                    "country_id": site.country_code,
                }
                if home
                else None
            ),
            "links": {
                "groups": groups,
                "teams": teams,
                "job_title": {"id": _uuid("job-title", "member")},
            },
        }
        if self.leak:
            out |= {
                "salary": {
                    "currency_type": person.salary_currency,
                    "yearly_amount": person.salary,
                    "date": person.start_date.isoformat(),
                },
                "bank_account": {"iban": person.bank_account},
                "ethnicity": person.ethnicity,
                "time_off_balance": person.time_off_balance,
                "performance_note": person.performance_note,
            }
        return out

    def groups(self) -> list[dict[str, Any]]:
        counts: dict[str, int] = {}
        for p in self.people:
            for key in (p.department_id, p.site_id, p.team_id):
                if key:
                    counts[key] = counts.get(key, 0) + 1
        out: list[dict[str, Any]] = []
        for d in self.company.departments:
            if not d.archived:
                out.append(self._group(d.id, d.name, "Departments", counts))
        for t in self.company.teams:
            out.append(self._group(t.id, t.name, "Teams", counts))
        for s in self.company.sites:
            group = self._group(s.id, s.name, "Office Locations", counts)
            group["address"] = {
                "address1": None,
                "city": s.city,
                "state_id": None,
                "zip": None,
                "country_id": s.country_code,
            }
            out.append(group)
        return out

    @staticmethod
    def _group(key: str, title: str, kind: str, counts: Mapping[str, int]) -> dict[str, Any]:
        return {
            "id": _uuid("group", key),
            "title": title,
            "type": kind,
            "is_team": kind == "Teams",
            "count": counts.get(key, 0),
            "links": {"group_type": _uuid("group-type", kind)},
        }


def _int(request: Request, name: str, default: int) -> int:
    return int_param(request.query_params.get(name), default, NamelyError, name=name)


def _with_status(r: _Renderer, status: str | None) -> list[SyntheticPerson]:
    return [p for p in r.people if status is None or _user_status(p) == status]


def _profiles_page(
    request: Request, r: _Renderer, listed: Callable[[str | None], list[SyntheticPerson]]
) -> dict[str, Any]:
    """One page of ``listed(user status filter)``, rendered by ``r``."""
    page = _int(request, "page", 1)
    per_page = min(_int(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    status = request.query_params.get("filter[user_status]")
    if status is not None and status not in _STATUSES:
        raise NamelyError(400, f"filter[user_status] must be one of {', '.join(_STATUSES)}")
    people = listed(status)
    chunk = people[(page - 1) * per_page : page * per_page]
    base = f"/api/v1/profiles?per_page={per_page}"
    links: dict[str, Any] = {"self": f"{base}&page={page}"}
    if page * per_page < len(people):
        links["next"] = f"{base}&page={page + 1}"  # [guess] key name
    return {
        "profiles": [r.profile(p) for p in chunk],
        "meta": {"count": len(people), "status": 200, "total_count": len(r.people)},
        "links": links,
        "linked": {"job_titles": [{"id": _uuid("job-title", "member"), "title": "Team member"}]},
    }


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Namely emulator over ``company`` accepting one access token (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    app = vendor_app(
        "Namely emulator (rostersync sandbox)", company, faults, error_body=_error_body
    )

    memo = CompanyMemo(company)

    def view(leak: bool) -> _Renderer:
        return memo.get(("renderer", leak), lambda: _Renderer(company, leak=leak))

    def renderer(request: Request) -> _Renderer:
        if not bearer_ok(request, credentials["access_token"]):
            raise NamelyError(401)
        return view(faults.leak_sensitive_fields)

    def listed(status: str | None) -> list[SyntheticPerson]:
        # Who is listed does not depend on the leak flag: either renderer will do.
        return memo.get(("listed", status), lambda: _with_status(view(False), status))

    @app.get("/api/v1/profiles")
    async def profiles(request: Request) -> Response:
        return _json(_profiles_page(request, renderer(request), listed))

    @app.get("/api/v1/profiles/{profile_id}")
    async def one_profile(profile_id: str, request: Request) -> Response:
        r = renderer(request)
        for person in r.people:
            if r.profile_id(person.id) == profile_id:
                return _json({"profiles": [r.profile(person)], "meta": {"status": 200}})
        raise NamelyError(404, "Profile not found")

    @app.get("/api/v1/groups")
    async def groups(request: Request) -> Response:
        items = renderer(request).groups()
        return _json({"groups": items, "meta": {"count": len(items), "status": 200}})

    @app.get("/api/v1/group_types")
    async def group_types(request: Request) -> Response:
        renderer(request)  # authenticates
        items = [
            {
                "id": _uuid("group-type", title),
                "title": title,
                "field_name": field,
                "is_team": is_team,
            }
            for title, field, is_team in _GROUP_TYPES
        ]
        return _json({"group_types": items, "meta": {"count": len(items), "status": 200}})

    return app
