"""Gusto API emulator, written from Gusto's public documentation.

Served at the root (the real base URLs are ``https://api.gusto.com`` and, for demo
companies, ``https://api.gusto-demo.com``):

=====  ==============================================  =========================================
verb   path                                            notes
=====  ==============================================  =========================================
GET    /oauth/authorize                                the consent page: ``client_id``,
                                                       ``redirect_uri``, ``response_type=code``,
                                                       ``state``; Allow / Deny redirect back
POST   /oauth/token                                    ``grant_type=authorization_code`` with
                                                       ``client_id``, ``client_secret``,
                                                       ``code``, ``redirect_uri``; or
                                                       ``grant_type=refresh_token`` with
                                                       ``client_id``, ``client_secret``,
                                                       ``refresh_token`` (form or JSON)
GET    /v1/token_info                                  the company the token belongs to
GET    /v1/companies/{company_uuid}/employees          ``page``, ``per`` (default 25, at most
                                                       100), ``terminated``, ``include``
GET    /v1/employees/{employee_uuid}                   one employee
GET    /v1/employees/{employee_uuid}/work_addresses    the employee's work addresses
GET    /v1/companies/{company_uuid}/contractors        contractors, ``page`` / ``per``,
                                                       ``terminated``, ``terminated_today``,
                                                       ``onboarded``, ``onboarded_active``
GET    /v1/contractors/{contractor_uuid}               one contractor
GET    /v1/companies/{company_uuid}/locations          company locations, ``page`` / ``per``
GET    /v1/companies/{company_uuid}/departments        departments with their employees
=====  ==============================================  =========================================

Behaviour copied from the docs:

- OAuth2 (https://docs.gusto.com/app-integrations/docs/oauth2): a company admin allows the app
  on the authorize page, which redirects to ``redirect_uri`` with ``code`` and ``state``; the
  code, with the app's id and secret and the same ``redirect_uri``, buys the first access and
  refresh tokens (no PKCE: Gusto documents none). The stored refresh token buys a two-hour
  access token (``expires_in`` 7200) and a new refresh token each time (rotation). API calls
  need ``Authorization: Bearer <access token>``; anything else answers 401. A token only sees
  its own company (403 otherwise).
- Lists are bare JSON arrays; with ``page`` / ``per`` the response carries ``X-Page``,
  ``X-Per-Page``, ``X-Total-Pages`` and ``X-Total-Count``. Without ``terminated`` both current
  and terminated employees are listed; ``terminated=true|false`` filters.
- Employees: ``uuid``, ``first_name``, ``last_name``, ``preferred_first_name``, ``email`` (the
  employee's personal email: Gusto invites people there), ``work_email``, ``manager_uuid``,
  ``department`` (title) and ``department_uuid``, ``terminated``, ``onboarded``,
  ``onboarding_status``, ``jobs`` (``hire_date``, ``title``, ``compensations``),
  ``terminations`` (``effective_date``, ``active``), ``date_of_birth``,
  ``phone``, ``has_ssn``, ``ssn`` (always ""), ``current_employment_status``. Gusto has no
  leave status: people on leave are plain current employees. Future hires have a ``hire_date``
  ahead and ``onboarded`` false.
- Contractors are a separate resource, not employees: a person with
  ``SyntheticPerson.contractor`` set is in neither ``/employees`` nor ``/v1/employees/{uuid}``
  (404), nor in a department's ``employees``, but in
  ``GET /v1/companies/{company_uuid}/contractors`` ("Get all contractors, active and inactive,
  individual and business, for a company"), ``GET /v1/contractors/{contractor_uuid}`` and the
  department's ``contractors``. Fields (the Contractor model): ``uuid`` (its own, not the
  employee uuid), ``company_uuid``, ``wage_type`` (``Fixed``), ``is_active`` ("The status of
  the contractor with the company": false once dismissed), ``version``, ``type``
  (``Individual``), ``first_name``, ``last_name``, ``middle_initial``, ``business_name`` and
  ``ein`` (null for individuals), ``has_ein``, ``email``, ``start_date``, ``address``,
  ``hourly_rate``, ``file_new_hire_report``, ``work_state``, ``onboarded``,
  ``onboarding_status``, ``payment_method``, ``has_ssn``, ``department_uuid``. Filters:
  ``terminated`` ("those who have been or are scheduled to be dismissed"),
  ``terminated_today`` ("dismissed and whose dismissal is in effect today"), ``onboarded``,
  ``onboarded_active`` ("onboarded AND active today"); ``page`` / ``per`` as for employees.
- Locations give ``country`` as ISO alpha-3 (``USA``).
- Work addresses (``GET /v1/employees/{employee_uuid}/work_addresses``, "Each address includes
  its effective date and a boolean signifying if it is the currently active work address"):
  ``uuid``, ``effective_date``, ``active``, ``location_uuid`` (the company location),
  ``employee_uuid``, ``version``, ``street_1``, ``street_2``, ``city``, ``state``, ``zip``,
  ``country``. Exactly one entry is active for the current date. About one person in eight who
  has been employed over a year moved once: an older inactive entry at another site, then the
  current one. About one in forty works from home and has none (the work address guide: with
  ``work_from_home`` it "is not valid to pass a work_address"). A move made with
  ``SyntheticCompany.move`` adds an entry effective on the company's today, which becomes the
  active one; the emulator notices moves by remembering each person's site, from app creation.
- API versions: ``X-Gusto-API-Version`` (``YYYY-MM-DD``; anything else is a 400), by default
  ``DEFAULT_API_VERSION``. From v2023-07-01 on, jobs carry no ``location_uuid`` / ``location``:
  that version deprecated them "in favor of our new home & work address API's that support
  multiple effective-dated addresses" and is a breaking-changes version
  (https://docs.gusto.com/embedded-payroll/changelog/v2023-07-01). Older versions still get
  both, from the active work address (null without one).
- Errors: ``{"errors": [{"error_key", "category", "message"}]}``; OAuth errors use RFC 6749's
  ``{"error", "error_description"}``.

Guesses are marked ``[guess]``: a ``per`` over 100 is cut to 100; every refresh token issued
stays usable, also once the emulator is started again with the same app (it is signed with
the app's secret, not remembered), unless ``strict_refresh_rotation`` is set (the docs say the
old one is invalidated; the shared conformance suite reads twice with the stored token); non-US
sites get their own alpha-3 country (Gusto itself is US-only); the default API version (an app's own
configured version decides upstream); who moved or works from home, and when they moved; a
future hire's only work address, effective on the hire date, is already active; the status
of a malformed version header; a contractor's ``email`` is the personal one (as for
employees), ``address`` null, ``wage_type`` Fixed with ``hourly_rate`` "0.00", the onboarding
status of one whose start date is ahead, and that a dismissal takes effect the day after its
date, as an employee's termination does. Control endpoints live under ``/_sandbox``.
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
#   https://docs.gusto.com/app-integrations/v2026-02-01/reference/get-v1-employees-employee_id-work_addresses
#   and the Employee-Work-Address model of github.com/Gusto/gusto-typescript-client
#   (gusto_embedded/docs/models/components/employeeworkaddress.md at 07b618b7)
#   https://docs.gusto.com/embedded-payroll/v2025-11-15/docs/work-address (work from home)
#   https://docs.gusto.com/embedded-payroll/changelog/v2023-07-01 (jobs location deprecated)
#   https://docs.gusto.com/app-integrations/reference/get-v1-companies-company_uuid-contractors
#   and https://docs.gusto.com/embedded-payroll/reference/get-v1-companies-company_uuid-contractors
#   (query params), the Contractor model and GetV1CompaniesCompanyUuidContractorsRequest of
#   github.com/Gusto/gusto-typescript-client (gusto_embedded/docs/models/...),
#   https://docs.gusto.com/embedded-payroll/docs/terminate-a-contractor (a separate resource)
#   Employee fields cross-checked with docs.rs gusto-api types::Employee (generated from
#   Gusto's OpenAPI) and https://docs.gusto.com/app-integrations/docs/error-categories.

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.consent import ConsentRefused, Consents
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    VendorError,
    bare_app,
    bearer_token,
    json_response,
    vendor_app,
)

__all__ = [
    "CREDENTIALS",
    "DEFAULT_API_VERSION",
    "DEFAULT_PER",
    "MAX_PER",
    "create_app",
    "gusto_uuid",
]

CREDENTIALS = ("client_id", "client_secret", "refresh_token", "company_uuid")
"""The app's OAuth client, a refresh token from the company's consent, and its company UUID."""

DEFAULT_PER = 25
MAX_PER = 100
ACCESS_TOKEN_TTL = 7200
DEFAULT_API_VERSION = "2025-06-15"  # [guess] the version the fixtures' OpenAPI describes
WORK_ADDRESS_VERSION = "2023-07-01"  # jobs lose location_uuid / location from here on

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
        "employee_code": (
            None if person.employee_number is None else f"{person.employee_number:06x}"
        ),
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


def _contractor(
    person: SyntheticPerson, company: SyntheticCompany, company_uuid: str, leak: bool
) -> dict[str, Any]:
    """A contractor in Gusto's Contractor shape (individual contractors only)."""
    department = company.department(person.department_id)
    dismissed = person.status is PersonStatus.TERMINATED
    onboarded = person.status is not PersonStatus.HIRED  # [guess] as for employees
    row: dict[str, Any] = {
        "uuid": gusto_uuid("contractor", person.id),
        "company_uuid": company_uuid,
        "wage_type": "Fixed",
        "is_active": not dismissed,
        "version": _version("contractor", person.id, person.status.value, person.termination_date),
        "type": "Individual",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "middle_initial": None,
        "business_name": None,
        "ein": None,
        "has_ein": False,
        "email": person.personal_email or None,
        "start_date": person.start_date.isoformat(),
        "address": None,
        "hourly_rate": "0.00",
        "file_new_hire_report": False,
        "work_state": None,
        "onboarded": onboarded,
        "onboarding_status": "onboarding_completed" if onboarded else "admin_onboarding_incomplete",
        "payment_method": "Direct Deposit",
        "has_ssn": True,
        "department_uuid": gusto_uuid("department", department.id),
    }
    if leak:
        row["ssn"] = f"{int(person.id) % 900_000_000 + 100_000_000}"
        row["bank_accounts"] = [{"account_number": person.bank_account, "account_type": "Checking"}]
    return row


def _flag(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise GustoError(400, f"{name} must be true or false")
    return value == "true"


def _api_version(request: Request) -> str:
    version = request.headers.get("X-Gusto-API-Version", DEFAULT_API_VERSION)
    try:
        date.fromisoformat(version)
    except ValueError:
        raise GustoError(400, "X-Gusto-API-Version must be a version date (YYYY-MM-DD)") from None
    return version


def _with_job_location(row: dict[str, Any], location: dict[str, Any] | None) -> dict[str, Any]:
    """The pre-2023-07-01 job fields, from the employee's active work location."""
    for job in row["jobs"]:
        job["location_uuid"] = location["uuid"] if location else None
        job["location"] = location
    return row


class _WorkAddresses:
    """Each person's work addresses, oldest first, as (site id, effective date).

    The synthetic company keeps only a current site, so this remembers the site each person
    was last seen at; a different one is a move, effective on the company's today.
    """

    def __init__(self, company: SyntheticCompany) -> None:
        self._company = company
        self._lock = threading.Lock()
        self._seen: dict[str, str] = {}
        self._history: dict[str, list[tuple[str, date]]] = {}
        for person in company.people():
            self.of(person)

    def of(self, person: SyntheticPerson) -> list[tuple[str, date]]:
        with self._lock:
            if person.id not in self._seen:
                self._history[person.id] = self._generated(person)
            elif self._seen[person.id] != person.site_id:
                self._history[person.id].append((person.site_id, self._company.today))
            self._seen[person.id] = person.site_id
            return list(self._history[person.id])

    def _generated(self, person: SyntheticPerson) -> list[tuple[str, date]]:
        roll = hashlib.sha256(f"gusto:work-address:{person.id}".encode()).digest()[0]
        if roll % 40 == 0:  # [guess] works from home
            return []
        tenure = (self._company.today - person.start_date).days
        sites = [s.id for s in self._company.sites]
        if roll % 8 == 1 and tenure > 365 and len(sites) > 1:  # [guess] moved once
            earlier = sites[(sites.index(person.site_id) + 1) % len(sites)]
            moved_on = person.start_date + timedelta(days=tenure // 2)
            return [(earlier, person.start_date), (person.site_id, moved_on)]
        return [(person.site_id, person.start_date)]


def _active_index(history: list[tuple[str, date]], today: date) -> int | None:
    """The entry in effect today; a future hire's first one [guess]; None without any."""
    if not history:
        return None
    started = [i for i, (_site, effective) in enumerate(history) if effective <= today]
    return started[-1] if started else 0


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
    """Issued tokens: access tokens with their expiry, refresh tokens still usable.

    Without strict rotation a refresh token is signed with the app's secret rather than
    remembered, so an emulator started again with the same app honours the ones it issued
    before, as Gusto's own grants outlive any one server (the demo's connections survive its
    restarts). Strict rotation remembers each one so that it can be spent.
    """

    def __init__(self, refresh_token: str, strict: bool, signing_key: str) -> None:
        self._lock = threading.Lock()
        self._refresh = {refresh_token}
        self._access: dict[str, float] = {}
        self._strict = strict
        self._key = signing_key.encode()

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def _signed(self, presented: str) -> bool:
        nonce, signature = presented[:32], presented[32:]
        return len(presented) == 64 and hmac.compare_digest(signature, self._signature(nonce))

    def refresh(self, presented: str) -> tuple[str, str]:
        with self._lock:
            known = presented in self._refresh or (not self._strict and self._signed(presented))
            if not known:
                raise OAuthError(
                    400, "invalid_grant", "The refresh token is invalid or was revoked"
                )
            if self._strict:
                self._refresh.discard(presented)
            return self._issue()

    def issue(self) -> tuple[str, str]:
        """The first access and refresh tokens of a consent."""
        with self._lock:
            return self._issue()

    def _issue(self) -> tuple[str, str]:
        access, nonce = secrets.token_hex(32), secrets.token_hex(16)
        rotated = nonce + self._signature(nonce)
        if self._strict:
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
    redirect_uris: tuple[str, ...] | None = None,
) -> FastAPI:
    """A Gusto emulator over ``company`` for one OAuth app and company (see CREDENTIALS).
    ``redirect_uris`` are the app's registered callbacks (Gusto refuses any other); None
    accepts any, for tests whose callback port is not known when the emulator is made."""
    faults = faults if faults is not None else Faults()
    company_uuid = credentials["company_uuid"]
    tokens = _Tokens(
        credentials["refresh_token"], strict_refresh_rotation, credentials["client_secret"]
    )
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

    consents = Consents("Gusto", client_id=credentials["client_id"], redirect_uris=redirect_uris)
    consents.mount(front, "/oauth/authorize")

    @front.post("/oauth/token")
    async def oauth_token(request: Request) -> Response:
        if faults.revoked:
            raise OAuthError(400, "invalid_grant", "The refresh token was revoked")
        form = await _form(request)
        grant = form.get("grant_type")
        if grant not in ("refresh_token", "authorization_code"):
            raise OAuthError(400, "unsupported_grant_type", f"{grant} is not supported here")
        client_ok = secrets.compare_digest(
            form.get("client_id", "").encode(), credentials["client_id"].encode()
        ) and secrets.compare_digest(
            form.get("client_secret", "").encode(), credentials["client_secret"].encode()
        )
        if not client_ok:
            raise OAuthError(401, "invalid_client", "Client authentication failed")
        if grant == "authorization_code":
            try:
                consents.redeem(form)
            except ConsentRefused as refused:
                raise OAuthError(400, refused.error, "The code is invalid or was used") from None
            access, rotated = tokens.issue()
        else:
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

    addresses = _WorkAddresses(company)

    def active_location(person: SyntheticPerson) -> dict[str, Any] | None:
        history = addresses.of(person)
        index = _active_index(history, company.today)
        return None if index is None else _location(company.site(history[index][0]), company_uuid)

    memo = CompanyMemo(company)

    def employees_of(
        include: set[str], version: str, leak: bool | None = None
    ) -> list[dict[str, Any]]:
        leak = faults.leak_sensitive_fields if leak is None else leak
        key = ("employees", frozenset(include), version, leak)
        return memo.get(key, lambda: render_employees(include, version, leak))

    def render_employees(include: set[str], version: str, leak: bool) -> list[dict[str, Any]]:
        rows = []
        for person in memo.people():
            if person.contractor:
                continue  # a separate resource: /v1/companies/{company_uuid}/contractors
            row = _employee(person, company, company_uuid, include, leak)
            if version < WORK_ADDRESS_VERSION:
                row = _with_job_location(row, active_location(person))
            rows.append(row)
        return rows

    def work_address_rows(person: SyntheticPerson) -> list[dict[str, Any]]:
        history = addresses.of(person)
        active = _active_index(history, company.today)
        employee_uuid = gusto_uuid("employee", person.id)
        rows = []
        for index, (site_id, effective) in enumerate(history):
            location = _location(company.site(site_id), company_uuid)
            key = person.id if index == 0 else f"{person.id}:{index}"
            rows.append(
                {
                    "uuid": gusto_uuid("work_address", key),
                    "version": _version("work_address", key, site_id, index == active),
                    "effective_date": effective.isoformat(),
                    "active": index == active,
                    "location_uuid": location["uuid"],
                    "employee_uuid": employee_uuid,
                    **{
                        k: location[k]
                        for k in ("street_1", "street_2", "city", "state", "zip", "country")
                    },
                }
            )
        return rows

    @app.get("/v1/companies/{company_id}/employees")
    async def employees(company_id: str, request: Request) -> Response:
        authenticate(request, company_id)
        include = set(request.query_params.get("include", "").split(",")) - {""}
        version = _api_version(request)
        flag = request.query_params.get("terminated")
        if flag is not None and flag not in ("true", "false"):
            raise GustoError(400, "terminated must be true or false")

        leak = faults.leak_sensitive_fields

        def listed() -> list[dict[str, Any]]:
            rows = employees_of(include, version, leak)
            if flag is None:
                return rows
            return [r for r in rows if r["terminated"] is (flag == "true")]

        rows = memo.get(("listed", frozenset(include), version, leak, flag), listed)
        start, size, headers = _pagination(request, len(rows))
        return _json(rows[start : start + size], headers=headers)

    @app.get("/v1/employees/{employee_id}")
    async def employee(employee_id: str, request: Request) -> Response:
        authenticate(request)
        for row in employees_of(set(), _api_version(request)):
            if row["uuid"] == employee_id:
                return _json(row)
        raise GustoError(404)

    @app.get("/v1/employees/{employee_id}/work_addresses")
    async def work_addresses(employee_id: str, request: Request) -> Response:
        authenticate(request)
        for person in company.people():
            if not person.contractor and gusto_uuid("employee", person.id) == employee_id:
                return _json(work_address_rows(person))
        raise GustoError(404)

    @app.get("/v1/companies/{company_id}/contractors")
    async def contractors(company_id: str, request: Request) -> Response:
        authenticate(request, company_id)
        _api_version(request)
        leak = faults.leak_sensitive_fields
        wanted = {
            name: _flag(request, name)
            for name in ("terminated", "terminated_today", "onboarded", "onboarded_active")
        }
        key = ("contractors", leak, tuple(wanted.values()))
        rows = memo.get(key, lambda: contractor_rows(leak, wanted))
        start, size, headers = _pagination(request, len(rows))
        return _json(rows[start : start + size], headers=headers)

    def contractor_rows(leak: bool, wanted: Mapping[str, bool | None]) -> list[dict[str, Any]]:
        rows = []
        for person in (p for p in memo.people() if p.contractor):
            row = _contractor(person, company, company_uuid, leak)
            facts = {
                "terminated": person.termination_date is not None,
                "terminated_today": not row["is_active"],
                "onboarded": row["onboarded"],
                "onboarded_active": row["onboarded"] and row["is_active"],
            }
            if all(want is None or facts[name] is want for name, want in wanted.items()):
                rows.append(row)
        return rows

    @app.get("/v1/contractors/{contractor_id}")
    async def contractor(contractor_id: str, request: Request) -> Response:
        authenticate(request)
        _api_version(request)
        for person in company.people():
            if person.contractor and gusto_uuid("contractor", person.id) == contractor_id:
                return _json(
                    _contractor(person, company, company_uuid, faults.leak_sensitive_fields)
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
                    if p.department_id == d.id
                    and p.status is not PersonStatus.TERMINATED
                    and not p.contractor
                ],
                "contractors": [
                    {"uuid": gusto_uuid("contractor", p.id)}
                    for p in people
                    if p.department_id == d.id
                    and p.status is not PersonStatus.TERMINATED
                    and p.contractor
                ],
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
