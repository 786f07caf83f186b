"""Lucca emulator (directory v3 users, organization structure v4), from Lucca's public docs.

It serves, at the root (the real host is the customer's ``https://{account}.ilucca.net``):

=====  ==============================================  ==========================================
verb   path                                            notes
=====  ==============================================  ==========================================
GET    /api/v3/users                                   ``fields``, ``paging``,
                                                       ``formerEmployees``, ``dtContractStart`` /
                                                       ``dtContractEnd``, ``id``, ``mail``,
                                                       ``departmentId``, ``legalEntityId``,
                                                       ``modifiedAt``
GET    /api/v3/users/{id}                              one user
GET    /organization/structure/api/departments         ``page``, ``limit``, ``fields.root``
GET    /organization/structure/api/departments/{id}    one department, no envelope
GET    /organization/structure/api/establishments      ``id``, ``legalUnitId``, ``search``,
                                                       ``isArchived``, ``page``, ``limit``,
                                                       ``fields.root``
GET    /api/v3/departments, /api/v3/legalentities      retired (and anything below them): 410
=====  ==============================================  ==========================================

Auth, limits and errors:

- Every route takes the same API key: ``Authorization: lucca application={api_key}``;
  anything else answers 401. 403 (key without the right) comes from ``Faults.forbid``.
- 50 requests a minute per tenant; past it 429 with ``Retry-After`` (off by default, see
  ``create_app``).
- Errors are ``{"status": n, "message": ...}`` [guess: no error shape is documented].

v3 users (not retired: the users guide says no sunset date has been announced):

- Answers are ``{"header": {...}, "data": {"items": [...]}}`` (one object: ``"data": {...}``).
- Without ``fields`` an item is only ``id``, ``name`` and ``url``; ``fields`` takes a comma list
  with nested selections as ``department.name`` or ``department[id,name]``; ``collection.count``
  adds ``data.count``. Unknown fields are a 400.
- ``paging={offset},{limit}``; the maximum limit is 1000. Without ``paging`` at most 1000 items
  come back (the departments v3 reference says "Defaults to 0,1000").
- Former employees (contract ended before today) are left out unless ``formerEmployees=true``
  or a ``dtContractEnd`` filter (``notequal,null``, ``since,YYYY-MM-DD``, ...) asks for them.
  Future hires are listed (their contract exists). Lucca has no leave status on users.
- Dates are ``YYYY-MM-DDT00:00:00``; ids are integers. ``birthDate`` is present when asked
  for. Private contact, address, bank and salary data only come with
  ``faults.leak_sensitive_fields``, which also adds them to every item whatever ``fields`` says.

v4 organization structure (the interim target the migration guides give for API-key clients):

- Lists answer ``{"items": [...]}``; ``fields.root`` (any of ``prev``, ``next``, ``count``)
  adds those keys, and only then. ``next`` / ``prev`` are cursors, not URLs: the client sends
  one back as ``?page={cursor}`` (null when there is no such page). ``page`` is also a page
  index starting at 1. ``limit`` defaults to 10 and the range is rendered ``0 < x < 100``
  (the legal-units page also renders ``0 <= x <= 100``): 1..99 pass, anything else is a 400
  [guess: the answer to an out-of-range limit is not documented]. A cursor is an offset, so
  the client repeats ``limit`` and filters with it [guess]. Items come in id order.
- Departments: the list reference documents no query parameter; ``page``/``limit``/
  ``fields.root`` are served as on establishments [guess]. Inactive departments are listed
  with ``isActive: false`` (no filter is documented; "when false, the department should no
  longer be used"). Fields as the Department (v4) schema: ``id``, ``name``, ``code``,
  ``description``, ``parentId`` (the parent's hierarchy id, null at root), ``parentLuccaId``
  (undocumented; null, as in the reference example, even below the root), ``hierarchy``
  (``/1/``, ``/1/2/``, ...), ``isActive``, ``headId`` (null: the company names no heads),
  ``createdAt`` / ``lastModifiedAt`` (with offset), ``sortOrderInSiblings`` (0..99).
- Establishments: one per site, with ``legalUnit`` embedded (as the list example shows);
  one legal unit per country. Archived ones are left out unless ``isArchived=true`` or
  ``true,false`` asks (the company has none). ``countryId`` is ISO alpha-3 and
  ``country.code`` alpha-2, ``country.id`` ISO numeric [guess: the reference shows only
  ``"<string>"`` and ``2``]. ``usersCount`` and ``author`` are left out: counting would read
  every person (a page here never does) and the company has no author.

Ids: the establishments guide maps V3 ``legalentity`` to V4 ``establishment`` (and V5
``business-establishment``) as one resource renamed, with V3's embedded ``legalUnit`` becoming
V4 ``legal-unit``; the departments guide treats V3 and V4 departments as the same resource.
Neither shows any id translation (the stored copies end after their opening sections), so a
v3 user's ``departmentId`` is the id of a v4 department and its ``legalEntityId`` the id of a
v4 establishment, never of a legal unit (legal units get ids of their own, 101...).

Retired endpoints: both guides say ``GET /api/v3/departments`` (``/{id}``, ``/tree``) and
``GET /api/v3/legalentities`` (``/{id}``) "will stop responding starting from September
2026" without saying how; this emulator stands for the API after that date and answers them
410 Gone whatever the credentials (any letter case, as Lucca's routes are case-insensitive).

Control endpoints (not Lucca's) live under ``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   https://developers.lucca.fr/api-reference/legacy/organization/guides/departments-migration
#   https://developers.lucca.fr/api-reference/legacy/organization/guides/departments-migration.md
#   https://developers.lucca.fr/api-reference/legacy/organization/guides/establishments-migration
#   https://developers.lucca.fr/api-reference/legacy/organization/guides/establishments-migration.md
#   https://developers.lucca.fr/api-reference/departments/list-departments (v4 list, example)
#   https://developers.lucca.fr/api-reference/departments/retrieve-a-department
#   https://developers.lucca.fr/api-reference/legacy/organization/departments/department-v4
#   https://developers.luccasoftware.com/api-reference/legacy/organization/departments/retrieve-a-department
#   https://developers.lucca.fr/api-reference/legacy/organization/establishments/list-establishments
#   https://developers.lucca.fr/api-reference/legacy/organization/legal-units/list-legal-units
#   https://developers.lucca.fr/api-reference/legacy/organization/legal-units/list-legal-units.md
#   https://developers.lucca.fr/api-reference/legacy/organization/departments/list-departments (v3)
#   https://developers.lucca.fr/documentation/limits
#   https://developers.luccasoftware.com/documentation/limits (per tenant, Retry-After)
#   https://developers.lucca.fr/documentation/using-api/paging (v5; v4 differs, see above)
#   https://developers.lucca.fr/api-reference/legacy/directory/list-users (+ .md, the OpenAPI
#   directory-v3.yaml excerpt: query parameters, example body)
#   https://developers.lucca.fr/fr/api/users/users
#   https://developers.lucca.fr/api-reference/legacy/directory/guides/users-migration (+ .md)

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import Site, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import MinuteWindow, VendorError, int_param, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = [
    "CREDENTIALS",
    "MAX_LIMIT",
    "RATE_LIMIT",
    "V4_DEFAULT_LIMIT",
    "V4_MAX_LIMIT",
    "create_app",
]

CREDENTIALS = ("api_key",)
"""The key of ``credentials``: the API key sent as ``lucca application={api_key}``."""

MAX_LIMIT = 1000
"""v3 ``paging`` limit."""

V4_DEFAULT_LIMIT = 10
V4_MAX_LIMIT = 99
RATE_LIMIT = 50

STRUCTURE = "/organization/structure/api"

_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized: a valid 'lucca application' key is required",
    403: "Forbidden: this key may not access this resource",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_RETIRED = {
    "departments": f"{STRUCTURE}/departments",
    "legalentities": f"{STRUCTURE}/establishments",
}


@dataclass(frozen=True, slots=True)
class _Country:
    alpha3: str
    numeric: int
    currency: tuple[str, str, str]  # code, English name, symbol
    timezone: str
    postcode: str
    legal_suffix: str


# The synthetic company's five countries; what Lucca's country objects hold for each.
_COUNTRIES = {
    "GB": _Country("GBR", 826, ("GBP", "Pound Sterling", "£"), "Europe/London", "EC1A 1BB", "Ltd"),
    "DE": _Country("DEU", 276, ("EUR", "Euro", "€"), "Europe/Berlin", "10115", "GmbH"),
    "US": _Country("USA", 840, ("USD", "US Dollar", "$"), "America/New_York", "10001", "Inc."),
    "FR": _Country("FRA", 250, ("EUR", "Euro", "€"), "Europe/Paris", "75002", "SAS"),
    "ES": _Country("ESP", 724, ("EUR", "Euro", "€"), "Europe/Madrid", "28013", "S.L."),
}


class LuccaError(VendorError):
    def __init__(
        self, status: int, message: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status, message or _MESSAGES.get(status, "Error"), headers)


def _error_body(status: int, message: str | None = None) -> bytes:
    return json.dumps({"status": status, "message": message or _MESSAGES.get(status)}).encode()


def _stamp(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00" if value else None


# --- v3 field selection ---------------------------------------------------------------------


def _parse_fields(raw: str | None) -> dict[str, Any]:
    """``id,department[id,name],manager.id`` -> {"id": {}, "department": {"id": {}, ...}}."""
    if not raw:
        return {"id": {}, "name": {}, "url": {}}
    tree: dict[str, Any] = {}
    depth, token = 0, ""
    parts: list[str] = []
    for char in raw:
        if char == "," and depth == 0:
            parts.append(token)
            token = ""
            continue
        depth += (char == "[") - (char == "]")
        token += char
    parts.append(token)
    for part in (p.strip() for p in parts):
        if not part:
            continue
        match = re.fullmatch(r"([A-Za-z][\w.]*)(?:\[(.*)\])?", part)
        if match is None:
            raise LuccaError(400, f"Invalid fields expression {part!r}")
        path, inner = match.group(1).split("."), match.group(2)
        node = tree
        for step in path:
            node = node.setdefault(step, {})
        if inner is not None:
            for key, sub in _parse_fields(inner).items():
                node.setdefault(key, {}).update(sub)
    return tree


def _select(obj: Mapping[str, Any], tree: Mapping[str, Any], kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, sub in tree.items():
        if key not in obj:
            raise LuccaError(400, f"Unknown field '{key}' on {kind}")
        value = obj[key]
        if sub and isinstance(value, Mapping):
            out[key] = _select(value, sub, kind)
        elif sub and isinstance(value, list):
            out[key] = [_select(v, sub, kind) if isinstance(v, Mapping) else v for v in value]
        else:
            out[key] = value
    return out


def _paging(raw: str | None) -> tuple[int, int]:
    if raw is None:
        return 0, MAX_LIMIT
    match = re.fullmatch(r"\s*(\d+)\s*,\s*(\d+)\s*", raw)
    if match is None:
        raise LuccaError(400, "paging must be '{offset},{limit}'")
    offset, limit = int(match.group(1)), int(match.group(2))
    if not 1 <= limit <= MAX_LIMIT:
        raise LuccaError(400, f"paging limit must be between 1 and {MAX_LIMIT}")
    return offset, limit


def _date_filter(raw: str) -> Callable[[date | None], bool]:
    """Lucca's ``({comparator},)?{date | 'null'}`` filters."""
    parts = [p.strip() for p in raw.split(",")]

    def parse(value: str) -> date:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise LuccaError(400, f"Invalid date {value!r}") from None

    op, args = (parts[0].lower(), parts[1:]) if len(parts) > 1 else ("equal", parts)
    if args == ["null"]:
        if op == "equal":
            return lambda d: d is None
        if op == "notequal":
            return lambda d: d is not None
        raise LuccaError(400, f"Invalid comparator {op!r} with null")
    days = [parse(a) for a in args]
    tests: dict[str, Callable[[date | None], bool]] = {
        "equal": lambda d: d == days[0],
        "notequal": lambda d: d != days[0],
        "since": lambda d: d is not None and d >= days[0],
        "until": lambda d: d is not None and d <= days[0],
        "between": lambda d: d is not None and days[0] <= d <= days[-1],
    }
    if op not in tests or (op == "between" and len(days) != 2):
        raise LuccaError(400, f"Invalid comparator {op!r}")
    return tests[op]


# --- organization structure (v4) -----------------------------------------------------------


class _Structure:
    """Departments, establishments and legal units, built once per app.

    They come from the company's departments and sites only, which never change, so a v4 page
    costs its own size and v3 users can be pointed at the same ids without reading them again.
    """

    def __init__(self, company: SyntheticCompany) -> None:
        self.company = company
        founded = date(company.today.year - 10, 1, 1).isoformat()
        self.dept_ids = {d.id: 10 + i for i, d in enumerate(company.departments)}
        self.departments = [self._department(i, founded) for i in range(len(company.departments))]
        self.department_by_id = {d["id"]: d for d in self.departments}
        # Ordered by country, as the ids v3 users carried before the v4 endpoints existed.
        sites = sorted(company.sites, key=lambda s: (s.country_code, s.name))
        countries = sorted({s.country_code for s in sites})
        self.legal_unit_ids = {code: 101 + i for i, code in enumerate(countries)}
        self.establishment_ids = {s.id: 1 + i for i, s in enumerate(sites)}
        headquarters = {s.country_code: self.establishment_ids[s.id] for s in reversed(sites)}
        self.establishment_names = {s.id: f"{company.name} {s.name}" for s in sites}
        self.establishments = [self._establishment(s, headquarters, founded) for s in sites]

    def _department(self, index: int, founded: str) -> dict[str, Any]:
        dept = self.company.departments[index]
        # The first department (Leadership) is the root; every other one sits under it.
        hierarchy = "/1/" if index == 0 else f"/1/{index}/"
        return {
            "id": self.dept_ids[dept.id],
            "name": dept.name,
            "code": dept.name[:3].upper(),
            "description": None,
            "parentId": None if index == 0 else "/1/",
            "parentLuccaId": None,
            "hierarchy": hierarchy,
            "isActive": not dept.archived,
            "headId": None,
            "createdAt": f"{founded}T00:00:00+00:00",
            "lastModifiedAt": f"{founded}T00:00:00+00:00",
            "sortOrderInSiblings": 0 if index == 0 else index - 1,
        }

    def _establishment(
        self, site: Site, headquarters: Mapping[str, int], founded: str
    ) -> dict[str, Any]:
        code = site.country_code
        country = _COUNTRIES[code]
        unit_id = self.legal_unit_ids[code]
        establishment_id = self.establishment_ids[site.id]
        currency_code, currency_name, symbol = country.currency
        # French-shaped numbers: a SIREN per legal unit, a SIRET starting with it per site.
        siren = f"{800_000_000 + unit_id * 1_111:09d}"
        created = f"{founded}T00:00:00Z"
        legal_unit = {
            "id": unit_id,
            "name": f"{self.company.name} {country.legal_suffix}",
            "countryId": country.alpha3,
            "code": code,
            "legalIdentificationNumber": siren,
            "activityCode": "6201Z",
            "country": {
                "id": country.numeric,
                "name": site.country_name,
                "code": code,
                "currencyCode": currency_code,
                "currency": {"code": currency_code, "englishName": currency_name, "symbol": symbol},
                "defaultTimeZone": country.timezone,
            },
            "headquartersId": headquarters[code],
            "createdAt": created,
            "isArchived": False,
        }
        return {
            "id": establishment_id,
            "name": self.establishment_names[site.id],
            "legalUnitId": unit_id,
            "code": site.name[:3].upper(),
            "legalUnit": legal_unit,
            "legalIdentificationNumber": f"{siren}{establishment_id:05d}",
            "activityCode": "6201Z",
            "calendarId": 200 + unit_id,
            "address": {
                "street": f"{establishment_id} Main Street",
                "zipCode": country.postcode,
                "city": site.city,
            },
            "timezoneId": country.timezone,
            "createdAt": created,
            "isArchived": False,
        }


def _cursor(offset: int) -> str:
    # "!" keeps a cursor from ever reading as a page index.
    return "!" + base64.urlsafe_b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(raw: str | None, limit: int) -> int:
    if raw is None:
        return 0
    if raw.isdigit():
        if int(raw) < 1:
            raise LuccaError(400, "page index starts at 1")
        return (int(raw) - 1) * limit
    try:
        token = raw.removeprefix("!")
        offset = int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        offset = -1
    if not raw.startswith("!") or offset < 0:
        raise LuccaError(400, f"Invalid page cursor {raw!r}")
    return offset


def _ints(raw: str | None, name: str) -> set[int] | None:
    if raw is None:
        return None
    try:
        return {int(part) for part in raw.split(",")}
    except ValueError:
        raise LuccaError(400, f"{name} must be a comma-separated list of integers") from None


def _v4_page(request: Request, items: Sequence[Mapping[str, Any]]) -> Response:
    params = request.query_params
    limit = int_param(params.get("limit"), V4_DEFAULT_LIMIT, LuccaError, name="limit")
    if limit > V4_MAX_LIMIT:
        raise LuccaError(400, f"limit must be between 1 and {V4_MAX_LIMIT}")
    offset = _offset(params.get("page"), limit)
    root = {f.strip() for f in params.get("fields.root", "").split(",") if f.strip()}
    if root - {"prev", "next", "count"}:
        raise LuccaError(400, "fields.root takes prev, next and count")
    body: dict[str, Any] = {"items": list(items[offset : offset + limit])}
    if "count" in root:
        body["count"] = len(items)
    if "prev" in root:
        body["prev"] = _cursor(max(0, offset - limit)) if offset > 0 else None
    if "next" in root:
        body["next"] = _cursor(offset + limit) if offset + limit < len(items) else None
    return _json(body)


# --- v3 users -------------------------------------------------------------------------------


class _Directory:
    """The company's people in v3 user shapes, pointing at the structure's ids."""

    def __init__(self, company: SyntheticCompany, structure: _Structure, base: str) -> None:
        self.company = company
        self.structure = structure
        self.base = base
        self.people = company.people()
        self.by_id = {p.id: p for p in self.people}

    @staticmethod
    def user_id(person: SyntheticPerson) -> int:
        return 400 + person.serial

    def ref(self, kind: str, object_id: int, name: str) -> dict[str, Any]:
        return {"id": object_id, "name": name, "url": f"{self.base}/api/v3/{kind}/{object_id}"}

    def user(self, p: SyntheticPerson, leak: bool) -> dict[str, Any]:
        s = self.structure
        dept = self.company.department(p.department_id)
        dept_id = s.dept_ids[dept.id]
        entity_id = s.establishment_ids[p.site_id]
        manager = self.by_id.get(p.manager_id) if p.manager_id else None
        login = (p.work_email or f"user{p.serial}").split("@")[0]
        out: dict[str, Any] = {
            **self.ref("users", self.user_id(p), p.display_name),
            "displayName": f"{p.last_name} {p.first_name}",
            "modifiedAt": p.created_at.replace(tzinfo=None).isoformat(timespec="milliseconds"),
            "lastName": p.last_name,
            "firstName": p.first_name,
            "login": login,
            "mail": p.work_email,
            "dtContractStart": _stamp(p.start_date),
            "dtContractEnd": _stamp(p.termination_date),
            "birthDate": _stamp(p.date_of_birth),
            "employeeNumber": None if p.employee_number is None else f"{p.employee_number:05d}",
            "jobTitle": None,
            "legalEntityId": entity_id,
            "legalEntity": self.ref("legalentities", entity_id, s.establishment_names[p.site_id]),
            "departmentId": dept_id,
            "department": self.ref("departments", dept_id, dept.name),
            "managerId": self.user_id(manager) if manager else None,
            "manager": (
                self.ref("users", self.user_id(manager), manager.display_name) if manager else None
            ),
            "culture": {"id": 1036, "name": "français (France)"},
        }
        if leak:
            home = p.home_address
            out.update(
                personalEmail=p.personal_email,
                personalMobile=p.personal_phone,
                gender=p.gender,
                address=(
                    f"{home.line1}, {home.postcode} {home.city}, {home.country_name}"
                    if home
                    else None
                ),
                bankAccount=p.bank_account,
                salary=p.salary,
                ethnicity=p.ethnicity,
                performanceNote=p.performance_note,
            )
        return out


def _header(request: Request) -> dict[str, Any]:
    return {
        "generated": datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds"),
        "serverTime": 1,
        "queryTime": 1,
        "principal": "rostersync (API key)",
        "href": str(request.url),
    }


def _chosen(item: dict[str, Any], tree: Mapping[str, Any], leak: bool) -> dict[str, Any]:
    chosen = _select(item, tree, "user") if tree else {}
    if leak:
        chosen.update({k: v for k, v in item.items() if k not in chosen})
    return chosen


def _users_page(
    request: Request, d: _Directory, people: list[SyntheticPerson], leak: bool
) -> Response:
    params = request.query_params
    tree = _parse_fields(params.get("fields"))
    count = tree.pop("collection", {}).pop("count", None) is not None
    offset, limit = _paging(params.get("paging"))
    # Only the page is rendered: filtering needs the people, rendering all of them does not.
    data: dict[str, Any] = {
        "items": [_chosen(d.user(p, leak), tree, leak) for p in people[offset : offset + limit]]
    }
    if count:
        data["count"] = len(people)
    return _json({"header": _header(request), "data": data})


# The query parameters _users_list reads: requests that agree on them list the same people.
_USER_FILTERS = (
    "dtContractEnd",
    "formerEmployees",
    "dtContractStart",
    "id",
    "mail",
    "departmentId",
    "legalEntityId",
)


def _users_list(request: Request, d: _Directory) -> list[SyntheticPerson]:
    params = request.query_params
    company, s = d.company, d.structure
    people = d.people
    end_filter = params.get("dtContractEnd")
    if end_filter is not None:
        test = _date_filter(end_filter)
        people = [p for p in people if test(p.termination_date)]
    elif params.get("formerEmployees", "false").lower() != "true":
        people = [
            p for p in people if p.termination_date is None or p.termination_date >= company.today
        ]
    start_filter = params.get("dtContractStart")
    if start_filter is not None:
        test = _date_filter(start_filter)
        people = [p for p in people if test(p.start_date)]
    simple: dict[str, Callable[[SyntheticPerson], str]] = {
        "id": lambda p: str(d.user_id(p)),
        "mail": lambda p: (p.work_email or "").lower(),
        "departmentId": lambda p: str(s.dept_ids[p.department_id]),
        "legalEntityId": lambda p: str(s.establishment_ids[p.site_id]),
    }
    for name, get in simple.items():
        wanted = params.get(name)
        if wanted is not None:
            values = {v.strip().lower() for v in wanted.split(",")}
            people = [p for p in people if get(p).lower() in values]
    return people


# --- the app --------------------------------------------------------------------------------


class _RateLimiter(MinuteWindow):
    """The documented 50 requests in any 60 seconds, shared by every client of the tenant."""

    def check(self) -> None:
        counted, _count, age = self.hit()
        if not counted:
            wait = max(1, math.ceil(60 - age))
            raise LuccaError(429, None, {"Retry-After": str(wait)})


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    enforce_rate_limit: bool = False,
) -> FastAPI:
    """A Lucca emulator over ``company``, accepting one API key (see CREDENTIALS).

    ``enforce_rate_limit`` turns on the documented 50-requests-a-minute limit.
    """
    faults = faults if faults is not None else Faults()
    expected = f"lucca application={credentials['api_key']}"
    limiter = _RateLimiter(RATE_LIMIT) if enforce_rate_limit else None
    structure = _Structure(company)

    app = vendor_app("Lucca emulator (rostersync sandbox)", company, faults, error_body=_error_body)

    def authenticate(request: Request) -> None:
        supplied = " ".join(request.headers.get("authorization", "").split())
        if not secrets.compare_digest(supplied.encode(), expected.encode()):
            raise LuccaError(401)
        if limiter is not None:
            limiter.check()

    memo = CompanyMemo(company)

    def directory_at(base: str) -> _Directory:
        return memo.get(("directory", base), lambda: _Directory(company, structure, base))

    def directory(request: Request) -> _Directory:
        authenticate(request)
        return directory_at(str(request.base_url).rstrip("/"))

    @app.get("/api/v3/users")
    async def users(request: Request) -> Response:
        d = directory(request)
        query = tuple(request.query_params.get(name) for name in _USER_FILTERS)
        listed = memo.get(
            ("users", d.base, query), lambda: _users_list(request, directory_at(d.base))
        )
        return _users_page(request, d, listed, faults.leak_sensitive_fields)

    @app.get("/api/v3/users/{user_id}")
    async def one_user(user_id: str, request: Request) -> Response:
        d = directory(request)
        leak = faults.leak_sensitive_fields
        for person in d.people:
            if str(d.user_id(person)) == user_id:
                tree = _parse_fields(request.query_params.get("fields"))
                data = _chosen(d.user(person, leak), tree, leak)
                return _json({"header": _header(request), "data": data})
        raise LuccaError(404, f"User {user_id} not found")

    @app.get("/api/v3/{resource}")
    @app.get("/api/v3/{resource}/{rest:path}")
    async def retired(resource: str) -> Response:
        successor = _RETIRED.get(resource.lower())
        if successor is None:
            raise LuccaError(404)
        raise LuccaError(
            410, f"This endpoint stopped responding in September 2026; use {successor}"
        )

    @app.get(f"{STRUCTURE}/departments")
    async def departments(request: Request) -> Response:
        authenticate(request)
        return _v4_page(request, structure.departments)

    @app.get(f"{STRUCTURE}/departments/{{department_id}}")
    async def one_department(department_id: str, request: Request) -> Response:
        authenticate(request)
        found = (
            structure.department_by_id.get(int(department_id)) if department_id.isdigit() else None
        )
        if found is None:
            raise LuccaError(404, f"Department {department_id} not found")
        return _json(found)

    @app.get(f"{STRUCTURE}/establishments")
    async def establishments(request: Request) -> Response:
        authenticate(request)
        params = request.query_params
        archived = params.get("isArchived", "false").lower()
        states = {
            "true": {True},
            "false": {False},
            "true,false": {True, False},
            "false,true": {True, False},
        }
        if archived not in states:
            raise LuccaError(400, "isArchived takes true, false or true,false")
        ids = _ints(params.get("id"), "id")
        units = _ints(params.get("legalUnitId"), "legalUnitId")
        search = params.get("search", "").lower()
        items = [
            e
            for e in structure.establishments
            if e["isArchived"] in states[archived]
            and (ids is None or e["id"] in ids)
            and (units is None or e["legalUnitId"] in units)
            and search in e["name"].lower()
        ]
        return _v4_page(request, items)

    return app
