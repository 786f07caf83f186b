"""BambooHR API emulator, written from BambooHR's public documentation.

Served at the root, in both layouts: the one the docs give today,
``https://{companyDomain}.bamboohr.com/api/v1/...``, and the legacy
``https://api.bamboohr.com/api/gateway.php/{companyDomain}/v1/...``:

=====  ====================================  =============================================
verb   path (after the prefix)               notes
=====  ====================================  =============================================
GET    /employees/directory                  active, started employees; 403 when the
                                             company has disabled the directory
GET    /employees/{id}?fields=a,b            one employee; ``id=0`` is the key's owner;
       &onlyCurrent=false                    future-dated history values (below)
POST   /reports/custom?format=JSON           body ``{"title", "fields": [...], "filters"}``;
       &onlyCurrent=false                    every employee, Active and Inactive (future
                                             hires too), whatever ``onlyCurrent`` says;
                                             it governs history field values (below)
GET    /employees/{id|all}/tables/{table}    ``jobInfo``, ``employmentStatus``,
                                             ``compensation`` rows
GET    /meta/fields, /meta/lists             field catalog; list fields with options
GET    /datasets, /datasets/employee/fields  dataset discovery (v1)
POST   /datasets/employee?page=&page_size=   v1 dataset data, ``page_size`` <= 1000
                                             (default 500); future hires are Inactive
=====  ====================================  =============================================

Behaviour copied from the docs:

- Auth: HTTP Basic, the API key as user name and any password; otherwise 401. Errors carry
  an empty body and the reason in ``X-BambooHR-Error-Message``.
- Output is XML unless JSON is asked for (``Accept: application/json``); custom reports take
  ``format`` (case-insensitive) or one of the exact Accept values, any other Accept is 404.
  A JSON report body needs ``Content-Type: application/json`` exactly.
- The custom report "includes all employees regardless of status (both Active and
  Inactive)": the report lists everyone, future hires included, with either ``onlyCurrent``.
- ``onlyCurrent`` (default true) on ``GET /employees/{id}`` and custom reports changes history
  table field values only, never who is listed: the default restricts "historical fields to
  current values only"; false includes "future-dated history values", so a termination dated
  ahead (notice, garden leave) reads ``employmentHistoryStatus`` ``Terminated`` while
  ``status`` is still Active; the ``employmentStatus`` table always carries that future row
  with its date. ``terminationDate`` shows the set date either way. [guess] BambooHR has no separate
  garden-leave state in its docs: garden leave is an active employee with a future
  termination date.
- Unknown or unpermitted report fields are left out with 200; more than 400 fields is 400.
- ``status`` is ``Active`` / ``Inactive``; dates are ``YYYY-MM-DD`` and an empty date is
  ``0000-00-00``; ids are integers sent as strings; department, division and location are
  list option names (``/meta/lists`` gives their ids).
- Throttling: with ``rate_limit_per_minute`` set, excess requests answer 503 with
  ``Retry-After`` before 2026-09-16 and 429 from then on (the documented switch), by the
  company's clock.

Guesses, marked ``[guess]`` in the code: leave is ``employmentHistoryStatus`` "Leave of
Absence" with status Active; future hires are Active in reports and the employee endpoint;
the synthetic company has no divisions (empty) and its teams have no BambooHR field.
Sensitive fields (home address, home email, phones, birth date, gender, ethnicity, pay rate,
bank account) exist in the catalog and are returned when asked for, as the real API does for a
key with access; with ``faults.leak_sensitive_fields`` every field comes back whatever was asked.
"""

# Sources (stored copies, read 2026-11):
#   https://documentation.bamboohr.com/docs/api-details (auth, errors, throttling)
#   https://documentation.bamboohr.com/docs/planned-changes-to-the-api (503 -> 429)
#   https://documentation.bamboohr.com/reference/request-custom-report-1 and BambooHR's
#     OpenAPI (github.com/BambooHR/bhr-api-python specs/public.yaml @ 3d4de06,
#     POST /api/v1/reports/custom: "includes all employees regardless of status", and
#     onlyCurrent "Whether to restrict historical fields to current values only. Set to false
#     to include future-dated history values"; the older SDK page's "include future-dated
#     employees" wording is not followed)
#   https://documentation.bamboohr.com/reference/get-employee (onlyCurrent: "Setting to false
#     will return future dated values from history table fields"; the SDK's get_employee and
#     reports_api docstrings say the same, "Defaults to true")
#   https://documentation.bamboohr.com/docs/getting-started; the SDK README: "All URIs are
#     relative to https://companySubDomain.bamboohr.com" (the gateway.php form is the older one)
#   https://documentation.bamboohr.com/reference/get-employees-directory-1
#   https://documentation.bamboohr.com/reference/metadata-get-a-list-of-fields
#   https://documentation.bamboohr.com/reference/get-data-from-dataset
#   BambooHR's generated SDK github.com/BambooHR/bhr-api-python (api/*.py docstrings,
#   models ListFieldDetail, ListFieldOption, Pagination, RequestCustomReportResponse).

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Fault, Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import MinuteWindow, VendorError, vendor_app
from rostersync.sandbox.vendor_app import json_response as _json

__all__ = ["CREDENTIALS", "create_app"]

CREDENTIALS = ("company_domain", "api_key")
"""The company's subdomain (``acme`` of acme.bamboohr.com) and an API key."""

MAX_REPORT_FIELDS = 400
DATASET_PAGE_DEFAULT = 500
DATASET_PAGE_MAX = 1000
RATE_LIMIT_STATUS_SWITCH = date(2026, 9, 16)
_REPORT_ACCEPT = {
    "application/json": "json",
    "text/xml": "xml",
    "text/csv": "csv",
    "application/pdf": "pdf",
    "application/vnd.ms-excel": "xls",
}


class BambooError(VendorError):
    """``BambooError(status, message, headers)``: an empty body, the message in a header."""


def _error_response(exc: VendorError) -> Response:
    message = exc.message or ""
    return Response(
        b"", status_code=exc.status, headers={"X-BambooHR-Error-Message": message, **exc.headers}
    )


def _render_fault(status: int, _fault: Fault | None) -> tuple[bytes, dict[str, str]]:
    messages = {401: "Invalid API key", 403: "Access denied", 429: "Rate limit exceeded"}
    return b"", {"X-BambooHR-Error-Message": messages.get(status, "Service unavailable")}


# --- field catalog ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    people: dict[str, SyntheticPerson]
    ids: dict[str, str]  # synthetic person id -> BambooHR employee id
    company: SyntheticCompany
    only_current: bool = True  # onlyCurrent=false shows future-dated history table values


@dataclass(frozen=True, slots=True)
class _Field:
    alias: str
    field_id: int
    name: str
    type: str
    get: Callable[[SyntheticPerson, _Ctx], Any]
    sensitive: bool = False


def _day(value: date | None) -> str:
    return value.isoformat() if value else "0000-00-00"


def _status(person: SyntheticPerson) -> str:
    return "Inactive" if person.status is PersonStatus.TERMINATED else "Active"


def _future_termination(person: SyntheticPerson, today: date) -> date | None:
    """A termination still ahead (notice, garden leave): a future-dated history row."""
    end = person.termination_date
    if person.status is PersonStatus.TERMINATED or end is None or end < today:
        return None
    return end


def _history_status(person: SyntheticPerson, ctx: _Ctx | None = None) -> str:
    """``employmentHistoryStatus``: the current row, or with ``onlyCurrent=false`` the
    future-dated one ("Setting to false will return future dated values from history table
    fields"), so a person still serving notice reads ``Terminated`` before the date."""
    if ctx is not None and not ctx.only_current and _future_termination(person, ctx.company.today):
        return "Terminated"
    return {
        PersonStatus.TERMINATED: "Terminated",
        PersonStatus.ON_LEAVE: "Leave of Absence",  # [guess] a common configured status
    }.get(person.status, "Full-Time")


def _manager(person: SyntheticPerson, ctx: _Ctx) -> SyntheticPerson | None:
    return ctx.people.get(person.manager_id) if person.manager_id else None


def _department(person: SyntheticPerson, ctx: _Ctx) -> str:
    return ctx.company.department(person.department_id).name


def _location(person: SyntheticPerson, ctx: _Ctx) -> str:
    return ctx.company.site(person.site_id).name


def _number(person: SyntheticPerson) -> str | None:
    """Employee # is a free text field HR fills in; blank reads as null. The employee id
    (``id``) is BambooHR's own sequence and does not follow it."""
    return None if person.employee_number is None else str(person.employee_number)


def _supervisor_eid(person: SyntheticPerson, ctx: _Ctx) -> str | None:
    manager = _manager(person, ctx)
    return ctx.ids[manager.id] if manager else None


def _supervisor_name(person: SyntheticPerson, ctx: _Ctx) -> str | None:
    manager = _manager(person, ctx)
    return f"{manager.last_name}, {manager.first_name}" if manager else None


def _address(person: SyntheticPerson, part: str) -> str | None:
    home = person.home_address
    return getattr(home, part) if home else None


_CATALOG: tuple[_Field, ...] = (
    _Field("employeeNumber", 17, "Employee #", "text", lambda p, _c: _number(p)),
    _Field("firstName", 1, "First Name", "text", lambda p, _c: p.first_name),
    _Field("lastName", 2, "Last Name", "text", lambda p, _c: p.last_name),
    _Field("preferredName", 1358, "Preferred Name", "text", lambda _p, _c: None),
    _Field("displayName", 4537, "Display name", "text", lambda p, _c: p.display_name),
    _Field("workEmail", 15, "Work Email", "email", lambda p, _c: p.work_email),
    _Field("status", 4, "Status", "status", lambda p, _c: _status(p)),
    _Field(
        "employmentHistoryStatus",
        1360,
        "Employment Status",
        "list",
        lambda p, c: _history_status(p, c),
    ),
    _Field("hireDate", 19, "Hire Date", "date", lambda p, _c: _day(p.start_date)),
    _Field(
        "originalHireDate", 4290, "Original Hire Date", "date", lambda p, _c: _day(p.start_date)
    ),
    _Field(
        "terminationDate",
        4313,
        "Termination Date",
        "date",
        lambda p, _c: _day(p.termination_date),
    ),
    _Field("department", 4046, "Department", "list", _department),
    _Field("division", 4047, "Division", "list", lambda _p, _c: None),  # [guess] no divisions
    _Field("location", 4048, "Location", "list", _location),
    _Field("jobTitle", 4049, "Job Title", "list", lambda _p, _c: None),
    _Field("supervisor", 4050, "Reporting to", "employee", _supervisor_name),
    _Field("supervisorEId", 4051, "Supervisor EID", "int", _supervisor_eid),
    # Sensitive: real keys with access get them; we must never ask for them.
    _Field("homeEmail", 16, "Home Email", "email", lambda p, _c: p.personal_email, True),
    _Field("mobilePhone", 13, "Mobile Phone", "phone", lambda p, _c: p.personal_phone, True),
    _Field("address1", 7, "Address Line 1", "text", lambda p, _c: _address(p, "line1"), True),
    _Field("city", 9, "City", "text", lambda p, _c: _address(p, "city"), True),
    _Field("zipcode", 11, "Zip Code", "text", lambda p, _c: _address(p, "postcode"), True),
    _Field("country", 12, "Country", "country", lambda p, _c: _address(p, "country_name"), True),
    _Field("dateOfBirth", 5, "Birth Date", "date", lambda p, _c: _day(p.date_of_birth), True),
    _Field("gender", 6, "Gender", "gender", lambda p, _c: p.gender.capitalize(), True),
    _Field("ethnicity", 1609, "Ethnicity", "list", lambda p, _c: p.ethnicity, True),
    _Field(
        "payRate",
        4051 + 30,
        "Pay rate",
        "currency",
        lambda p, _c: f"{p.salary:.2f} {p.salary_currency}",
        True,
    ),
    _Field("bankAccount", 4600, "Bank Account", "text", lambda p, _c: p.bank_account, True),
)
_BY_NAME: dict[str, _Field] = {f.alias: f for f in _CATALOG} | {
    str(f.field_id): f for f in _CATALOG
}
_DIRECTORY = (
    "displayName",
    "firstName",
    "lastName",
    "preferredName",
    "jobTitle",
    "workEmail",
    "department",
    "location",
    "division",
    "supervisor",
)


def _render(person: SyntheticPerson, fields: list[_Field], ctx: _Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ctx.ids[person.id]}
    for field in fields:
        out[field.alias] = field.get(person, ctx)
    return out


def _select(names: list[str], leak: bool) -> list[_Field]:
    if leak:
        return list(_CATALOG)
    picked: list[_Field] = []
    for name in names:
        field = _BY_NAME.get(name.strip())
        if field is not None and field not in picked:
            picked.append(field)
    return picked


# --- XML ----------------------------------------------------------------------------------


def _xml_report(title: str, fields: list[_Field], rows: list[dict[str, Any]], root: str) -> bytes:
    parts = [f'<?xml version="1.0"?>\n<{root}>']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append("<fields>")
    parts.extend(
        f"<field id={quoteattr(f.alias)} type={quoteattr(f.type)}>{escape(f.name)}</field>"
        for f in fields
    )
    parts.append("</fields><employees>")
    for row in rows:
        parts.append(f"<employee id={quoteattr(str(row['id']))}>")
        for f in fields:
            value = row.get(f.alias)
            parts.append(
                f"<field id={quoteattr(f.alias)}>{escape('' if value is None else str(value))}"
                "</field>"
            )
        parts.append("</employee>")
    parts.append(f"</employees></{root}>")
    return "".join(parts).encode()


def _xml_employee(fields: list[_Field], row: dict[str, Any]) -> bytes:
    inner = "".join(
        f"<field id={quoteattr(f.alias)}>"
        f"{escape('' if row.get(f.alias) is None else str(row[f.alias]))}</field>"
        for f in fields
    )
    head = f'<?xml version="1.0"?>\n<employee id={quoteattr(str(row["id"]))}>'
    return f"{head}{inner}</employee>".encode()


def _only_current(request: Request) -> bool:
    """``onlyCurrent`` defaults to true; only ``false`` asks for future-dated values."""
    return request.query_params.get("onlyCurrent", "true").lower() != "false"


def _wants_json(request: Request) -> bool:
    return "json" in request.headers.get("accept", "").lower()


# --- throttling ---------------------------------------------------------------------------


class _Throttle(MinuteWindow):
    def __init__(self, per_minute: int, today: date) -> None:
        super().__init__(per_minute)
        self.status = 429 if today >= RATE_LIMIT_STATUS_SWITCH else 503

    def check(self) -> None:
        counted, _count, age = self.hit()
        if not counted:
            wait = max(1, math.ceil(60 - age))
            raise BambooError(self.status, "Rate limit exceeded", {"Retry-After": str(wait)})


# --- the app ------------------------------------------------------------------------------


def _context(company: SyntheticCompany) -> tuple[_Ctx, list[SyntheticPerson]]:
    people = company.people()
    ids = {p.id: str(p.serial) for p in people}
    return _Ctx(people={p.id: p for p in people}, ids=ids, company=company), people


def _list_options(company: SyntheticCompany) -> list[dict[str, Any]]:
    def option(index: int, name: str, archived: bool) -> dict[str, Any]:
        return {
            "id": index,
            "archived": "yes" if archived else "no",
            "createdDate": "2019-03-04T17:08:21+00:00",
            "archivedDate": "2023-01-10T09:00:00+00:00" if archived else None,
            "name": name,
        }

    statuses = ("Full-Time", "Part-Time", "Leave of Absence", "Terminated")
    return [
        {
            "fieldId": 4046,
            "manageable": "yes",
            "multiple": "no",
            "name": "Department",
            "alias": "department",
            "options": [
                option(18260 + i, d.name, d.archived) for i, d in enumerate(company.departments)
            ],
        },
        {
            "fieldId": 4047,
            "manageable": "yes",
            "multiple": "no",
            "name": "Division",
            "alias": "division",
            "options": [],
        },
        {
            "fieldId": 4048,
            "manageable": "yes",
            "multiple": "no",
            "name": "Location",
            "alias": "location",
            "options": [option(18400 + i, s.name, False) for i, s in enumerate(company.sites)],
        },
        {
            "fieldId": 1360,
            "manageable": "yes",
            "multiple": "no",
            "name": "Employment Status",
            "alias": "employmentHistoryStatus",
            "options": [option(18500 + i, s, False) for i, s in enumerate(statuses)],
        },
    ]


def _table_rows(
    table: str, person: SyntheticPerson, ctx: _Ctx, row_id: int
) -> list[dict[str, Any]]:
    eid = ctx.ids[person.id]
    if table == "jobInfo":
        return [
            {
                "id": str(row_id),
                "employeeId": eid,
                "date": _day(person.start_date),
                "location": _location(person, ctx),
                "department": _department(person, ctx),
                "division": None,
                "jobTitle": None,
                "reportsTo": _supervisor_name(person, ctx),
            }
        ]
    if table == "employmentStatus":
        rows = [
            {
                "id": str(row_id),
                "employeeId": eid,
                "date": _day(person.start_date),
                "employmentStatus": "Full-Time",
                "terminationReasonId": None,
            }
        ]
        future_end = _future_termination(person, ctx.company.today)
        if future_end is not None:
            # [guess] the table lists every row, the future-dated one included, whatever
            # onlyCurrent says (onlyCurrent is documented for field reads, not tables).
            rows.append(
                {
                    "id": str(row_id + 1),
                    "employeeId": eid,
                    "date": _day(future_end),
                    "employmentStatus": "Terminated",
                    "terminationReasonId": None,
                }
            )
        elif person.status is not PersonStatus.ACTIVE and person.status is not PersonStatus.HIRED:
            rows.append(
                {
                    "id": str(row_id + 1),
                    "employeeId": eid,
                    "date": _day(person.termination_date or ctx.company.today),
                    "employmentStatus": _history_status(person),
                    "terminationReasonId": None,
                }
            )
        return rows
    if table == "compensation":
        return [
            {
                "id": str(row_id),
                "employeeId": eid,
                "startDate": _day(person.start_date),
                "rate": {"value": f"{person.salary:.2f}", "currency": person.salary_currency},
                "type": "Salary",
                "paidPer": "Year",
                "paySchedule": "Monthly",
            }
        ]
    raise BambooError(404, f"Table {table} not found")


def create_app(
    company: SyntheticCompany,
    *,
    credentials: Mapping[str, str],
    faults: Faults | None = None,
    rate_limit_per_minute: int | None = None,
    directory_enabled: bool = True,
) -> FastAPI:
    """A BambooHR emulator over ``company`` for one company domain and API key."""
    faults = faults if faults is not None else Faults()
    domain = credentials["company_domain"]
    api_key = credentials["api_key"]
    throttle = _Throttle(rate_limit_per_minute, company.today) if rate_limit_per_minute else None

    app = vendor_app(
        "BambooHR emulator",
        company,
        faults,
        respond=_error_response,
        render_fault=_render_fault,
        http_error_detail=True,
    )

    memo = CompanyMemo(company)

    def context() -> tuple[_Ctx, list[SyntheticPerson]]:
        return memo.get(("context",), lambda: _context(company))

    def authenticate(request: Request) -> None:
        if throttle is not None:
            throttle.check()
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            user = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, ValueError):
            user = ""
        if scheme.lower() != "basic" or not user or user != api_key:
            raise BambooError(401, "Invalid API key")
        company_domain = request.path_params.get("company_domain")
        if company_domain is not None and company_domain != domain:
            raise BambooError(404, "Company not found")

    def directory(request: Request) -> Response:
        authenticate(request)
        if not directory_enabled:
            raise BambooError(403, "The employee directory is disabled for this company")
        ctx, people = context()
        names = list(_DIRECTORY) + (
            ["homeEmail", "mobilePhone"] if faults.leak_sensitive_fields else []
        )
        fields = [_BY_NAME[n] for n in names]
        visible = [p for p in people if p.status in (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)]
        rows = [_render(p, fields, ctx) for p in visible]
        if not _wants_json(request):
            return Response(_xml_report("", fields, rows, "directory"), media_type="text/xml")
        return _json(
            {
                "fields": [{"id": f.alias, "type": f.type, "name": f.name} for f in fields],
                "employees": rows,
            }
        )

    def one_employee(request: Request) -> Response:
        authenticate(request)
        ctx, people = context()
        wanted = request.path_params["employee_id"]
        names = (request.query_params.get("fields") or "firstName,lastName").split(",")
        fields = _select(names, faults.leak_sensitive_fields)
        ctx = replace(ctx, only_current=_only_current(request))
        for person in people:
            if ctx.ids[person.id] == wanted or (wanted == "0" and person is people[0]):
                row = _render(person, fields, ctx)
                if not _wants_json(request):
                    return Response(_xml_employee(fields, row), media_type="text/xml")
                return _json(row)
        raise BambooError(404, "Employee not found")

    async def custom_report(request: Request) -> Response:
        authenticate(request)
        fmt = (request.query_params.get("format") or "").lower()
        if not fmt:
            fmt = _REPORT_ACCEPT.get(request.headers.get("accept", "").strip().lower(), "")
            if not fmt:
                raise BambooError(404, "Unsupported format")
        if fmt not in ("json", "xml"):
            raise BambooError(400, f"The sandbox renders JSON and XML reports only, not {fmt}")
        if request.headers.get("content-type", "").strip() != "application/json":
            raise BambooError(400, "Malformed XML")
        try:
            body = json.loads(await request.body())
        except ValueError:
            raise BambooError(400, "Malformed JSON") from None
        names = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise BambooError(400, "fields must be a list of field names")
        if len(names) > MAX_REPORT_FIELDS:
            raise BambooError(400, f"No more than {MAX_REPORT_FIELDS} fields may be requested")
        only_current = _only_current(request)
        filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
        only_ids = {str(i) for i in filters.get("employeeIds") or ()}
        fields = _select(names, faults.leak_sensitive_fields)
        ctx, people = context()
        ctx = replace(ctx, only_current=only_current)
        # Everyone, future hires too: onlyCurrent changes history field values, not the rows.
        rows = [
            _render(p, fields, ctx) for p in people if not only_ids or ctx.ids[p.id] in only_ids
        ]
        title = str(body.get("title") or "Report")
        if fmt == "xml":
            return Response(_xml_report(title, fields, rows, "report"), media_type="text/xml")
        fields_out = [{"id": f.alias, "type": f.type, "name": f.name} for f in fields]
        return _json({"title": title, "fields": fields_out, "employees": rows})

    def tables(request: Request) -> Response:
        authenticate(request)
        ctx, people = context()
        wanted, table = request.path_params["employee_id"], request.path_params["table"]
        rows: list[dict[str, Any]] = []
        for index, person in enumerate(people):
            if wanted in ("all", ctx.ids[person.id]):
                rows.extend(_table_rows(table, person, ctx, 1000 + index * 10))
        if (
            wanted != "all"
            and not rows
            and table in ("jobInfo", "employmentStatus", "compensation")
        ):
            raise BambooError(404, "Employee not found")
        return _json(rows)

    def meta_fields(request: Request) -> Response:
        authenticate(request)
        return _json(
            [
                {"id": str(f.field_id), "name": f.name, "type": f.type, "alias": f.alias}
                for f in _CATALOG
            ]
        )

    def meta_lists(request: Request) -> Response:
        authenticate(request)
        return _json(_list_options(company))

    def datasets(request: Request) -> Response:
        authenticate(request)
        return _json({"datasets": [{"name": "employee", "label": "Employee"}]})

    def dataset_fields(request: Request) -> Response:
        authenticate(request)
        if request.path_params["dataset"] != "employee":
            raise BambooError(404, "Dataset not found")
        return _json(
            {
                "fields": [
                    {
                        "name": f.alias,
                        "label": f.name,
                        "parentType": "employee",
                        "parentName": "Employee",
                    }
                    for f in _CATALOG
                ]
            }
        )

    async def dataset_data(request: Request) -> Response:
        authenticate(request)
        if request.path_params["dataset"] != "employee":
            raise BambooError(404, "Dataset not found")
        try:
            page = int(request.query_params.get("page", "1"))
            size = int(request.query_params.get("page_size", str(DATASET_PAGE_DEFAULT)))
            body = json.loads(await request.body() or b"{}")
        except ValueError:
            raise BambooError(400, "Invalid request") from None
        if page < 1 or not 1 <= size <= DATASET_PAGE_MAX:
            raise BambooError(400, f"page must be >= 1 and page_size 1..{DATASET_PAGE_MAX}")
        names = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(names, list) or not names:
            raise BambooError(400, "fields is required")
        fields = _select([str(n) for n in names], faults.leak_sensitive_fields)
        ctx, people = context()
        # One record per person: only the asked page needs rendering.
        records = []
        for person in people[(page - 1) * size : page * size]:
            row = _render(person, fields, ctx)
            if "status" in row and person.status is PersonStatus.HIRED:
                row["status"] = "Inactive"  # documented: future hires are Inactive here
            row.pop("id")
            records.append(row)
        total_pages = max(1, math.ceil(len(people) / size))
        base = str(request.url.remove_query_params(["page"]))
        joiner = "&" if "?" in base else "?"
        return _json(
            {
                "data": records,
                "aggregations": [],
                "pagination": {
                    "total_records": len(people),
                    "current_page": page,
                    "total_pages": total_pages,
                    "next_page": f"{base}{joiner}page={page + 1}" if page < total_pages else None,
                    "prev_page": f"{base}{joiner}page={page - 1}" if page > 1 else None,
                },
            }
        )

    # The documented root first (https://{companyDomain}.bamboohr.com/api/v1), then the legacy
    # gateway form that older clients still call.
    for prefix in ("/api/v1", "/api/gateway.php/{company_domain}/v1"):
        router = APIRouter(prefix=prefix)
        router.add_api_route("/employees/directory", directory, methods=["GET"])
        router.add_api_route("/employees/{employee_id}", one_employee, methods=["GET"])
        router.add_api_route("/reports/custom", custom_report, methods=["POST"])
        router.add_api_route("/employees/{employee_id}/tables/{table}", tables, methods=["GET"])
        router.add_api_route("/meta/fields", meta_fields, methods=["GET"])
        router.add_api_route("/meta/lists", meta_lists, methods=["GET"])
        router.add_api_route("/datasets", datasets, methods=["GET"])
        router.add_api_route("/datasets/{dataset}/fields", dataset_fields, methods=["GET"])
        router.add_api_route("/datasets/{dataset}", dataset_data, methods=["POST"])
        app.include_router(router)
    return app
