"""CharlieHR API emulator, written from CharlieHR's public API documentation.

It serves, at the root (the real base URL is ``https://charliehr.com/api/v1``):

=====  ============================  ===================================================
verb   path                          notes
=====  ============================  ===================================================
GET    /api/v1/team_members          every team member, leavers included; paged
GET    /api/v1/team_members/{id}     one team member
GET    /api/v1/teams                 ``id``, ``name``, ``team_members`` (their ids)
GET    /api/v1/teams/{id}            one team
GET    /api/v1/offices               ``id``, ``name``, ``head``, ``address``, ``timezone``,
                                     ``phone_number``, ``email``
GET    /api/v1/offices/{id}          one office
GET    /api/v1/company               ``id``, ``name``, ``subdomain``, ``logo``
POST   /oauth/token                  client credentials grant (see below)
=====  ============================  ===================================================

Behaviour copied from the docs:

- Auth: ``Authorization: Token token=<client_id>:<client_secret>`` with the keys an admin
  generates under Company > Integrations > API keys. A community OpenAPI description also
  describes an OAuth2 client-credentials exchange at ``/oauth/token``; it is served too and its
  bearer tokens are accepted. Anything else answers 401.
- Every answer is an envelope ``{"success": true, "message": ..., "data": ...}``; lists add
  ``meta``. Lists page with ``page`` and ``per_page`` (1 to 25, default 25); ``meta.next_url``
  holds the next page's query string (``?page=2&per_page=25``) or null, which is how public
  clients walk the pages.
- Team members: string ids, ``first_name``, ``last_name``, ``display_name``, ``email`` (work),
  ``job_title``, ``start_date`` (``YYYY-MM-DD``), ``employment_status``, ``office`` (office id),
  ``manager`` (team member id), ``teams`` (team ids), and the personal fields an admin key sees
  (``date_of_birth``, ``gender``, ``personal_email``, ``phone_number``, home ``address``).
- Each department and each team of the company is a CharlieHR team (CharlieHR has one kind).

Guesses, marked ``[guess]``: the ``meta`` keys besides ``next_url``; the end-of-employment key
(``end_date``, as the community OpenAPI names it) and the ``employment_status`` labels
(``onboarding``, ``employed``, ``leaving``, ``left``); error bodies (``{"success": false,
"message": ...}``); the team key ``team_members``; office ``address`` fields (country as the
English name). CharlieHR has no "on leave" state (leave is a request), so people on leave are
``employed``. ``faults.leak_sensitive_fields`` adds salary and bank details, which the real
team member endpoint never returns.

Sources (stored copies, read 2026-11): https://www.charliehr.com/api_docs/ (as summarised by
public client documentation: getknit.dev's CharlieHR API guides, the charliehr-client PyPI
package's client, the usefulapi CharlieHR MCP tool descriptions, and the
api-evangelist/charliehr OpenAPI description); https://help.charliehr.com (API keys).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, int_param, json_response, vendor_app

__all__ = ["CREDENTIALS", "MAX_PER_PAGE", "create_app"]

CREDENTIALS = ("client_id", "client_secret")
"""The Client ID and Client Secret from Company > Integrations > API keys."""

MAX_PER_PAGE = 25
_NAMESPACE = uuid.UUID("6f1c3c2e-8d0a-4d4b-9f57-2a0c6c1e7a11")

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized: invalid API credentials",
    403: "Forbidden",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class CharlieError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    text = message or _MESSAGES.get(status, "Error")
    return json.dumps({"success": False, "message": text}).encode()


_json = partial(json_response, compact=False)


def _charlie_id(kind: str, neutral_id: str) -> str:
    # CharlieHR ids are opaque strings; derive stable ones so reads agree with each other.
    return uuid.uuid5(_NAMESPACE, f"{kind}:{neutral_id}").hex[:24]


def _employment_status(person: SyntheticPerson, company: SyntheticCompany) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "left"
    if person.status is PersonStatus.HIRED:
        return "onboarding"
    if person.termination_date is not None and person.termination_date >= company.today:
        return "leaving"
    return "employed"


class _View:
    """The company in CharlieHR's shapes, for one company version."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.people = company.people()
        self.leak = leak
        # One CharlieHR team per department (archived ones only hold old leavers) and per team.
        self.teams: list[tuple[str, str, set[str]]] = []
        for department in company.departments:
            members = {p.id for p in self.people if p.department_id == department.id}
            if not department.archived:
                self.teams.append((_charlie_id("team", department.id), department.name, members))
        for team in company.teams:
            members = {p.id for p in self.people if p.team_id == team.id}
            self.teams.append((_charlie_id("team", team.id), team.name, members))

    def member(self, person: SyntheticPerson) -> dict[str, Any]:
        department = self.company.department(person.department_id)
        address = person.home_address
        teams = [team_id for team_id, _name, members in self.teams if person.id in members]
        out: dict[str, Any] = {
            "id": _charlie_id("team_member", person.id),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "display_name": person.display_name,
            "email": person.work_email,
            "personal_email": person.personal_email,
            "phone_number": person.personal_phone,
            "job_title": f"{department.name} specialist",
            "start_date": person.start_date.isoformat(),
            "end_date": person.termination_date.isoformat() if person.termination_date else None,
            "employment_status": _employment_status(person, self.company),
            "office": _charlie_id("office", person.site_id),
            "manager": _charlie_id("team_member", person.manager_id) if person.manager_id else None,
            "teams": teams,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "gender": person.gender,
            "address": (
                {
                    "line_1": address.line1,
                    "city": address.city,
                    "postcode": address.postcode,
                    "country": address.country_name,
                }
                if address
                else None
            ),
            "profile_picture": None,
        }
        if self.leak:
            out.update(
                salary=person.salary,
                salary_currency=person.salary_currency,
                bank_account=person.bank_account,
                ethnicity=person.ethnicity,
                performance_note=person.performance_note,
                leave_balance=person.time_off_balance,
            )
        return out

    def members(self) -> list[dict[str, Any]]:
        return [self.member(p) for p in self.people]

    def team_list(self) -> list[dict[str, Any]]:
        return [
            {
                "id": team_id,
                "name": name,
                "team_members": [_charlie_id("team_member", m) for m in sorted(members)],
            }
            for team_id, name, members in self.teams
        ]

    def offices(self) -> list[dict[str, Any]]:
        return [
            {
                "id": _charlie_id("office", site.id),
                "name": site.name,
                "head": index == 0,
                "address": {"city": site.city, "country": site.country_name},
                "timezone": None,
                "phone_number": None,
                "email": None,
            }
            for index, site in enumerate(self.company.sites)
        ]


def _number(raw: str | None, default: int, name: str) -> int:
    not_int = "{name} must be a number"
    return int_param(raw, default, CharlieError, name=name, blank_is_missing=True, not_int=not_int)


def _listed(request: Request, items: list[dict[str, Any]], what: str) -> Response:
    page = _number(request.query_params.get("page"), 1, "page")
    per_page = min(MAX_PER_PAGE, _number(request.query_params.get("per_page"), 25, "per_page"))
    total_pages = max(1, -(-len(items) // per_page))

    def url(number: int) -> str:
        return "?" + urlencode({"page": number, "per_page": per_page})

    return _json(
        {
            "success": True,
            "message": f"Successfully found {what}",
            "data": items[(page - 1) * per_page : page * per_page],
            "meta": {
                "current_page": page,
                "per_page": per_page,
                "total_pages": total_pages,
                "total_count": len(items),
                "next_url": url(page + 1) if page < total_pages else None,
                "previous_url": url(page - 1) if page > 1 else None,
            },
        }
    )


def _one(items: list[dict[str, Any]], item_id: str, what: str) -> Response:
    for item in items:
        if item["id"] == item_id:
            return _json({"success": True, "message": f"Successfully found {what}", "data": item})
    raise CharlieError(404, f"Could not find {what}")


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A CharlieHR emulator over ``company`` accepting one key pair (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    client_id, client_secret = credentials["client_id"], credentials["client_secret"]
    expected = f"{client_id}:{client_secret}".encode()
    issued: set[str] = set()

    app = vendor_app(
        "CharlieHR emulator", company, faults, error_body=_error_body, compact_json=False
    )

    def authenticate(request: Request) -> None:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        value = value.strip()
        if scheme.lower() == "token" and value.startswith("token="):
            if secrets.compare_digest(value.removeprefix("token=").encode(), expected):
                return
        elif scheme.lower() == "bearer" and value in issued:
            return
        raise CharlieError(401)

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return _json({"error": "unsupported_grant_type"}, 400)
        supplied = f"{form.get('client_id', '')}:{form.get('client_secret', '')}".encode()
        if not secrets.compare_digest(supplied, expected):
            return _json({"error": "invalid_client"}, 401)
        access_token = secrets.token_urlsafe(24)
        issued.add(access_token)
        return _json({"access_token": access_token, "token_type": "Bearer", "expires_in": 7200})

    api = APIRouter(prefix="/api/v1", dependencies=[Depends(authenticate)])

    memo = CompanyMemo(company)

    def view_of(leak: bool) -> _View:
        return memo.get(("view", leak), lambda: _View(company, leak=leak))

    def view() -> _View:
        return view_of(faults.leak_sensitive_fields)

    def rendered(kind: str, render: Callable[[_View], list[dict[str, Any]]]) -> list[Any]:
        """``render(view)`` as of now; shared by every page until the company changes."""
        leak = faults.leak_sensitive_fields
        return memo.get((kind, leak), lambda: render(view_of(leak)))

    @api.get("/team_members")
    async def list_members(request: Request) -> Response:
        return _listed(request, rendered("members", _View.members), "team members")

    @api.get("/team_members/{member_id}")
    async def get_member(member_id: str) -> Response:
        return _one(rendered("members", _View.members), member_id, "team member")

    @api.get("/teams")
    async def list_teams(request: Request) -> Response:
        return _listed(request, view().team_list(), "teams")

    @api.get("/teams/{team_id}")
    async def get_team(team_id: str) -> Response:
        return _one(view().team_list(), team_id, "team")

    @api.get("/offices")
    async def list_offices(request: Request) -> Response:
        return _listed(request, view().offices(), "offices")

    @api.get("/offices/{office_id}")
    async def get_office(office_id: str) -> Response:
        return _one(view().offices(), office_id, "office")

    @api.get("/company")
    async def get_company() -> Response:
        data = {
            "id": _charlie_id("company", str(company.seed)),
            "name": company.name,
            "subdomain": company.domain.split(".")[0],
            "logo": None,
        }
        return _json({"success": True, "message": "Successfully found company", "data": data})

    app.include_router(api)
    return app
