"""Deel REST API v2 emulator (people, departments, teams, legal entities), from Deel's docs.

It serves, at the root (the real base URL is ``https://api.letsdeel.com``):

=====  ===========================  =======================================================
verb   path                         notes
=====  ===========================  =======================================================
GET    /rest/v2/people              everyone: ``active``, ``onboarding`` and ``inactive``;
                                    ``limit`` (1-100) / ``offset``; ``{"data", "page"}``
GET    /rest/v2/people/{id}         one person, ``{"data": {...}}``
GET    /rest/v2/departments         ``{"data": [{"id", "name", "parent"}]}``
GET    /rest/v2/teams               ``{"data": [{"id", "name"}]}``
GET    /rest/v2/legal-entities      one entity per site country, with ``country``
GET    /rest/v2/working-locations   the company's sites, ``{"data": [{"id", "name"}]}``
=====  ===========================  =======================================================

Behaviour copied from the docs:

- Auth: ``Authorization: Bearer <api token>``; anything else answers 401. Errors have Deel's
  documented body ``{"errors": [{"message": ...}]}``.
- ``/people`` takes ``limit`` (1-100; more is a 400), ``offset``, ``sort_by``, ``sort_order``
  (``asc``/``desc``), ``hiring_statuses`` (repeated or comma separated) and ``search`` (name or
  email). The page metadata is ``{"total_rows", "items_per_page", "offset"}``. Nobody is hidden
  unless a ``hiring_statuses`` filter asks for fewer.
- A person carries ``hiring_status`` / ``new_hiring_status``: ``active``, ``onboarding`` (hired,
  start date ahead) or ``inactive`` (contract ended); ``termination_last_day`` and
  ``completion_date`` for leavers (the last day also for people serving notice);
  ``emails`` as ``[{"type": "primary"|"work"|"personal", "value"}]`` where ``primary`` is the
  login email (the personal one when there is no work email); ``direct_manager`` as an object;
  ``department`` ``{"id", "name"}``; ``employments[]`` with ``team``, ``department``,
  ``country``, ``is_ended``. Leave is time off in Deel, not a hiring status: people on leave
  are ``active``. ``hiring_type``, on the person and on each employment, is ``contractor``
  for a contractor (``SyntheticPerson.contractor``; the OpenAPI's example value for both
  fields) and ``hris_direct_employee`` otherwise: contractors are in the same list as
  employees. Person ids are UUIDs, ``worker_id`` a number, team ids numbers.
- ``work_location`` is a string, the name of one of the organization's working locations
  (OpenAPI ``Employee.work_location``: "The work location of the employee.", example
  ``Remote``, ``type: string``). ``/working-locations`` ("Get organization working
  locations.", oauth2 scope ``organizations:read``, or an organization token) answers
  ``WorkingLocationsContainer``: ``id`` (a UUID) and ``name``, both required, no country. The
  synthetic company's sites are the working locations; the emulator takes API tokens only, so
  no scope is checked here or on any other path.
- ``birth_date`` and the personal email are returned as the docs show; with
  ``faults.leak_sensitive_fields`` compensation, bank account, personal phone, home address,
  gender, ethnicity, time-off balance and a performance note are added.

Guesses, marked ``[guess]``: the default ``limit`` (50); about one person in forty has
``work_location: null`` (the field is optional in the OpenAPI and the People guide's samples
show null, but no page says when it is empty); the legal-entity fields beyond ``id``/``name``;
archived departments are not listed and their people show ``department: null``.

Sources (read 2026-11): https://developer.deel.com/docs/people (Deel's "People" guide, also
stored in github.com/stefano-romanelli-Deel/dev-docs-as-code ``my-website/docs/API
Guides/people.md``: parameters table and sample responses), ``Basics/pagination-1.md``,
``Basics/http-statuses-1.md`` (error body); https://developer.deel.com/reference/getpeople.
Working locations and ``work_location``: Deel's OpenAPI as vendored in
github.com/letsdeel/deel-api-java-sdk ``api/openapi.yaml`` at f6403a8b (2025-01-13; servers
``https://api.letsdeel.com/rest/v2``), ``GET /working-locations`` and
``components.schemas.WorkingLocationsContainer``; ``hiring_type``: the same file's
``Employee`` schema and its ``employments[]`` items.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, time
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, int_param, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_LIMIT", "create_app", "working_location_id"]

CREDENTIALS = ("api_token",)
"""An organization API token (Deel: Apps & Perks > Developer Center > Access tokens)."""

DEFAULT_LIMIT = 50  # [guess]
MAX_LIMIT = 100  # documented: "limit 1-100"
_HIRING_STATUSES = ("active", "onboarding", "inactive")
_SORTABLE = {
    "id",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "start_date",
    "hiring_status",
    "worker_id",
}

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden: the token lacks the required scope",
    404: "path not found",
    405: "Method not allowed",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class DeelError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    text = message or _MESSAGES.get(status, "Error")
    return json.dumps({"errors": [{"message": text}]}).encode()


def _uuid(kind: str, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"deel:{kind}:{key}"))


def working_location_id(site: Site) -> str:
    return _uuid("working-location", site.id)


def _works_remotely(person: SyntheticPerson) -> bool:
    """[guess] about one person in forty has no working location set."""
    digest = hashlib.sha256(f"deel:remote:{person.id}".encode()).digest()
    return digest[0] % 40 == 0


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _hiring_type(person: SyntheticPerson) -> str:
    """``hiring_type`` (OpenAPI ``Employee.hiring_type``, "The type of hiring of the
    employee.", example ``contractor``; ``employments[].hiring_type`` likewise): contractors
    are ``contractor``, everyone else an HRIS direct employee."""
    return "contractor" if person.contractor else "hris_direct_employee"


def _hiring_status(person: SyntheticPerson) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "inactive"
    if person.status is PersonStatus.HIRED:
        return "onboarding"
    return "active"  # leave is time off in Deel, not a hiring status


class _Renderer:
    """Renders the company in Deel's shapes; built once per company version."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.leak = leak
        self.people = company.people()
        self.by_id = {p.id: p for p in self.people}
        self.reports: dict[str, int] = {}
        for p in self.people:
            if p.manager_id:
                self.reports[p.manager_id] = self.reports.get(p.manager_id, 0) + 1
        self.team_numbers = {t.id: 380000 + i for i, t in enumerate(company.teams)}

    def person_id(self, person_id: str) -> str:
        return _uuid("person", person_id)

    def entity(self, site: Site) -> dict[str, Any]:
        return {"id": _uuid("legal-entity", site.country_code), "name": f"{site.name} Entity"}

    def department(self, department_id: str) -> dict[str, Any] | None:
        dept = self.company.department(department_id)
        if dept.archived:
            return None
        return {"id": _uuid("department", dept.id), "name": dept.name}

    def team(self, team_id: str | None) -> dict[str, Any] | None:
        if team_id is None:
            return None
        return {"id": self.team_numbers[team_id], "name": self.company.team(team_id).name}

    def manager(self, person: SyntheticPerson) -> dict[str, Any] | None:
        boss = self.by_id.get(person.manager_id) if person.manager_id else None
        if boss is None:
            return None
        return {
            "id": self.person_id(boss.id),
            "first_name": boss.first_name,
            "last_name": boss.last_name,
            "preferred_first_name": None,
            "preferred_last_name": None,
            "display_name": boss.display_name,
            "work_email": boss.work_email,
            "worker_id": boss.serial,
            "external_id": None,
        }

    def person(self, person: SyntheticPerson) -> dict[str, Any]:
        site = self.company.site(person.site_id)
        status = _hiring_status(person)
        ended = person.status is PersonStatus.TERMINATED
        last_day = person.termination_date.isoformat() if person.termination_date else None
        completion = (
            _stamp(
                datetime.combine(person.termination_date, time(17), tzinfo=person.created_at.tzinfo)
            )
            if ended and person.termination_date
            else None
        )
        department = self.department(person.department_id)
        hiring_type = _hiring_type(person)
        employment = {
            "id": f"{int(person.id) % 16**7:07x}",
            "name": f"{person.display_name} - Team member",
            "team": self.team(person.team_id),
            "department": department,
            "email": person.work_email or person.personal_email,
            "state": None,
            "country": site.country_code,
            "payment": (
                {"rate": person.salary, "currency": person.salary_currency, "scale": "annual"}
                if self.leak
                else None
            ),
            "is_ended": ended,
            "timezone": None,
            "job_title": "Team member",
            "seniority": None,
            "start_date": person.start_date.isoformat(),
            "work_email": person.work_email,
            "hiring_type": hiring_type,
            "hiring_status": status,
            "termination_last_day": last_day,
            "completion_date": completion,
            "contract_status": "completed" if ended else "in_progress",
            "voluntarily_left": True if ended else None,
            "new_hiring_status": status,
            "client_legal_entity": self.entity(site),
        }
        out: dict[str, Any] = {
            "id": self.person_id(person.id),
            "created_at": _stamp(person.created_at),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "full_name": person.display_name,
            "preferred_first_name": None,
            "preferred_last_name": None,
            "worker_id": person.serial,
            "external_id": None,
            "hris_organization_user_id": _uuid("hris-user", person.id),
            "emails": [
                {"type": "primary", "value": person.work_email or person.personal_email},
                {"type": "work", "value": person.work_email},
                {"type": "personal", "value": person.personal_email or None},
            ],
            "birth_date": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "start_date": person.start_date.isoformat(),
            "nationality": None,
            "client_legal_entity": self.entity(site),
            "state": None,
            "seniority": None,
            "termination_last_day": last_day,
            "completion_date": completion,
            "direct_manager": self.manager(person),
            "direct_reports": None,
            "direct_reports_count": self.reports.get(person.id, 0),
            "employments": [employment],
            "hiring_status": status,
            "new_hiring_status": status,
            "hiring_type": hiring_type,
            "job_title": "Team member",
            "country": site.country_code,
            "timezone": None,
            "department": department,
            "work_location": None if _works_remotely(person) else site.name,
        }
        if self.leak:
            home = person.home_address
            out |= {
                "compensation_details": {
                    "salary": person.salary,
                    "currency": person.salary_currency,
                },
                "bank_account": {"iban": person.bank_account},
                "phone_numbers": [{"type": "personal", "value": person.personal_phone}],
                "home_address": (
                    {
                        "street": home.line1,
                        "city": home.city,
                        "zip": home.postcode,
                        "country": home.country_name,
                    }
                    if home
                    else None
                ),
                "gender": person.gender,
                "ethnicity": person.ethnicity,
                "time_off_balance": person.time_off_balance,
                "performance_note": person.performance_note,
            }
        return out

    def legal_entity(self, site: Site) -> dict[str, Any]:
        return self.entity(site) | {
            "country": site.country_code,
            "legal_name": f"{self.company.name} {site.country_code}",
            "type": "company",  # [guess]
        }


def _int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    return int_param(raw, default, DeelError, name=name, minimum=None)


def _statuses(request: Request) -> set[str] | None:
    raw = request.query_params.getlist("hiring_statuses") + request.query_params.getlist(
        "hiring_statuses[]"
    )
    if not raw:
        return None
    wanted = {s.strip() for item in raw for s in item.split(",") if s.strip()}
    unknown = wanted - set(_HIRING_STATUSES)
    if unknown:
        raise DeelError(400, f"hiring_statuses must be one of {', '.join(_HIRING_STATUSES)}")
    return wanted


def _people_page(
    request: Request, rows: Callable[[frozenset[str] | None, str, str, str], list[Any]]
) -> dict[str, Any]:
    """One page of ``rows(statuses, search, sort_by, sort_order)``, after checking the query."""
    limit = _int(request, "limit", DEFAULT_LIMIT)
    offset = _int(request, "offset", 0)
    if not 1 <= limit <= MAX_LIMIT:
        raise DeelError(400, f"limit must be between 1 and {MAX_LIMIT}")
    if offset < 0:
        raise DeelError(400, "offset must not be negative")
    sort_by = request.query_params.get("sort_by", "id")
    order = request.query_params.get("sort_order", "asc")
    if sort_by not in _SORTABLE or order not in ("asc", "desc"):
        raise DeelError(400, "unsupported sort_by or sort_order")
    wanted = _statuses(request)
    search = (request.query_params.get("search") or "").strip().lower()
    items = rows(None if wanted is None else frozenset(wanted), search, sort_by, order)
    return {
        "data": items[offset : offset + limit],
        "page": {"total_rows": len(items), "items_per_page": limit, "offset": offset},
    }


def _people_rows(
    r: _Renderer, wanted: frozenset[str] | None, search: str, sort_by: str, order: str
) -> list[dict[str, Any]]:
    """Everyone ``/people`` lists for these filters, sorted; the same for every page."""
    items = [r.person(p) for p in r.people]
    if wanted is not None:
        items = [i for i in items if i["hiring_status"] in wanted]
    if search:
        items = [
            i
            for i in items
            if search in i["full_name"].lower()
            or any(search in (e["value"] or "").lower() for e in i["emails"])
        ]

    def key(item: dict[str, Any]) -> str:
        value = item["emails"][0]["value"] if sort_by == "email" else item.get(sort_by)
        return "" if value is None else str(value).lower()

    items.sort(key=key, reverse=order == "desc")
    return items


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Deel emulator over ``company`` accepting one API token (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    app = vendor_app("Deel emulator (rostersync sandbox)", company, faults, error_body=_error_body)

    memo = CompanyMemo(company)

    def view(leak: bool) -> _Renderer:
        return memo.get(("renderer", leak), lambda: _Renderer(company, leak=leak))

    def renderer(request: Request) -> _Renderer:
        if not bearer_ok(request, credentials["api_token"]):
            raise DeelError(401)
        return view(faults.leak_sensitive_fields)

    @app.get("/rest/v2/people")
    async def people(request: Request) -> Response:
        leak = renderer(request).leak

        def rows(wanted: frozenset[str] | None, search: str, sort_by: str, order: str) -> list[Any]:
            query = (wanted, search, sort_by, order)
            return memo.get(("people", leak, *query), lambda: _people_rows(view(leak), *query))

        return _json(_people_page(request, rows))

    @app.get("/rest/v2/people/{person_id}")
    async def one_person(person_id: str, request: Request) -> Response:
        r = renderer(request)
        for person in r.people:
            if r.person_id(person.id) == person_id:
                return _json({"data": r.person(person)})
        raise DeelError(404, "Person not found")

    @app.get("/rest/v2/departments")
    async def departments(request: Request) -> Response:
        renderer(request)  # authenticates
        items = [
            {"id": _uuid("department", d.id), "name": d.name, "parent": None}
            for d in company.departments
            if not d.archived
        ]
        return _json({"data": items})

    @app.get("/rest/v2/teams")
    async def teams(request: Request) -> Response:
        r = renderer(request)
        items = [{"id": r.team_numbers[t.id], "name": t.name} for t in company.teams]
        return _json({"data": items, "page": {"cursor": None, "total_rows": len(items)}})

    @app.get("/rest/v2/legal-entities")
    async def legal_entities(request: Request) -> Response:
        r = renderer(request)
        seen: dict[str, dict[str, Any]] = {}
        for site in company.sites:
            seen.setdefault(site.country_code, r.legal_entity(site))
        return _json({"data": list(seen.values())})

    @app.get("/rest/v2/working-locations")
    async def working_locations(request: Request) -> Response:
        renderer(request)  # authenticates
        items = [{"id": working_location_id(s), "name": s.name} for s in company.sites]
        return _json({"data": items})

    return app
