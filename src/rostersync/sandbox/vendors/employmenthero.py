"""Employment Hero public API emulator, written from Employment Hero's API reference.

It serves, at the root (the real hosts are ``https://api.employmenthero.com`` for the API and
``https://oauth.employmenthero.com`` for tokens):

=====  ======================================================  ==================================
verb   path                                                    notes
=====  ======================================================  ==================================
GET    /oauth2/authorize                                       the consent page (PKCE S256)
POST   /oauth2/token                                           ``grant_type=authorization_code``
                                                               or ``refresh_token``
GET    /api/v1/organisations                                   the organisations the admin sees
GET    /api/v1/organisations/{organisation_id}/employees       paged; every status
GET    /api/v1/organisations/{organisation_id}/employees/{id}  one employee
GET    /api/v1/organisations/{organisation_id}/teams           teams ("Groups" in the UI)
GET    /api/v1/organisations/{organisation_id}/cost_centres    cost centres
GET    /api/v1/organisations/{organisation_id}/work_locations  work locations with country
=====  ======================================================  ==================================

Behaviour copied from the docs:

- OAuth 2.0 authorization code flow (https://developer.employmenthero.com/api-references/
  authentication): the authorize page redirects to ``redirect_uri`` with ``code`` and
  ``state``; PKCE is mandatory from 2026-09-14, so a request without an S256
  ``code_challenge`` is refused and the code is redeemed only with its ``code_verifier``
  (with ``client_id``, ``client_secret``, ``redirect_uri``); access tokens live 15 minutes,
  and a refresh
  (``client_id``, ``client_secret``, ``grant_type=refresh_token``, ``refresh_token``, sent as
  query parameters or a form) answers a new access token and the refresh token [guess: the docs
  do not say whether refresh tokens rotate; this one keeps its refresh token]. API calls take
  ``Authorization: Bearer <access token>``.
- Lists answer ``{"data": {"items": [...], "item_per_page": n, "page_index": n,
  "total_items": n, "total_pages": n}}``; paging with ``page_index`` (from 1) and
  ``item_per_page`` (default 20, maximum 100 [guess: the docs give no maximum; 100 is what public
  clients use]).
- Employee ids are UUIDs; ``teams``, ``primary_cost_centre``, ``primary_manager`` are
  ``{"id", "name"}``; dates are ``YYYY-MM-DD``; ``status`` is ``active``, ``pending`` (hired, not
  started) or ``terminated`` [guess: the docs name the field, not its values]. Employment Hero
  has no leave status on employees: people on leave are ``active``.
- ``account_email`` is the sign-in address, which is the personal one for people without a
  company email; ``company_email`` (and ``email``) is the work address.
- Department and team are both Employment Hero teams (its only grouping of people); each
  department is also a cost centre (the usual set-up), with its own id.
- The employee payload documents personal fields (personal email, mobile, date of birth, gender,
  marital status, residential address), so they are always present; pay and bank details are
  separate endpoints, so salary and bank account appear only with
  ``faults.leak_sensitive_fields``.
- Errors: ``{"error": {"code": n, "message": ...}}`` [guess: the shape is not documented].
- An admin may see several organisations (``organisations=``, each its own company): a consent
  covers every one of them [guess: the docs list organisations for the token, and say nothing
  of choosing one at consent], and the organisation paths serve each its own people.

Control endpoints (not Employment Hero's) live under ``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   https://developer.employmenthero.com/api-references (Introduction, Authentication,
#   OAuth 2.0 refresh, Pagination, Get Organisations, Get Employees, Get Employee, Get Teams,
#   Get Cost Centres, Get Work Locations)
#   Field names cross-checked with public client code (an Employment Hero Lakeflow connector's
#   EMPLOYEES_SCHEMA, TEAMS_SCHEMA, WORK_LOCATIONS_SCHEMA; a Go client's Employee struct).

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import (
    PersonStatus,
    SyntheticCompany,
    SyntheticPerson,
)
from rostersync.sandbox.consent import ConsentRefused, Consents
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_token, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_ITEMS_PER_PAGE", "create_app"]

CREDENTIALS = ("client_id", "client_secret", "refresh_token", "organisation_id")
"""The OAuth app's client id and secret, the refresh token from the consent, and the UUID of
the organisation the emulated company is."""

DEFAULT_ITEMS_PER_PAGE = 20
MAX_ITEMS_PER_PAGE = 100
ACCESS_TOKEN_SECONDS = 900

_NAMESPACE = uuid.UUID("6f1c1a52-3d4e-4f7a-9b0c-2e8d5a7c4b10")

_STATUS = {
    PersonStatus.ACTIVE: "active",
    PersonStatus.ON_LEAVE: "active",
    PersonStatus.TERMINATED: "terminated",
    PersonStatus.HIRED: "pending",
}

_MESSAGES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "You are not authorized to perform this action",
    404: "Not found",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


def _uuid(kind: str, value: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{value}"))


class EHError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    body = {"error": {"code": status, "message": message or _MESSAGES.get(status, "Error")}}
    return json.dumps(body).encode()


def _page(request: Request, items: list[dict[str, Any]]) -> Response:
    params = request.query_params
    try:
        page_index = int(params.get("page_index", "1"))
        per_page = int(params.get("item_per_page", str(DEFAULT_ITEMS_PER_PAGE)))
    except ValueError:
        raise EHError(400, "page_index and item_per_page must be integers") from None
    if page_index < 1 or not 1 <= per_page <= MAX_ITEMS_PER_PAGE:
        raise EHError(
            400, f"page_index must be >= 1 and item_per_page between 1 and {MAX_ITEMS_PER_PAGE}"
        )
    total = len(items)
    start = (page_index - 1) * per_page
    return _json(
        {
            "data": {
                "items": items[start : start + per_page],
                "item_per_page": per_page,
                "page_index": page_index,
                "total_items": total,
                "total_pages": max(1, -(-total // per_page)),
            }
        }
    )


# --- rendering ------------------------------------------------------------------------------


class _Org:
    """The company in Employment Hero's shapes, for one company version."""

    def __init__(self, company: SyntheticCompany) -> None:
        self.company = company
        self.people = {p.id: p for p in company.people()}

    def team_ref(self, kind: str, object_id: str, name: str) -> dict[str, str]:
        return {"id": _uuid(kind, object_id), "name": name}

    def teams(self) -> list[dict[str, Any]]:
        out = [
            {
                **self.team_ref("department", d.id, d.name),
                "status": "archived" if d.archived else "active",
            }
            for d in self.company.departments
        ]
        out += [
            {**self.team_ref("team", t.id, t.name), "status": "active"} for t in self.company.teams
        ]
        return out

    def cost_centres(self) -> list[dict[str, Any]]:
        return [self.team_ref("cost_centre", d.id, d.name) for d in self.company.departments]

    def work_locations(self) -> list[dict[str, Any]]:
        return [
            {**self.team_ref("work_location", s.id, s.name), "country": s.country_code}
            for s in self.company.sites
        ]

    def employee(self, p: SyntheticPerson, leak: bool) -> dict[str, Any]:
        dept = self.company.department(p.department_id)
        site = self.company.site(p.site_id)
        teams = [self.team_ref("department", dept.id, dept.name)]
        if p.team_id:
            team = self.company.team(p.team_id)
            teams.append(self.team_ref("team", team.id, team.name))
        manager = self.people.get(p.manager_id) if p.manager_id else None
        home = p.home_address
        out: dict[str, Any] = {
            "id": _uuid("employee", p.id),
            "account_email": p.work_email or p.personal_email,
            "email": p.work_email,
            "title": None,
            "role": "employee",
            "first_name": p.first_name,
            "last_name": p.last_name,
            "middle_name": None,
            "known_as": None,
            "full_name": p.display_name,
            "legal_name": p.display_name,
            "avatar_url": None,
            "company_email": p.work_email,
            "company_mobile": None,
            "company_landline": None,
            "job_title": None,
            "code": None if p.employee_number is None else str(p.employee_number),
            "location": site.name,
            "work_country": site.country_code,
            "employing_entity": f"{self.company.name} ({site.country_code})",
            "start_date": p.start_date.isoformat(),
            "termination_date": p.termination_date.isoformat() if p.termination_date else None,
            "status": _STATUS[p.status],
            "employment_type": "Full-time",
            "external_id": None,
            "teams": teams,
            "primary_cost_centre": self.team_ref("cost_centre", dept.id, dept.name),
            "secondary_cost_centres": [],
            "primary_manager": (
                {"id": _uuid("employee", manager.id), "name": manager.display_name}
                if manager
                else None
            ),
            "secondary_manager": None,
            # Documented personal fields of the employee payload.
            "personal_email": p.personal_email,
            "personal_mobile_number": p.personal_phone,
            "home_phone": None,
            "date_of_birth": p.date_of_birth.isoformat() if p.date_of_birth else None,
            "gender": p.gender,
            "marital_status": None,
            "country": home.country_name if home else None,
            "residential_address": (
                {
                    "address_type": "residential",
                    "line_1": home.line1,
                    "city": home.city,
                    "postcode": home.postcode,
                    "country": home.country_name,
                }
                if home
                else None
            ),
        }
        if leak:
            out.update(
                salary=p.salary,
                salary_currency=p.salary_currency,
                bank_account_number=p.bank_account,
                ethnicity=p.ethnicity,
                leave_balance=p.time_off_balance,
                performance_note=p.performance_note,
            )
        return out


# --- tokens ---------------------------------------------------------------------------------


class _Tokens:
    """Issued access tokens and the app's refresh token."""

    def __init__(self, refresh_token: str) -> None:
        self._lock = threading.Lock()
        self._refresh = refresh_token
        self._access: set[str] = set()

    def refresh(self, supplied: str) -> dict[str, Any]:
        if not secrets.compare_digest(supplied.encode(), self._refresh.encode()):
            raise EHError(400, "invalid_grant")
        return self.issue()

    def issue(self) -> dict[str, Any]:
        """An access token, with the app's refresh token (a consent's code, or a refresh)."""
        with self._lock:
            access = "eh_at_" + secrets.token_urlsafe(24)
            self._access.add(access)
            return {
                "access_token": access,
                "refresh_token": self._refresh,
                "token_type": "bearer",
                "expires_in": ACCESS_TOKEN_SECONDS,
                "scope": "urn:mainapp:organisations:read urn:mainapp:employees:read "
                "urn:mainapp:teams:read",
            }

    def valid(self, access: str) -> bool:
        with self._lock:
            return access in self._access


def _token_error(status: int, error: str) -> Response:
    return _json({"error": error}, status)


# --- the app --------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    organisations: Mapping[str, SyntheticCompany] | None = None,
) -> FastAPI:
    """An Employment Hero emulator over ``company`` for one OAuth app (see CREDENTIALS).
    ``organisations``: more organisations the same admin sees, by id, listed after
    ``company``'s (named by their company's name)."""
    faults = faults if faults is not None else Faults()
    client_id = credentials["client_id"]
    client_secret = credentials["client_secret"]
    tokens = _Tokens(credentials["refresh_token"])
    memos = {
        oid: CompanyMemo(seen)
        for oid, seen in {credentials["organisation_id"]: company, **(organisations or {})}.items()
    }

    app = vendor_app(
        "Employment Hero emulator (rostersync sandbox)", company, faults, error_body=_error_body
    )

    consents = Consents("Employment Hero", client_id=client_id, require_pkce=True)
    consents.mount(app, "/oauth2/authorize")

    @app.post("/oauth2/token")
    async def token(request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        values = {**form, **dict(request.query_params)}
        grant = values.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            return _token_error(400, "unsupported_grant_type")
        if values.get("client_id") != client_id or not secrets.compare_digest(
            values.get("client_secret", "").encode(), client_secret.encode()
        ):
            return _token_error(401, "invalid_client")
        if grant == "authorization_code":
            try:
                consents.redeem(values)
            except ConsentRefused as refused:
                return _token_error(400, refused.error)
            return _json(tokens.issue())
        try:
            return _json(tokens.refresh(values.get("refresh_token", "")))
        except EHError:
            return _token_error(400, "invalid_grant")

    def authorised(request: Request) -> None:
        supplied = bearer_token(request)
        if supplied is None or not tokens.valid(supplied):
            raise EHError(401)

    def current(organisation: str) -> _Org:
        memo = memos[organisation]
        return memo.get(("org",), lambda: _Org(memo.company))

    def org(request: Request, organisation: str) -> _Org:
        authorised(request)
        if organisation not in memos:
            raise EHError(404, "Organisation not found")
        return current(organisation)

    def rendered(request: Request, organisation: str, leak: bool) -> list[dict[str, Any]]:
        org(request, organisation)

        def render() -> list[dict[str, Any]]:
            o = current(organisation)
            return [o.employee(p, leak) for p in o.people.values()]

        return memos[organisation].get(("employees", leak), render)

    @app.get("/api/v1/organisations")
    async def organisations_list(request: Request) -> Response:
        authorised(request)
        items = [
            {"id": oid, "name": memo.company.name, "phone": None, "country": "AU"}
            for oid, memo in memos.items()
        ]
        return _page(request, items)

    @app.get("/api/v1/organisations/{organisation}/employees")
    async def employees(organisation: str, request: Request) -> Response:
        return _page(request, rendered(request, organisation, faults.leak_sensitive_fields))

    @app.get("/api/v1/organisations/{organisation}/employees/{employee_id}")
    async def employee(organisation: str, employee_id: str, request: Request) -> Response:
        o = org(request, organisation)
        for person in o.people.values():
            if _uuid("employee", person.id) == employee_id:
                return _json({"data": o.employee(person, faults.leak_sensitive_fields)})
        raise EHError(404, "Employee not found")

    @app.get("/api/v1/organisations/{organisation}/teams")
    async def teams(organisation: str, request: Request) -> Response:
        return _page(request, org(request, organisation).teams())

    @app.get("/api/v1/organisations/{organisation}/cost_centres")
    async def cost_centres(organisation: str, request: Request) -> Response:
        return _page(request, org(request, organisation).cost_centres())

    @app.get("/api/v1/organisations/{organisation}/work_locations")
    async def work_locations(organisation: str, request: Request) -> Response:
        return _page(request, org(request, organisation).work_locations())

    return app
