"""Humaans API emulator, written from Humaans' public documentation.

It serves, at the root (the real base URL is ``https://app.humaans.io``):

=====  =====================  ==========================================================
verb   path                   notes
=====  =====================  ==========================================================
GET    /api/me                the token's own person
GET    /api/people            every person: active, ``newHire`` and ``offboarded``
GET    /api/people/{id}       one person
GET    /api/job-roles         one current job role per person (``jobTitle``,
                              ``department`` name, ``reportingTo`` person id)
GET    /api/locations         the company's work locations with ``countryCode``
=====  =====================  ==========================================================

Behaviour copied from the docs:

- Auth: ``Authorization: Bearer <access token>``; anything else answers 401.
- Lists page with ``$limit`` (default 100, at most 250) and ``$skip`` and answer
  ``{"total", "limit", "skip", "data"}`` (the Feathers.js envelope Humaans uses). Plain
  ``field=value`` query parameters filter on equality (``status``, ``personId``, ``email``...).
- A person's ``status`` is ``active``, ``newHire`` (start date ahead) or ``offboarded``;
  ``employmentStartDate``/``firstWorkingDay``, ``employmentEndDate``/``lastWorkingDay`` are
  ``YYYY-MM-DD``; ids are 24-character alphanumeric strings. Leave is time away, not a status,
  so people on leave are ``active``. Teams are ``[{"name": ...}]`` on the person; the
  department and manager live on the job role.
- A person also carries what a ``private:read`` token sees: personal email and phone, birthday,
  gender, home address, tax id. ``faults.leak_sensitive_fields`` adds bank details and
  compensation besides.

Guesses, marked ``[guess]``: error bodies use Feathers' shape (``name``, ``message``, ``code``,
``className``); the 250 cap on ``$limit``; location field names beyond ``countryCode``.

Sources (read 2026-11): https://docs.humaans.io/api/ (authentication, scopes, people, job
roles, locations); request/response examples in the tests of the public Elixir client
github.com/sgerrand/ex_humaans (people list envelope, person fields, job role ``department`` and
``reportingTo``, ``$limit``/``$skip`` paging).
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, bearer_ok, int_param, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_LIMIT", "create_app"]

CREDENTIALS = ("access_token",)
"""The API access token a Humaans admin creates under API access tokens."""

DEFAULT_LIMIT = 100
MAX_LIMIT = 250  # [guess] the documented ceiling is not in the stored copy of the docs

_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("BadRequest", "bad-request", "Invalid query"),
    401: ("NotAuthenticated", "not-authenticated", "Not authenticated"),
    403: ("Forbidden", "forbidden", "You do not have the required scope"),
    404: ("NotFound", "not-found", "Not found"),
    405: ("MethodNotAllowed", "method-not-allowed", "Method not allowed"),
    429: ("TooManyRequests", "too-many-requests", "Too many requests"),
    500: ("GeneralError", "general-error", "Internal server error"),
    502: ("BadGateway", "bad-gateway", "Bad gateway"),
    503: ("Unavailable", "unavailable", "Service unavailable"),
    504: ("GatewayTimeout", "gateway-timeout", "Gateway timeout"),
}


class HumaansError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    name, class_name, text = _ERRORS.get(status, ("GeneralError", "general-error", "Error"))
    body = {"name": name, "message": message or text, "code": status, "className": class_name}
    return json.dumps(body).encode()


_ALPHABET = string.ascii_letters + string.digits


def humaans_id(kind: str, key: str) -> str:
    """A stable 24-character id like Humaans' own (``VMB1yzL5uL8VvNNCJc9rykJz``)."""
    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:24])


def _status(person: SyntheticPerson) -> str:
    if person.status is PersonStatus.TERMINATED:
        return "offboarded"
    if person.status is PersonStatus.HIRED:
        return "newHire"
    return "active"  # on leave is time away in Humaans, not a status


class _Renderer:
    """Renders the company in Humaans' shapes; built once per company version."""

    def __init__(self, company: SyntheticCompany, *, leak: bool) -> None:
        self.company = company
        self.company_id = humaans_id("company", str(company.seed))
        self.leak = leak
        self.people = company.people()

    def person_id(self, person_id: str) -> str:
        return humaans_id("person", person_id)

    def location_id(self, site_id: str) -> str:
        return humaans_id("location", site_id)

    def stamp(self, person: SyntheticPerson) -> str:
        return person.created_at.strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"

    def person(self, person: SyntheticPerson) -> dict[str, Any]:
        home = person.home_address
        end = person.termination_date.isoformat() if person.termination_date else None
        teams = []
        if person.team_id:
            teams.append({"name": self.company.team(person.team_id).name})
        out: dict[str, Any] = {
            "id": self.person_id(person.id),
            "companyId": self.company_id,
            "firstName": person.first_name,
            "middleName": None,
            "lastName": person.last_name,
            "preferredName": None,
            "email": person.work_email,
            "locationId": self.location_id(person.site_id),
            "remoteCity": None,
            "remoteRegionCode": None,
            "remoteCountryCode": None,
            "personalEmail": person.personal_email or None,
            "phoneNumber": None,
            "personalPhoneNumber": person.personal_phone or None,
            "gender": person.gender.capitalize() if person.gender else None,
            "birthday": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "address": home.line1 if home else None,
            "city": home.city if home else None,
            "state": None,
            "postcode": home.postcode if home else None,
            "countryCode": self.company.site(person.site_id).country_code,
            "country": home.country_name if home else None,
            "employmentStartDate": person.start_date.isoformat(),
            "firstWorkingDay": person.start_date.isoformat(),
            "employmentEndDate": end,
            "lastWorkingDay": end,
            "probationEndDate": None,
            "leavingReason": "resigned" if person.status is PersonStatus.TERMINATED else None,
            "contractType": "Full time",
            "employeeId": None if person.employee_number is None else str(person.employee_number),
            "taxId": None,
            "teams": teams,
            "status": _status(person),
            "isVerified": True,
            "role": "user",
            "createdAt": self.stamp(person),
            "updatedAt": self.stamp(person),
        }
        if self.leak:
            out |= {
                "bankAccount": {"iban": person.bank_account, "bankName": "Example Bank"},
                "compensation": {"amount": str(person.salary), "currency": person.salary_currency},
                "ethnicity": person.ethnicity,
                "timeAwayBalance": person.time_off_balance,
                "performanceNote": person.performance_note,
            }
        return out

    def job_role(self, person: SyntheticPerson) -> dict[str, Any]:
        manager = self.person_id(person.manager_id) if person.manager_id else None
        return {
            "id": humaans_id("job-role", person.id),
            "companyId": self.company_id,
            "personId": self.person_id(person.id),
            "jobTitle": "Team member",
            "department": self.company.department(person.department_id).name,
            "reportingTo": manager,
            "effectiveDate": person.start_date.isoformat(),
            "endDate": person.termination_date.isoformat() if person.termination_date else None,
            "createdAt": self.stamp(person),
            "updatedAt": self.stamp(person),
        }

    def location(self, site: Site) -> dict[str, Any]:
        return {
            "id": self.location_id(site.id),
            "companyId": self.company_id,
            "label": site.name,  # [guess] field name
            "address": None,
            "city": site.city,
            "state": None,
            "postcode": None,
            "countryCode": site.country_code,
            "createdAt": "2020-01-01T00:00:00.000Z",
            "updatedAt": "2020-01-01T00:00:00.000Z",
        }


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    too_small = "{name} must not be negative"
    return int_param(raw, default, HumaansError, name=name, minimum=0, too_small=too_small)


Rows = list[dict[str, Any]]


def _filters(request: Request) -> tuple[tuple[str, str], ...]:
    """The `field=value` equality filters, after refusing unsupported `$` operators."""
    found = []
    for key, value in request.query_params.items():
        if key.startswith("$"):
            if key not in ("$limit", "$skip"):
                raise HumaansError(400, f"Unsupported query operator {key}")
            continue
        found.append((key, value))
    return tuple(found)


def _matching(items: Rows, filters: tuple[tuple[str, str], ...]) -> Rows:
    for key, value in filters:
        items = [i for i in items if str(i.get(key)) == value]
    return items


def _page(request: Request, items: Rows) -> dict[str, Any]:
    """Feathers paging: `$limit`/`$skip` over ``items``, already filtered."""
    limit = min(_int_param(request, "$limit", DEFAULT_LIMIT), MAX_LIMIT)
    skip = _int_param(request, "$skip", 0)
    return {"total": len(items), "limit": limit, "skip": skip, "data": items[skip : skip + limit]}


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Humaans emulator over ``company`` accepting one access token (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    app = vendor_app(
        "Humaans emulator (rostersync sandbox)", company, faults, error_body=_error_body
    )

    memo = CompanyMemo(company)

    def view(leak: bool) -> _Renderer:
        return memo.get(("renderer", leak), lambda: _Renderer(company, leak=leak))

    def renderer(request: Request) -> _Renderer:
        if not bearer_ok(request, credentials["access_token"]):
            raise HumaansError(401)
        return view(faults.leak_sensitive_fields)

    def listing(kind: str, build: Callable[[_Renderer], Rows]) -> Any:
        def rows(leak: bool) -> Rows:
            return memo.get((kind, leak), lambda: build(view(leak)))

        async def handler(request: Request) -> Response:
            leak = renderer(request).leak
            filters = _filters(request)
            items = memo.get((kind, leak, filters), lambda: _matching(rows(leak), filters))
            return _json(_page(request, items))

        return handler

    app.add_api_route(
        "/api/people", listing("people", lambda r: [r.person(p) for p in r.people]), methods=["GET"]
    )
    app.add_api_route(
        "/api/job-roles",
        listing("job-roles", lambda r: [r.job_role(p) for p in r.people]),
        methods=["GET"],
    )
    app.add_api_route(
        "/api/locations",
        listing("locations", lambda r: [r.location(s) for s in company.sites]),
        methods=["GET"],
    )

    @app.get("/api/people/{person_id}")
    async def one_person(person_id: str, request: Request) -> Response:
        r = renderer(request)
        for person in r.people:
            if r.person_id(person.id) == person_id:
                return _json(r.person(person))
        raise HumaansError(404, f"No record found for id '{person_id}'")

    @app.get("/api/me")
    async def me(request: Request) -> Response:
        r = renderer(request)
        return _json(r.person(r.people[0]))

    return app
