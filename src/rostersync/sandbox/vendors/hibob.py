"""HiBob ("Bob") public API emulator, written from HiBob's public documentation.

It serves, at the root (the real base URL is ``https://api.hibob.com``):

=====  ==================================================  ====================================
verb   path                                                notes
=====  ==================================================  ====================================
POST   /v1/people/search                                   body ``fields``, ``filters``,
                                                           ``showInactive``, ``humanReadable``;
                                                           ``{"employees": [...]}``, no paging
POST   /v1/people/{identifier}                             one employee by backend id or email
GET    /v1/people/{id}/lifecycle                           lifecycle table: ``{"values": [...]}``
GET    /v1/company/people/fields                           field metadata (the catalog below)
GET    /v1/company/named-lists                             every list, keyed by list name
GET    /v1/company/named-lists/{listName}                  ``department`` and ``site``;
                                                           ``?includeArchived=true``
POST   /v1/employers/search                                one employer per site country;
                                                           cursor paging
POST   /v1/employers/{employerId}/work-locations/search    the sites, with their country
=====  ==================================================  ====================================

Behaviour copied from the docs:

- Auth is HTTP Basic with the service user id as username and the token as password; anything
  else answers 401 ``{"key": ..., "error": ...}`` (the documented ``Error`` schema).
- ``fields`` takes dot field ids (``root.id``, ``work.department``...). Unknown ids are
  silently left out with 200, as HiBob does for invalid or unpermitted fields; more than 400
  ids is a 400. Without ``fields`` the default set is returned (basic root fields + work).
- ``filters``: at most one object, ``fieldPath`` ``root.id`` or ``root.email``, ``operator``
  ``equals``, non-empty ``values``; anything else, ``filters: []`` included, is a 400.
- ``showInactive`` (default false) returns only ``internal.status == "Active"`` people; true
  adds the Inactive ones (hired-not-started, terminated, and leave without "remain active").
- Each employee carries every returned field twice: a flat key ``"/work/department":
  {"value": ...}`` and the nested form ``{"work": {"department": ...}}``; ``id`` is always
  present at the top. List fields hold list item ids (strings); ``work.site`` holds the site
  name; ``work.siteId`` an integer; dates are ``YYYY-MM-DD``; ``root.creationDateTime`` is ISO
  with microseconds and no zone. ``humanReadable: "APPEND"`` adds a ``humanReadable`` node,
  ``"REPLACE"`` swaps values for display ones (list names, ``DD/MM/YYYY`` dates).
- Status: ``internal.lifecycleStatus`` ``employed`` / ``hired`` / ``leave`` / ``terminated``
  and ``internal.status`` ``Active`` / ``Inactive`` (leave is Active for one person in three:
  Bob's "remain active" option), ``internal.terminationDate``.
- Garden leave (:meth:`SyntheticCompany.garden_leave`): until the last day of work the person
  is ``employed`` / ``Active`` with the future ``internal.terminationDate`` already set; from
  the first day away until the termination date, lifecycle ``garden leave`` and ``Inactive``
  (access is "Active until their last day of work"), so ``showInactive: false`` hides them.
- Rehire: same backend id, ``work.startDate`` the new start, the old spell kept as rows of the
  lifecycle table; ``internal.terminationDate`` keeps the old date [unverified: the docs never
  say it is cleared].
- Site country: ``address.siteCountry`` (country name) on the employee, and the Employer API's
  ``/workLocation/country``; named-list items carry no country.

Where the docs are silent the emulator guesses, and the guesses are marked ``[guess]`` below.
Sensitive fields (home address, private contact, birth date, gender, IBAN, salary, ethnicity,
custom time-off and performance fields) exist in the catalog but are never in the default set;
with ``faults.leak_sensitive_fields`` every field is returned whatever was asked.

Control endpoints (not HiBob's) live under ``/_sandbox``; see :mod:`rostersync.sandbox.control`.
"""

# Sources (stored copies of the public docs, read 2026-11):
#   https://apidocs.hibob.com/reference/authorization
#   https://apidocs.hibob.com/reference/post_people-search
#   https://apidocs.hibob.com/docs/people-read-api-contract
#   https://apidocs.hibob.com/reference/post_people-identifier
#   https://apidocs.hibob.com/docs/how-to-read-employee-data
#   https://apidocs.hibob.com/docs/how-to-work-with-lists-public-api
#   https://apidocs.hibob.com/docs/fields-metadata
#   https://apidocs.hibob.com/docs/create-employee (field metadata example)
#   https://apidocs.hibob.com/reference/get_company-people-fields
#   https://apidocs.hibob.com/reference/get_company-named-lists-listname
#   https://apidocs.hibob.com/reference/error-handling
#   https://apidocs.hibob.com/reference/rate-limiting
#   https://apidocs.hibob.com/reference/work-locations
#   https://apidocs.hibob.com/reference/post_employers-search
#   https://apidocs.hibob.com/reference/post_employers-employerid-work-locations-search
#   https://help.hibob.com/hc/en-us/articles/4409776355857 (lifecycle statuses, Garden leave:
#     "employment termination date is in the future, but their last day of work is before the
#     termination date. Their access status to Bob is Active until their last day of work")
#   https://help.hibob.com/en/articles/1593405-employee-life-cycle-statuses (older: "listed as
#     Garden Leave from their last day until their date of termination")
#   https://apidocs.hibob.com/reference/post_webhook_employee-left ("set as terminated or on
#     Garden leave (whichever occurs first), once the corresponding lifecycle entry becomes
#     effective")
#   https://help.hibob.com/hc/en-us/articles/4409792633361-Rehire-a-terminated-employee
#     (new start date after the termination date; "a previous start and termination dates are
#     stored in the Lifecycle status table")
#   https://apidocs.hibob.com/reference/get_people-id-lifecycle (LifeCycleEntry: TableEntry id,
#     reason, effectiveDate + status, reasonType; in the OpenAPI below)
#   https://apidocs.hibob.com/reference/post_employees-identifier-terminate (EmployeeTermination:
#     terminationDate 2025-09-23 with lastDayOfWork 2025-09-22 in its example)
#   HiBob's published OpenAPI (as vendored in konfig-sdks/hi-bob-java-sdk api/openapi.yaml):
#   ReadEmployeesRequestReference, EmployeeFilter, List, ListItem, Field, Error schemas.
#   Response shapes cross-checked with captured payloads in public client code.

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from rostersync.sandbox.company import (
    Department,
    PersonStatus,
    Site,
    SyntheticCompany,
    SyntheticPerson,
)
from rostersync.sandbox.faults import Fault, Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    MinuteWindow,
    VendorError,
    basic_ok,
    error_response,
    vendor_app,
)
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["FIELD_IDS", "SENSITIVE_FIELD_IDS", "create_app"]

MAX_FIELDS = 400  # documented limit on `fields`
EMPLOYER_MAX_FIELDS = 50  # [guess] seen enforced by a public client, not in the docs
DOCUMENTED_RATE_LIMIT = 50  # people/search requests per minute


# --- errors ---------------------------------------------------------------------------------


class HiBobError(VendorError):
    """Rendered as the documented ``Error`` schema: ``{"key": ..., "error": ...}``."""

    def __init__(
        self, status: int, key: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status, message, headers)
        self.key = key


# [guess] the key values; the docs show the shape only.
_ERROR_TEXT: dict[int, tuple[str, str]] = {
    400: ("bad.request", "Bad request"),
    401: ("unauthorized", "Unauthorized: invalid service user credentials"),
    403: (
        "forbidden",
        "Forbidden. The service user does not have permissions to access this table or employees.",
    ),
    404: ("not.found", "Not found"),
    405: ("method.not.allowed", "Method not allowed"),
    429: ("too.many.requests", "Too Many Requests"),
    500: ("internal.error", "Internal server error"),
    502: ("bad.gateway", "Bad gateway"),
    503: ("service.unavailable", "Service unavailable"),
    504: ("gateway.timeout", "Gateway timeout"),
}


def _error_body(status: int, message: str | None = None, key: str | None = None) -> bytes:
    default_key, default_text = _ERROR_TEXT.get(status, ("error", "Error"))
    return json.dumps({"key": key or default_key, "error": message or default_text}).encode()


def _rate_headers(limit: int, remaining: int, reset_epoch: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(0, remaining)),
        "X-RateLimit-Reset": str(reset_epoch),
    }


def _render_fault(status: int, _fault: Fault | None) -> tuple[bytes, dict[str, str]]:
    headers: dict[str, str] = {}
    if status == 429:
        headers = _rate_headers(DOCUMENTED_RATE_LIMIT, 0, int(time.time()) + 60)
    return _error_body(status), headers


def _error_response(exc: VendorError) -> Response:
    key = exc.key if isinstance(exc, HiBobError) else None
    return error_response(_error_body(exc.status, exc.message, key), exc.status, exc.headers)


# --- field catalog --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What rendering one request needs besides the person."""

    company_id: int
    departments: dict[str, Department]
    sites: dict[str, Site]
    people: dict[str, SyntheticPerson]
    managers: frozenset[str]
    today: date


Getter = Callable[[SyntheticPerson, _Ctx], Any]
Humanizer = Callable[[Any, _Ctx], Any]


@dataclass(frozen=True, slots=True)
class _Field:
    id: str
    category: str
    category_name: str
    name: str
    type: str
    get: Getter
    human: Humanizer | None = None
    list_id: str | None = None
    historical: bool = False
    default: bool = False
    sensitive: bool = False

    @property
    def json_path(self) -> str:
        return self.id.removeprefix("root.")

    @property
    def flat_key(self) -> str:
        return "/" + self.id.replace(".", "/")

    def humanize(self, value: Any, ctx: _Ctx) -> Any:
        if value is None:
            return None
        if self.human is not None:
            return self.human(value, ctx)
        if self.type == "date":
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        if self.type == "boolean":
            return "Yes" if value else "No"
        if isinstance(value, int | float):
            return str(value)
        return value


# [guess] the machine value: Bob documents the status by its label ("Garden leave") only; the
# other values are lower-case labels, so this is too.
GARDEN_LEAVE = "garden leave"

_LIFECYCLE_LABEL = {
    "employed": "Employed",
    "hired": "Hired",
    "leave": "Leave",
    "terminated": "Terminated",
    GARDEN_LEAVE: "Garden leave",
}


def _on_garden_leave(person: SyntheticPerson, today: date) -> bool:
    """Past the last day of work, not yet past the termination date."""
    start = person.garden_leave_start
    return (
        person.status is PersonStatus.ACTIVE
        and start is not None
        and person.termination_date is not None
        and start <= today <= person.termination_date
    )


def _lifecycle(person: SyntheticPerson, today: date) -> tuple[str, str]:
    """(internal.lifecycleStatus, internal.status) for a neutral status."""
    if _on_garden_leave(person, today):
        # Bob's help: Garden leave is "employment termination date is in the future, but their
        # last day of work is before the termination date", and access is "Active until their
        # last day of work" -- so Inactive while on it, and showInactive=false leaves them out.
        return GARDEN_LEAVE, "Inactive"
    if person.status is PersonStatus.ACTIVE:
        return "employed", "Active"
    if person.status is PersonStatus.ON_LEAVE:
        # Bob lets an admin keep a person on leave Active ("remain active"); by default leave
        # makes them Inactive. One in three keeps access here, so both paths get exercised.
        return "leave", "Active" if int(person.id) % 3 == 0 else "Inactive"
    if person.status is PersonStatus.TERMINATED:
        return "terminated", "Inactive"
    return "hired", "Inactive"


def _termination_date(person: SyntheticPerson) -> date | None:
    """``internal.terminationDate``: the current spell's, else the last ended spell's.

    Bob's help on rehiring: the rehire "will update the employee's start date to reflect their
    newest start date" and "previous start and termination date[s] are stored in the Lifecycle
    status table"; it never says the termination date field is cleared. [unverified] So the old
    date is left in place after a rehire, the case issue 12.3 guards against.
    """
    if person.termination_date is not None:
        return person.termination_date
    return person.past_employments[-1][1] if person.past_employments else None


def _lifecycle_entries(person: SyntheticPerson, today: date) -> list[dict[str, Any]]:
    """``GET /v1/people/{id}/lifecycle`` rows (TableEntry + LifeCycleEntry), oldest first."""
    rows: list[tuple[date, str]] = []
    for start, end in person.past_employments:
        rows += [(start, "employed"), (end, "terminated")]  # [guess] effective on the end date
    if person.start_date > today:
        rows.append((person.start_date, "hired"))
    else:
        rows.append((person.start_date, "employed"))
    if person.garden_leave_start is not None:
        # [guess] effective on the first day away; a community thread reads it as the last
        # day of work. The webhook fires "once the corresponding lifecycle entry becomes
        # effective", so either way the entry exists before it takes effect.
        rows.append((person.garden_leave_start, GARDEN_LEAVE))
    if person.termination_date is not None:
        rows.append((person.termination_date, "terminated"))
    elif person.status is PersonStatus.ON_LEAVE:
        rows.append((max(person.start_date, today), "leave"))
    base = int(person.id[-6:]) * 10
    return [
        {
            "id": base + i,
            "effectiveDate": day.isoformat(),
            "status": status,
            "reason": None,
            "reasonType": None,
        }
        for i, (day, status) in enumerate(rows)
    ]


def _manager(person: SyntheticPerson, ctx: _Ctx) -> SyntheticPerson | None:
    return ctx.people.get(person.manager_id) if person.manager_id else None


def _reports_to(person: SyntheticPerson, ctx: _Ctx) -> dict[str, Any] | None:
    manager = _manager(person, ctx)
    if manager is None:
        return None
    return {
        "id": manager.id,
        "firstName": manager.first_name,
        "surname": manager.last_name,
        "email": manager.work_email,
        "displayName": manager.display_name,
    }


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _site(person: SyntheticPerson, ctx: _Ctx) -> Site:
    return ctx.sites[person.site_id]


def _f(
    field_id: str,
    category: tuple[str, str],
    name: str,
    type_: str,
    get: Getter,
    **extra: Any,
) -> _Field:
    return _Field(field_id, category[0], category[1], name, type_, get, **extra)


_ROOT = ("root", "Basic info")
_ABOUT = ("about", "About")
_WORK = ("work", "Work")
_LIFECYCLE = ("lifecycle", "Lifecycle")  # [guess] category id; permission is "Lifecycle"
_ADDRESS = ("address", "Address")
_CONTACT = ("personalContact", "Personal contact details")
_PERSONAL = ("personal", "Personal")
_FINANCIAL = ("financial", "Financial")
_PAYROLL = ("payroll", "Payroll")
_EEO = ("eeo", "EEO")

# Custom field ids look like Bob's generated ones; custom fields are never returned by default.
TIME_OFF_FIELD = "work.custom.field_1716803042711"
PERFORMANCE_FIELD = "work.custom.field_1716803099120"

_CATALOG: tuple[_Field, ...] = (
    _f("root.id", _ROOT, "ID", "text", lambda p, _c: p.id, default=True),
    _f("root.companyId", _ROOT, "Company ID", "number", lambda _p, c: c.company_id, default=True),
    _f("root.email", _ABOUT, "Email", "text", lambda p, _c: p.work_email, default=True),
    _f("root.firstName", _ROOT, "First name", "text", lambda p, _c: p.first_name, default=True),
    _f("root.surname", _ROOT, "Last name", "text", lambda p, _c: p.last_name, default=True),
    _f(
        "root.displayName",
        _ROOT,
        "Display name",
        "text",
        lambda p, _c: p.display_name,
        default=True,
    ),
    _f("root.fullName", _ROOT, "Full name", "text", lambda p, _c: p.display_name, default=True),
    _f(
        "root.creationDateTime",
        _ROOT,
        "Creation timestamp",
        "time",
        lambda p, _c: p.created_at.replace(tzinfo=None).isoformat(timespec="microseconds"),
        human=lambda v, _c: v,
        default=True,
    ),
    _f("root.avatarUrl", _ROOT, "Avatar URL", "text", lambda _p, _c: None, default=True),
    _f(
        "work.startDate",
        _WORK,
        "Start date",
        "date",
        lambda p, _c: p.start_date.isoformat(),
        default=True,
    ),
    _f(
        "work.department",
        _WORK,
        "Department",
        "list",
        lambda p, _c: p.department_id,
        human=lambda v, c: c.departments[v].name if v in c.departments else v,
        list_id="department",
        historical=True,
        default=True,
    ),
    # [guess] type: captured payloads show the site *name* here even in machine format.
    _f(
        "work.site",
        _WORK,
        "Site",
        "text",
        lambda p, c: _site(p, c).name,
        historical=True,
        default=True,
    ),
    _f(
        "work.siteId",
        _WORK,
        "Site ID",
        "number",
        lambda p, _c: int(p.site_id),
        human=lambda v, c: c.sites[str(v)].name if str(v) in c.sites else str(v),
        historical=True,
        default=True,
    ),
    _f(
        "work.manager",
        _WORK,
        "Manager",
        "employee-reference",
        lambda p, c: m.id if (m := _manager(p, c)) else None,
        human=lambda v, c: c.people[v].display_name if v in c.people else v,
        default=True,
    ),
    _f(
        "work.reportsTo",
        _WORK,
        "Reports to",
        "employee",
        _reports_to,
        human=lambda v, _c: v["displayName"],
        historical=True,
        default=True,
    ),
    _f(
        "work.reportsToIdInCompany",
        _WORK,
        "Reports to ID in company",
        "number",
        lambda p, c: m.employee_number if (m := _manager(p, c)) else None,
        default=True,
    ),
    _f(
        "work.employeeIdInCompany",
        _WORK,
        "Employee ID in company",
        "number",
        lambda p, _c: p.employee_number,
        default=True,
    ),
    _f("work.isManager", _WORK, "Is manager", "boolean", lambda p, c: p.id in c.managers),
    _f(
        "internal.status",
        _LIFECYCLE,
        "Status",
        "text",
        lambda p, c: _lifecycle(p, c.today)[1],
    ),
    _f(
        "internal.lifecycleStatus",
        _LIFECYCLE,
        "Lifecycle status",
        "text",
        lambda p, c: _lifecycle(p, c.today)[0],
        human=lambda v, _c: _LIFECYCLE_LABEL.get(v, v),
    ),
    _f(
        "internal.terminationDate",
        _LIFECYCLE,
        "Termination date",
        "date",
        lambda p, _c: _date(_termination_date(p)),
    ),
    _f(
        "address.siteCountry",
        _ADDRESS,
        "Site country",
        "text",
        lambda p, c: _site(p, c).country_name,
    ),
    _f("address.siteCity", _ADDRESS, "Site city", "text", lambda p, c: _site(p, c).city),
    # --- sensitive: never requested by the product, returned only when leaking ---
    _f(
        "address.line1",
        _ADDRESS,
        "Address line 1",
        "text",
        lambda p, _c: p.home_address.line1 if p.home_address else None,
        sensitive=True,
    ),
    _f(
        "address.city",
        _ADDRESS,
        "City",
        "text",
        lambda p, _c: p.home_address.city if p.home_address else None,
        sensitive=True,
    ),
    _f(
        "address.postCode",
        _ADDRESS,
        "Postal code",
        "text",
        lambda p, _c: p.home_address.postcode if p.home_address else None,
        sensitive=True,
    ),
    _f(
        "address.country",
        _ADDRESS,
        "Country",
        "text",
        lambda p, _c: p.home_address.country_name if p.home_address else None,
        sensitive=True,
    ),
    _f(
        "home.privateEmail",
        _CONTACT,
        "Personal email",
        "text",
        lambda p, _c: p.personal_email,
        sensitive=True,
    ),
    _f(
        "home.mobilePhone",
        _CONTACT,
        "Personal mobile",
        "text",
        lambda p, _c: p.personal_phone,
        sensitive=True,
    ),
    _f(
        "home.legalGender",
        _PERSONAL,
        "Legal gender",
        "text",
        lambda p, _c: p.gender.title(),
        sensitive=True,
    ),
    _f(
        "personal.birthDate",
        _PERSONAL,
        "Birth date",
        "date",
        lambda p, _c: _date(p.date_of_birth),
        sensitive=True,
    ),
    _f("financial.iban", _FINANCIAL, "IBAN", "text", lambda p, _c: p.bank_account, sensitive=True),
    _f(
        "payroll.salary.yearlyPayment",
        _PAYROLL,
        "Yearly payment",
        "number",
        lambda p, _c: p.salary,
        sensitive=True,
    ),
    _f(
        "payroll.salary.payment",
        _PAYROLL,
        "Base salary",
        "currency",
        lambda p, _c: {"value": p.salary, "currency": p.salary_currency},
        human=lambda v, _c: f"{v['value']} {v['currency']}",
        sensitive=True,
    ),
    _f("eeo.ethnicity", _EEO, "Ethnicity", "text", lambda p, _c: p.ethnicity, sensitive=True),
    _f(
        TIME_OFF_FIELD,
        _WORK,
        "Time off balance (days)",
        "number",
        lambda p, _c: p.time_off_balance,
        sensitive=True,
    ),
    _f(
        PERFORMANCE_FIELD,
        _WORK,
        "Performance note",
        "text-area",
        lambda p, _c: p.performance_note,
        sensitive=True,
    ),
)

_BY_ID: dict[str, _Field] = {f.id: f for f in _CATALOG}
_DEFAULT: tuple[_Field, ...] = tuple(f for f in _CATALOG if f.default)
FIELD_IDS: tuple[str, ...] = tuple(f.id for f in _CATALOG)
SENSITIVE_FIELD_IDS: frozenset[str] = frozenset(f.id for f in _CATALOG if f.sensitive)
_REPORTS_TO_KEYS = ("id", "firstName", "surname", "email", "displayName")


def _reports_to_subfield(field_id: str) -> _Field | None:
    """``work.reportsTo.email`` and friends, which captured payloads show being accepted."""
    prefix, _, key = field_id.rpartition(".")
    if prefix != "work.reportsTo" or key not in _REPORTS_TO_KEYS:
        return None

    def get(person: SyntheticPerson, ctx: _Ctx) -> Any:
        reports_to = _reports_to(person, ctx)
        return reports_to[key] if reports_to else None

    return _Field(field_id, "work", "Work", f"Reports to {key}", "text", get)


def _field_metadata(field: _Field) -> dict[str, Any]:
    return {
        "id": field.id,
        "categoryId": field.category,
        "categoryDisplayName": field.category_name,
        "category": field.category,
        "name": field.name,
        "description": None,
        "jsonPath": field.json_path,
        "type": field.type,
        "typeData": {"listId": field.list_id} if field.list_id else {},
        "historical": field.historical,
    }


# --- request parsing ------------------------------------------------------------------------


async def _json_object(request: Request, *, required: bool = False) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise HiBobError(400, "bad.request", "Request body is required")
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise HiBobError(400, "bad.request", "Malformed JSON request body") from None
    if not isinstance(data, dict):
        raise HiBobError(400, "bad.request", "Request body must be a JSON object")
    return data


def _bad(message: str) -> HiBobError:
    return HiBobError(400, "bad.request", message)


def _parse_fields(raw: Any, *, leak: bool) -> tuple[_Field, ...]:
    if raw is not None and (not isinstance(raw, list) or not all(isinstance(f, str) for f in raw)):
        raise _bad("fields must be an array of field ids")
    if raw is not None and len(raw) > MAX_FIELDS:
        raise _bad(f"Too many fields requested; the maximum is {MAX_FIELDS}")
    if leak:
        return _CATALOG
    if not raw:
        return _DEFAULT
    chosen: dict[str, _Field] = {}
    for field_id in raw:
        field = _BY_ID.get(field_id) or _reports_to_subfield(field_id)
        if field is not None:  # unknown ids are dropped silently, as Bob does
            chosen.setdefault(field.id, field)
    return tuple(chosen.values())


def _parse_filter(raw: Any) -> tuple[str, frozenset[str]] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise _bad("filters must be an array with one filter; omit it to read everyone")
    if len(raw) > 1:
        raise _bad("Only one filter is supported")
    item = raw[0]
    if not isinstance(item, dict):
        raise _bad("A filter must be an object")
    path, operator, values = item.get("fieldPath"), item.get("operator"), item.get("values")
    if path not in ("root.id", "root.email"):
        raise _bad(f"Unsupported filter fieldPath {path!r}; supported: root.id, root.email")
    if operator != "equals":
        raise _bad(f"Unsupported filter operator {operator!r}; supported: equals")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise _bad("Filter values must be a non-empty array of strings")
    if path == "root.email":
        return path, frozenset(v.lower() for v in values)
    return path, frozenset(values)


def _parse_human(raw: Any) -> str | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and raw.upper() in ("APPEND", "REPLACE"):
        return raw.upper()
    raise _bad("humanReadable must be APPEND or REPLACE")


def _parse_bool(raw: Any, name: str) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise _bad(f"{name} must be a boolean")
    return raw


# --- rendering ------------------------------------------------------------------------------


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = target
    for key in parents:
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            return  # REPLACE turned the parent into a display string; nothing to nest into
        node = child
    if isinstance(node.get(leaf), dict) and isinstance(value, dict):
        node[leaf] = {**value, **node[leaf]}
    else:
        node[leaf] = value


def _render(
    person: SyntheticPerson, fields: Iterable[_Field], ctx: _Ctx, human: str | None
) -> dict[str, Any]:
    out: dict[str, Any] = {"id": person.id}
    readable: dict[str, Any] = {}
    for field in fields:
        value = field.get(person, ctx)
        shown = value
        if human is not None and value is not None:
            display = field.humanize(value, ctx)
            if human == "REPLACE":
                shown = display
            else:
                _set_path(readable, field.json_path, display)
        # Fresh copies: the flat and nested forms must not share a mutable object.
        out[field.flat_key] = {"value": dict(shown) if isinstance(shown, dict) else shown}
        _set_path(out, field.json_path, dict(shown) if isinstance(shown, dict) else shown)
    if human == "APPEND":
        out["humanReadable"] = readable
    return out


def _context(company: SyntheticCompany, company_id: int) -> tuple[_Ctx, list[SyntheticPerson]]:
    people = company.people()
    ctx = _Ctx(
        company_id=company_id,
        departments={d.id: d for d in company.departments},
        sites={s.id: s for s in company.sites},
        people={p.id: p for p in people},
        managers=frozenset(p.manager_id for p in people if p.manager_id),
        today=company.today,
    )
    return ctx, people


# --- employers and work locations -----------------------------------------------------------

_LEGAL_SUFFIX = {"GB": "Ltd", "DE": "GmbH", "US": "Inc.", "FR": "SAS", "ES": "S.L."}


def _employers(company: SyntheticCompany) -> list[dict[str, Any]]:
    """One employer per country the company has sites in, each owning those sites."""
    employers: dict[str, dict[str, Any]] = {}
    for site in company.sites:
        employer = employers.get(site.country_code)
        if employer is None:
            employer = employers[site.country_code] = {
                "/employer/id": str(700000 + 137 * (len(employers) + 1)),
                "/employer/legalName": (
                    f"{company.name} {_LEGAL_SUFFIX.get(site.country_code, 'Ltd')}"
                ),
                "/employer/country": site.country_name,  # [guess] name vs code
                "/employer/city": site.city,
                "/employer/employerStatus": "Active",
                "_sites": [],
            }
        employer["_sites"].append(site)
    return list(employers.values())


def _work_location(site: Site, employer_id: str) -> dict[str, Any]:
    # [guess] the link to people: /workLocation/id equals the people's work.siteId.
    return {
        "/workLocation/id": site.id,
        "/workLocation/employerId": employer_id,
        "/workLocation/name": site.name,
        "/workLocation/type": "Public",
        "/workLocation/status": "Active",
        "/workLocation/country": site.country_name,
        "/workLocation/city": site.city,
    }


def _cursor_offset(raw: Any) -> int:
    if raw is None:
        return 0
    if not isinstance(raw, str):
        raise _bad("cursor must be a string")
    try:
        decoded = base64.urlsafe_b64decode(raw.encode()).decode()
        kind, _, offset = decoded.partition(":")
        if kind != "o":
            raise ValueError(decoded)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad("Invalid cursor") from None


def _make_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _search_page(body: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The Employer API's search contract: required filters, fields, limit, cursor."""
    if "filters" not in body or not isinstance(body["filters"], list):
        raise _bad("filters is required; send [] to return everything")
    fields = body.get("fields")
    if fields is not None:
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise _bad("fields must be an array of field ids")
        if len(fields) > EMPLOYER_MAX_FIELDS:
            raise _bad(f"Too many fields requested; the maximum is {EMPLOYER_MAX_FIELDS}")
    limit = body.get("limit", 50)
    if limit is None:
        limit = 50
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 200:
        raise _bad("limit must be an integer from 1 to 200")
    offset = _cursor_offset(body.get("cursor"))

    for flt in body["filters"]:
        if not isinstance(flt, dict) or flt.get("operator") != "equals":
            raise _bad("Only equals filters are supported")
        path, values = flt.get("fieldPath"), flt.get("values")
        if not isinstance(values, list) or not values:
            raise _bad("Filter values must be a non-empty array")
        if not items or path not in items[0]:
            raise _bad(f"Unsupported filter fieldPath {path!r}")
        wanted = {str(v) for v in values}
        items = [i for i in items if str(i[path]) in wanted]

    page = items[offset : offset + limit]
    if fields:
        page = [{k: v for k, v in item.items() if k in fields} for item in page]
    more = offset + limit < len(items)
    return {
        "items": page,
        "response_metadata": {"next_cursor": _make_cursor(offset + limit) if more else None},
    }


# --- rate limit -----------------------------------------------------------------------------


class _RateLimiter(MinuteWindow):
    """Sliding one-minute window, as Bob's per-endpoint per-minute limits."""

    def check(self) -> dict[str, str]:
        counted, count, age = self.hit()
        reset = int(time.time() + 60 - age)
        if not counted:
            raise HiBobError(
                429, "too.many.requests", "Too Many Requests", _rate_headers(self.limit, 0, reset)
            )
        return _rate_headers(self.limit, self.limit - count, reset)


# --- the app --------------------------------------------------------------------------------


CREDENTIALS = ("service_user_id", "token")
"""The keys of ``credentials``: the service user's ID and token, as Bob shows them."""


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    rate_limit_per_minute: int | None = None,
) -> FastAPI:
    """A HiBob emulator over ``company``, accepting one service user (see CREDENTIALS).

    ``rate_limit_per_minute`` enforces Bob's per-minute limit on ``/v1/people/search``
    (documented: 50) with 429 and ``X-RateLimit-*`` headers; off by default so tests can
    call freely.
    """
    faults = faults if faults is not None else Faults()
    company_id = 100000 + company.seed % 900000
    limiter = _RateLimiter(rate_limit_per_minute) if rate_limit_per_minute else None
    expected = f"{credentials['service_user_id']}:{credentials['token']}".encode()

    app = vendor_app(
        "HiBob emulator (rostersync sandbox)",
        company,
        faults,
        respond=_error_response,
        render_fault=_render_fault,
    )

    memo = CompanyMemo(company)

    def context() -> tuple[_Ctx, list[SyntheticPerson]]:
        # One search answers everyone (no paging), but a lookup by id need not copy them all.
        return memo.get(("context",), lambda: _context(company, company_id))

    def authenticate(request: Request) -> None:
        if not basic_ok(request, expected):
            raise HiBobError(401, "unauthorized", _ERROR_TEXT[401][1])

    api = APIRouter(prefix="/v1", dependencies=[Depends(authenticate)])

    @api.post("/people/search")
    async def people_search(request: Request) -> Response:
        headers = limiter.check() if limiter else None
        body = await _json_object(request)
        fields = _parse_fields(body.get("fields"), leak=faults.leak_sensitive_fields)
        show_inactive = _parse_bool(body.get("showInactive"), "showInactive")
        flt = _parse_filter(body.get("filters"))
        human = _parse_human(body.get("humanReadable"))

        def build() -> dict[str, Any]:
            ctx, people = context()
            employees = []
            for person in people:
                if not show_inactive and _lifecycle(person, ctx.today)[1] != "Active":
                    continue
                if flt is not None:
                    path, values = flt
                    key = person.id if path == "root.id" else (person.work_email or "").lower()
                    if key not in values:
                        continue
                employees.append(_render(person, fields, ctx, human))
            return {"employees": employees}

        return _json(await run_in_threadpool(build), headers=headers)

    @api.post("/people/{identifier}")
    async def people_read(identifier: str, request: Request) -> Response:
        body = await _json_object(request)
        fields = _parse_fields(body.get("fields"), leak=faults.leak_sensitive_fields)
        human = _parse_human(body.get("humanReadable"))
        ctx, people = context()
        wanted = identifier.lower()
        for person in people:
            if person.id == identifier or (person.work_email or "").lower() == wanted:
                return _json(_render(person, fields, ctx, human))
        raise HiBobError(404, "not.found", "Employee not found")

    @api.get("/people/{identifier}/lifecycle")
    async def people_lifecycle(identifier: str) -> Response:
        for person in company.people():
            if person.id == identifier:
                return _json({"values": _lifecycle_entries(person, company.today)})
        raise HiBobError(404, "not.found", "Employee not found")

    @api.get("/company/people/fields")
    async def people_fields() -> Response:
        return _json([_field_metadata(f) for f in _CATALOG])

    def named_list(name: str, include_archived: bool) -> dict[str, Any]:
        entries: list[tuple[str, str, bool]]
        if name == "department":
            entries = [(d.id, d.name, d.archived) for d in company.departments]
        elif name == "site":
            entries = [(s.id, s.name, False) for s in company.sites]
        else:
            raise HiBobError(404, "not.found", f"List {name!r} was not found")
        items = [
            {"id": item_id, "value": label, "name": label, "archived": archived, "children": []}
            for item_id, label, archived in entries
            if include_archived or not archived
        ]
        # Bob echoes the items twice, as "values" and "items".
        return {"name": name, "values": [dict(i) for i in items], "items": items}

    def include_archived(request: Request) -> bool:
        return request.query_params.get("includeArchived", "false").lower() == "true"

    @api.get("/company/named-lists")
    async def all_named_lists(request: Request) -> Response:
        archived = include_archived(request)
        return _json({name: named_list(name, archived) for name in ("department", "site")})

    @api.get("/company/named-lists/{list_name}")
    async def one_named_list(list_name: str, request: Request) -> Response:
        return _json(named_list(list_name, include_archived(request)))

    @api.post("/employers/search")
    async def employers_search(request: Request) -> Response:
        body = await _json_object(request, required=True)
        items = [{k: v for k, v in e.items() if k != "_sites"} for e in _employers(company)]
        return _json(_search_page(body, items))

    @api.post("/employers/{employer_id}/work-locations/search")
    async def work_locations_search(employer_id: str, request: Request) -> Response:
        body = await _json_object(request, required=True)
        for employer in _employers(company):
            if employer["/employer/id"] == employer_id:
                items = [_work_location(s, employer_id) for s in employer["_sites"]]
                return _json(_search_page(body, items))
        raise HiBobError(404, "not.found", f"Employer {employer_id!r} was not found")

    app.include_router(api)
    return app
