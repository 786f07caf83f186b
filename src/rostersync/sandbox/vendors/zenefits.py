"""TriNet Zenefits Core API emulator, written from Zenefits' public developer documentation.

It serves, at the root (the real base URL is ``https://api.zenefits.com``):

=====  ===================================  ===============================================
verb   path                                 notes
=====  ===================================  ===============================================
GET    /core/me                             the token's person, company and scopes
GET    /core/companies                      the one company the token is installed in
GET    /core/people                         paged list; ``includes``, filters (below)
GET    /core/people/{id}                    one person
GET    /core/companies/{id}/people          the same list, scoped by company
GET    /core/employments                    paged list: hire / termination dates
GET    /core/people/{id}/employments        one person's employments
GET    /core/departments, /core/locations   paged lists, and ``/{id}`` for one
=====  ===================================  ===============================================

Behaviour copied from the docs:

- Auth: ``Authorization: Bearer <access token>`` (OAuth2 authorization code app); a missing or
  wrong token answers 401.
- Every answer is wrapped: ``{"status": 200, "object": "/meta/response", "data": ..., "error":
  null}``; a list's ``data`` is ``{"object": "/meta/list", "url": "/core/people", "next_url":
  ..., "data": [...]}``. ``next_url`` is absolute (``...?limit=100&starting_after=<id>``) and null
  on the last page.
- Paging: ``limit`` (default 20, maximum 100), ``starting_after`` / ``ending_before`` (an object
  id). A limit over 100 or an unknown cursor id is a 400.
- References are ``{"object": "/meta/ref/detail", "ref_object": "/core/departments", "url":
  ...}`` (lists: ``/meta/ref/list``); ``includes=department+location+manager+company`` replaces
  those refs with the full objects.
- People filters: ``status``, ``department``, ``location``, ``manager``, ``first_name``,
  ``last_name``, ``work_email``. Every status is listed by default, terminated included.
- Person ``status``: ``active``, ``leave_of_absence``, ``terminated``, and ``setup`` for a hire
  who has not started [guess: the docs list ``requested`` and ``setup`` besides the first three
  without defining them]. People carry no dates: ``hire_date`` and ``termination_date``
  (``YYYY-MM-DD``) live on employments.
- Location ``country`` is ISO alpha-2 (``US``), as in the docs' examples.

Sensitive fields (``date_of_birth``, ``gender``, ``personal_email``, ``personal_phone``,
``street1`` ..., ``social_security_number``, employment ``annual_salary``) need extra OAuth scopes
the product never asks for, so they are returned only with ``faults.leak_sensitive_fields``.
Error bodies are ``{"status": N, "object": "/meta/response", "data": null, "error": {"message":
...}}`` [guess: the docs show the envelope, not the error members].

Control endpoints (not Zenefits') live under ``/_sandbox``; see :mod:`rostersync.sandbox.control`.
"""

# Sources (stored copies, read 2026-11):
#   https://developers.zenefits.com/docs/getting-started, /docs/people, /docs/employments,
#   /docs/departments, /docs/locations, /docs/pagination, /docs/includes, /docs/oauth
#   Field lists cross-checked with the people schema of Airbyte's source-zenefits
#   (airbytehq/airbyte airbyte-integrations/connectors/source-zenefits/.../schemas/people.json)
#   and the next_url shape in its unit tests.

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_LIMIT", "create_app"]

CREDENTIALS = ("access_token",)
"""The key of ``credentials``: the OAuth access token the app got for the company."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

_STATUS = {
    PersonStatus.ACTIVE: "active",
    PersonStatus.ON_LEAVE: "leave_of_absence",
    PersonStatus.TERMINATED: "terminated",
    PersonStatus.HIRED: "setup",
}

_MESSAGES = {
    400: "Bad Request",
    401: "Authentication credentials were not provided or are invalid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    429: "Request was throttled.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ZenefitsError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    body = {
        "status": status,
        "object": "/meta/response",
        "data": None,
        "error": {"message": message or _MESSAGES.get(status, "Error")},
    }
    return json.dumps(body).encode()


def _envelope(data: Any) -> Response:
    return _json({"status": 200, "object": "/meta/response", "data": data, "error": None})


def _employment_id(person: SyntheticPerson) -> str:
    return str(5_000_000 + person.serial)


# --- rendering ------------------------------------------------------------------------------


class _View:
    """Renders the company's objects with absolute URLs on the host the client called."""

    def __init__(self, company: SyntheticCompany, base: str, company_id: str) -> None:
        self.company = company
        self.base = base
        self.company_id = company_id
        self.people = {p.id: p for p in company.people()}

    def ref(self, kind: str, object_id: str | None, *, many: bool = False) -> dict[str, Any] | None:
        if object_id is None and not many:
            return None
        path = f"/core/{kind}/{object_id}" if object_id is not None else f"/core/{kind}"
        return {
            "object": "/meta/ref/list" if many else "/meta/ref/detail",
            "ref_object": f"/core/{kind}",
            "url": self.base + path,
        }

    def list_ref(self, kind: str, owner: str, owner_id: str) -> dict[str, Any]:
        return {
            "object": "/meta/ref/list",
            "ref_object": f"/core/{kind}",
            "url": f"{self.base}/core/{owner}/{owner_id}/{kind}",
        }

    def company_obj(self) -> dict[str, Any]:
        return {
            "object": "/core/companies",
            "id": self.company_id,
            "url": f"{self.base}/core/companies/{self.company_id}",
            "name": self.company.name,
            "legal_name": self.company.name,
            "departments": self.list_ref("departments", "companies", self.company_id),
            "locations": self.list_ref("locations", "companies", self.company_id),
            "people": self.list_ref("people", "companies", self.company_id),
        }

    def department(self, department_id: str) -> dict[str, Any]:
        dept = self.company.department(department_id)
        return {
            "object": "/core/departments",
            "id": dept.id,
            "url": f"{self.base}/core/departments/{dept.id}",
            "name": dept.name,
            "company": self.ref("companies", self.company_id),
            "people": self.list_ref("people", "departments", dept.id),
        }

    def location(self, site_id: str) -> dict[str, Any]:
        site = self.company.site(site_id)
        return {
            "object": "/core/locations",
            "id": site.id,
            "url": f"{self.base}/core/locations/{site.id}",
            "name": site.name,
            "street1": None,
            "street2": None,
            "city": site.city,
            "state": None,
            "zip": None,
            "country": site.country_code,
            "phone": None,
            "company": self.ref("companies", self.company_id),
            "people": self.list_ref("people", "locations", site.id),
        }

    def person(
        self, p: SyntheticPerson, includes: frozenset[str], leak: bool, depth: int = 0
    ) -> dict[str, Any]:
        manager = p.manager_id if p.manager_id in self.people else None
        out: dict[str, Any] = {
            "object": "/core/people",
            "id": p.id,
            "url": f"{self.base}/core/people/{p.id}",
            "first_name": p.first_name,
            "middle_name": None,
            "last_name": p.last_name,
            "preferred_name": None,
            "work_email": p.work_email,
            "work_phone": None,
            "employee_number": None if p.employee_number is None else str(p.employee_number),
            "status": _STATUS[p.status],
            "type": "employee",
            "title": None,
            "is_admin": False,
            "company": self.ref("companies", self.company_id),
            "department": self.ref("departments", p.department_id),
            "location": self.ref("locations", p.site_id),
            "manager": self.ref("people", manager),
            "subordinates": self.list_ref("subordinates", "people", p.id),
            "employments": self.list_ref("employments", "people", p.id),
            "banks": self.list_ref("banks", "people", p.id),
            "photo_url": None,
            "photo_thumbnail_url": None,
        }
        if depth == 0:
            if "company" in includes:
                out["company"] = self.company_obj()
            if "department" in includes:
                out["department"] = self.department(p.department_id)
            if "location" in includes:
                out["location"] = self.location(p.site_id)
            if "manager" in includes and manager is not None:
                out["manager"] = self.person(self.people[manager], includes, leak, depth + 1)
        if leak:
            home = p.home_address
            out.update(
                date_of_birth=p.date_of_birth.isoformat() if p.date_of_birth else None,
                gender=p.gender,
                personal_email=p.personal_email,
                personal_phone=p.personal_phone,
                street1=home.line1 if home else None,
                street2=None,
                city=home.city if home else None,
                postal_code=home.postcode if home else None,
                country=home.country_name if home else None,
                social_security_number=f"{int(p.id) % 899 + 100:03d}-45-{int(p.id) % 9000 + 1000}",
                federal_filing_status="single",
            )
        return out

    def employment(self, p: SyntheticPerson, leak: bool) -> dict[str, Any]:
        ended = p.termination_date is not None and p.status is PersonStatus.TERMINATED
        out: dict[str, Any] = {
            "object": "/core/employments",
            # One employment per person: its id is derived from the person's, stable and unique.
            "id": _employment_id(p),
            "url": f"{self.base}/core/employments/{_employment_id(p)}",
            "person": self.ref("people", p.id),
            "hire_date": p.start_date.isoformat(),
            "termination_date": p.termination_date.isoformat() if p.termination_date else None,
            "termination_type": "voluntary" if ended else None,
            "employment_type": "full_time",
            "employment_sub_type": None,
            "is_active": not ended,
        }
        if leak:
            out.update(
                amount_type="salary",
                annual_salary=str(p.salary),
                pay_rate=None,
                comp_type="salary",
            )
        return out


# --- paging ---------------------------------------------------------------------------------


class _Listed(NamedTuple):
    """A list's items, and where each id first stands in it (cursors are object ids)."""

    items: list[dict[str, Any]]
    positions: Mapping[Any, int]


def _listed(items: list[dict[str, Any]]) -> _Listed:
    positions: dict[Any, int] = {}
    for index, item in enumerate(items):
        positions.setdefault(item["id"], index)
    return _Listed(items, positions)


def _page(request: Request, items: list[dict[str, Any]] | _Listed, path: str) -> dict[str, Any]:
    items, positions = items if isinstance(items, _Listed) else _listed(items)
    params = request.query_params
    raw_limit = params.get("limit")
    try:
        limit = int(raw_limit) if raw_limit is not None else DEFAULT_LIMIT
    except ValueError:
        raise ZenefitsError(400, "limit must be an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ZenefitsError(400, f"limit must be between 1 and {MAX_LIMIT}")
    after, before = params.get("starting_after"), params.get("ending_before")
    start, end = 0, len(items)
    if after is not None:
        if after not in positions:
            raise ZenefitsError(400, "starting_after is not a valid object id")
        start = positions[after] + 1
    if before is not None:
        if before not in positions:
            raise ZenefitsError(400, "ending_before is not a valid object id")
        end = positions[before]
        start = max(start, end - limit)
    page = items[start : min(end, start + limit)]
    next_url = None
    if page and start + len(page) < end:
        keep = [
            (k, v)
            for k, v in params.multi_items()
            if k not in ("starting_after", "ending_before", "limit")
        ]
        keep += [("limit", str(limit)), ("starting_after", str(page[-1]["id"]))]
        next_url = f"{str(request.base_url).rstrip('/')}{path}?{urlencode(keep)}"
    return {"object": "/meta/list", "url": path, "next_url": next_url, "data": page}


def _includes(request: Request) -> frozenset[str]:
    raw = request.query_params.get("includes", "")
    return frozenset(part for part in raw.replace(",", " ").replace("+", " ").split() if part)


_PEOPLE_FILTERS: dict[str, Callable[[SyntheticPerson], str | None]] = {
    "status": lambda p: _STATUS[p.status],
    "department": lambda p: p.department_id,
    "location": lambda p: p.site_id,
    "manager": lambda p: p.manager_id,
    "first_name": lambda p: p.first_name,
    "last_name": lambda p: p.last_name,
    "work_email": lambda p: p.work_email,
}


# --- the app --------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Zenefits emulator over ``company``, accepting one access token (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    token = credentials["access_token"]
    company_id = str(100000 + company.seed % 900000)

    app = vendor_app(
        "TriNet Zenefits emulator (rostersync sandbox)", company, faults, error_body=_error_body
    )

    memo = CompanyMemo(company)

    def view_at(base: str) -> _View:
        return memo.get(("view", base), lambda: _View(company, base, company_id))

    def view(request: Request) -> _View:
        if not bearer_ok(request, token, exact=False):
            raise ZenefitsError(401)
        return view_at(str(request.base_url).rstrip("/"))

    def render_people(
        base: str, filters: tuple[tuple[str, str], ...], includes: frozenset[str], leak: bool
    ) -> _Listed:
        v = view_at(base)
        people = list(v.people.values())
        for name, wanted in filters:
            get = _PEOPLE_FILTERS[name]
            people = [p for p in people if (get(p) or "") == wanted]
        return _listed([v.person(p, includes, leak) for p in people])

    def people_list(request: Request, v: _View) -> _Listed:
        filters = tuple(
            (name, wanted)
            for name in _PEOPLE_FILTERS
            if (wanted := request.query_params.get(name)) is not None
        )
        query = (v.base, filters, _includes(request), faults.leak_sensitive_fields)
        return memo.get(("people", *query), lambda: render_people(*query))

    def employment_list(v: _View, leak: bool) -> _Listed:
        def render() -> _Listed:
            fresh = view_at(v.base)
            return _listed([fresh.employment(p, leak) for p in fresh.people.values()])

        return memo.get(("employments", v.base, leak), render)

    @app.get("/core/me")
    async def me(request: Request) -> Response:
        v = view(request)
        first = next(iter(v.people.values()))
        return _envelope(
            {
                "object": "/core/me",
                "uninstalled": False,
                "scopes": ["platform", "people", "employments", "departments", "locations"],
                "expires": None,
                "company": v.ref("companies", company_id),
                "person": v.ref("people", first.id),
            }
        )

    @app.get("/core/companies")
    async def companies(request: Request) -> Response:
        v = view(request)
        return _envelope(_page(request, [v.company_obj()], "/core/companies"))

    @app.get("/core/companies/{cid}")
    async def one_company(cid: str, request: Request) -> Response:
        v = view(request)
        if cid != company_id:
            raise ZenefitsError(404)
        return _envelope(v.company_obj())

    @app.get("/core/people")
    async def people(request: Request) -> Response:
        v = view(request)
        return _envelope(_page(request, people_list(request, v), "/core/people"))

    @app.get("/core/companies/{cid}/people")
    async def company_people(cid: str, request: Request) -> Response:
        v = view(request)
        if cid != company_id:
            raise ZenefitsError(404)
        return _envelope(_page(request, people_list(request, v), f"/core/companies/{cid}/people"))

    @app.get("/core/people/{pid}")
    async def one_person(pid: str, request: Request) -> Response:
        v = view(request)
        if pid not in v.people:
            raise ZenefitsError(404)
        return _envelope(v.person(v.people[pid], _includes(request), faults.leak_sensitive_fields))

    @app.get("/core/employments")
    async def employments(request: Request) -> Response:
        v = view(request)
        items = employment_list(v, faults.leak_sensitive_fields)
        return _envelope(_page(request, items, "/core/employments"))

    @app.get("/core/people/{pid}/employments")
    async def person_employments(pid: str, request: Request) -> Response:
        v = view(request)
        if pid not in v.people:
            raise ZenefitsError(404)
        items = [v.employment(v.people[pid], faults.leak_sensitive_fields)]
        return _envelope(_page(request, items, f"/core/people/{pid}/employments"))

    @app.get("/core/departments")
    async def departments(request: Request) -> Response:
        v = view(request)
        items = [v.department(d.id) for d in company.departments]
        return _envelope(_page(request, items, "/core/departments"))

    @app.get("/core/departments/{did}")
    async def one_department(did: str, request: Request) -> Response:
        v = view(request)
        try:
            return _envelope(v.department(did))
        except KeyError:
            raise ZenefitsError(404) from None

    @app.get("/core/locations")
    async def locations(request: Request) -> Response:
        v = view(request)
        items = [v.location(s.id) for s in company.sites]
        return _envelope(_page(request, items, "/core/locations"))

    @app.get("/core/locations/{lid}")
    async def one_location(lid: str, request: Request) -> Response:
        v = view(request)
        try:
            return _envelope(v.location(lid))
        except KeyError:
            raise ZenefitsError(404) from None

    return app
