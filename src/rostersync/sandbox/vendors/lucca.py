"""Lucca directory API (v3) emulator, written from Lucca's public API reference.

It serves, at the root (the real host is the customer's ``https://{account}.ilucca.net``):

=====  =============================  =========================================================
verb   path                           notes
=====  =============================  =========================================================
GET    /api/v3/users                  ``fields``, ``paging``, ``formerEmployees``,
                                      ``dtContractStart`` / ``dtContractEnd``, ``id``, ``mail``,
                                      ``departmentId``, ``legalEntityId``, ``modifiedAt``
GET    /api/v3/users/{id}             one user
GET    /api/v3/departments            ``fields``, ``paging``, ``isActive``
GET    /api/v3/legalEntities          ``fields``, ``paging`` (one per country the company has)
=====  =============================  =========================================================

Behaviour copied from the docs:

- Auth: ``Authorization: lucca application={api_key}``; anything else answers 401.
- Answers are ``{"header": {...}, "data": {"items": [...]}}`` (one object: ``"data": {...}``).
- Without ``fields`` an item is only ``id``, ``name`` and ``url``; ``fields`` takes a comma list
  with nested selections as ``department.name`` or ``department[id,name]``; ``collection.count``
  adds ``data.count``. Unknown fields are a 400.
- ``paging={offset},{limit}``; the maximum limit is 1000. Without ``paging`` at most 1000 items
  come back [guess: the docs give no default].
- Former employees (contract ended before today) are left out unless ``formerEmployees=true``
  or a ``dtContractEnd`` filter (``notequal,null``, ``since,YYYY-MM-DD``, ...) asks for them.
  Future hires are listed (their contract exists). Lucca has no leave status on users.
- Dates are ``YYYY-MM-DDT00:00:00``; ids are integers.
- Users documented fields include ``birthDate``; it is present when asked for. Private contact,
  address, bank and salary data (extended data in Lucca) only come with
  ``faults.leak_sensitive_fields``, which also adds them to every item whatever ``fields`` says.
- Departments carry ``isActive`` (archived ones false), ``parentId``, ``level``.
- Legal entities carry ``countryCode`` as ISO alpha-2 [guess: the v3 reference shows only the
  ``legalEntity`` reference on users]; a user's legal entity is the one of its site's country.
- Errors: ``{"status": n, "message": ...}`` [guess: the shape is not documented].

Control endpoints (not Lucca's) live under ``/_sandbox``.
"""

# Sources (stored copies, read 2026-11):
#   https://developers.lucca.fr/api-reference/legacy/directory/list-users (+ .md, the OpenAPI
#   directory-v3.yaml excerpt: query parameters, example body)
#   https://developers.lucca.fr/fr/api/users/users
#   https://developers.lucca.fr/api-reference/legacy/directory/guides/users-migration

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.vendor_app import VendorError, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "MAX_LIMIT", "create_app"]

CREDENTIALS = ("api_key",)
"""The key of ``credentials``: the API key sent as ``lucca application={api_key}``."""

MAX_LIMIT = 1000

_MESSAGES = {
    400: "Bad Request",
    401: "Unauthorized: a valid 'lucca application' key is required",
    403: "Forbidden: this key may not access this resource",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_LEGAL_SUFFIX = {"GB": "Ltd", "DE": "GmbH", "US": "Inc.", "FR": "SAS", "ES": "S.L."}


class LuccaError(VendorError):
    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(status, message or _MESSAGES.get(status, "Error"))


def _error_body(status: int, message: str | None = None) -> bytes:
    return json.dumps({"status": status, "message": message or _MESSAGES.get(status)}).encode()


def _stamp(value: date | None) -> str | None:
    return f"{value.isoformat()}T00:00:00" if value else None


# --- field selection ------------------------------------------------------------------------


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


# --- rendering ------------------------------------------------------------------------------


class _Directory:
    """The company in Lucca's shapes, with integer ids derived deterministically."""

    def __init__(self, company: SyntheticCompany, base: str) -> None:
        self.company = company
        self.base = base
        self.people = company.people()
        self.by_id = {p.id: p for p in self.people}
        self.dept_ids = {d.id: 10 + i for i, d in enumerate(company.departments)}
        countries = sorted({s.country_code for s in company.sites})
        self.entity_ids = {code: i + 1 for i, code in enumerate(countries)}

    @staticmethod
    def user_id(person: SyntheticPerson) -> int:
        return 400 + person.employee_number

    def ref(self, kind: str, object_id: int, name: str) -> dict[str, Any]:
        return {"id": object_id, "name": name, "url": f"{self.base}/api/v3/{kind}/{object_id}"}

    def legal_entity(self, code: str) -> dict[str, Any]:
        entity_id = self.entity_ids[code]
        return {
            **self.ref("legalEntities", entity_id, self._entity_name(code)),
            "code": code,
            "countryCode": code,
        }

    def _entity_name(self, code: str) -> str:
        return f"{self.company.name} {_LEGAL_SUFFIX.get(code, 'Ltd')}"

    def department(self, index: int) -> dict[str, Any]:
        dept = self.company.departments[index]
        dept_id = self.dept_ids[dept.id]
        root = self.company.departments[0]
        parent = None if index == 0 else self.dept_ids[root.id]
        return {
            **self.ref("departments", dept_id, dept.name),
            "code": dept.name[:3].upper(),
            "hierarchy": f"/{self.dept_ids[root.id]}/" + ("" if index == 0 else f"{dept_id}/"),
            "parentId": parent,
            "isActive": not dept.archived,
            "level": 0 if index == 0 else 1,
            "sortOrder": index,
        }

    def user(self, p: SyntheticPerson, leak: bool) -> dict[str, Any]:
        site = self.company.site(p.site_id)
        dept = self.company.department(p.department_id)
        dept_id = self.dept_ids[dept.id]
        entity_id = self.entity_ids[site.country_code]
        manager = self.by_id.get(p.manager_id) if p.manager_id else None
        login = (p.work_email or f"user{p.employee_number}").split("@")[0]
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
            "employeeNumber": f"{p.employee_number:05d}",
            "jobTitle": None,
            "legalEntityId": entity_id,
            "legalEntity": self.ref(
                "legalEntities", entity_id, self._entity_name(site.country_code)
            ),
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


def _items(request: Request, items: list[dict[str, Any]], kind: str, leak: bool) -> Response:
    params = request.query_params
    tree = _parse_fields(params.get("fields"))
    count = tree.pop("collection", {}).pop("count", None) is not None
    offset, limit = _paging(params.get("paging"))
    page = items[offset : offset + limit]
    selected = []
    for item in page:
        chosen = _select(item, tree, kind) if tree else {}
        if leak:
            chosen.update({k: v for k, v in item.items() if k not in chosen})
        selected.append(chosen)
    data: dict[str, Any] = {"items": selected}
    if count:
        data["count"] = len(items)
    return _json({"header": _header(request), "data": data})


# --- the app --------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Lucca emulator over ``company``, accepting one API key (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    expected = f"lucca application={credentials['api_key']}"

    app = vendor_app("Lucca emulator (rostersync sandbox)", company, faults, error_body=_error_body)

    def directory(request: Request) -> _Directory:
        supplied = " ".join(request.headers.get("authorization", "").split())
        if not secrets.compare_digest(supplied.encode(), expected.encode()):
            raise LuccaError(401)
        return _Directory(company, str(request.base_url).rstrip("/"))

    def users_list(request: Request, d: _Directory) -> list[SyntheticPerson]:
        params = request.query_params
        people = d.people
        end_filter = params.get("dtContractEnd")
        if end_filter is not None:
            test = _date_filter(end_filter)
            people = [p for p in people if test(p.termination_date)]
        elif params.get("formerEmployees", "false").lower() != "true":
            people = [
                p
                for p in people
                if p.termination_date is None or p.termination_date >= company.today
            ]
        start_filter = params.get("dtContractStart")
        if start_filter is not None:
            test = _date_filter(start_filter)
            people = [p for p in people if test(p.start_date)]
        simple: dict[str, Callable[[SyntheticPerson], str]] = {
            "id": lambda p: str(d.user_id(p)),
            "mail": lambda p: (p.work_email or "").lower(),
            "departmentId": lambda p: str(d.dept_ids[p.department_id]),
            "legalEntityId": lambda p: str(d.entity_ids[company.site(p.site_id).country_code]),
        }
        for name, get in simple.items():
            wanted = params.get(name)
            if wanted is not None:
                values = {v.strip().lower() for v in wanted.split(",")}
                people = [p for p in people if get(p).lower() in values]
        return people

    @app.get("/api/v3/users")
    async def users(request: Request) -> Response:
        d = directory(request)
        leak = faults.leak_sensitive_fields
        items = [d.user(p, leak) for p in users_list(request, d)]
        return _items(request, items, "user", leak)

    @app.get("/api/v3/users/{user_id}")
    async def one_user(user_id: str, request: Request) -> Response:
        d = directory(request)
        leak = faults.leak_sensitive_fields
        for person in d.people:
            if str(d.user_id(person)) == user_id:
                item = d.user(person, leak)
                tree = _parse_fields(request.query_params.get("fields"))
                chosen = _select(item, tree, "user")
                if leak:
                    chosen.update({k: v for k, v in item.items() if k not in chosen})
                return _json({"header": _header(request), "data": chosen})
        raise LuccaError(404, f"User {user_id} not found")

    @app.get("/api/v3/departments")
    async def departments(request: Request) -> Response:
        d = directory(request)
        items = [d.department(i) for i in range(len(company.departments))]
        active = request.query_params.get("isActive")
        if active is not None:
            items = [i for i in items if str(i["isActive"]).lower() == active.lower()]
        return _items(request, items, "department", False)

    @app.get("/api/v3/legalEntities")
    async def legal_entities(request: Request) -> Response:
        d = directory(request)
        items = [d.legal_entity(code) for code in d.entity_ids]
        return _items(request, items, "legalEntity", False)

    return app
