"""Rippling connector (Rippling Platform API, customer API key).

API reference (read 2026-11): Rippling's published OpenAPI
(github.com/Rippling/OpenAPIDocs, RipplingOpenAPI.v1.yaml, served at
https://developer.rippling.com/docs/rippling-api), its guides
docs/Getting-Started/b-Customers.md (API keys), e-Scopes.md and i-Errors.md.

- Auth: a company API key (Company Settings > API Access) as `Authorization: Bearer`.
- People: GET /platform/api/employees/include_terminated (the plain /employees endpoint
  returns active people only), paged with limit/offset; Rippling asks for at most 100 per
  page and sends no total, so only an empty page ends the read (a short one may be a
  vendor's hiccup, and ending there would remove everyone after it).
- Departments, teams, work locations: GET /departments, /teams, /work_locations (same
  paging). Work locations carry `address.country` (ISO alpha-2).
- Employees name their department by name (`department`) and, where the key has the scope,
  by id (`departmentId`); the name is resolved against the department list when the id is
  missing. `workLocationId` links the location; the embedded `workLocation` is only an
  address. The published schema gives no team membership on an employee; a `teams` list of
  ids, which newer generated clients show, is read when present.
- Status: `roleState` INIT / HIRED / ACCEPTED (offer stage: not started) / ACTIVE /
  TERMINATED, read with `startDate` / `endDate` against the clock; Rippling has no leave
  state in this API.
- Rate limits: not published for the Platform API; 429 with Retry-After is honoured.
- Staging: the OpenAPI's staging server is https://stage-api.rippling.com/api/platform/api
  (note the extra `/api`), for approved partners only; customers' API keys are production
  keys. It is reached with the base URL https://stage-api.rippling.com/api.
- Not yet read: the newer REST API (https://rest.ripplingapis.com, cursor-paged workers with
  `legal_entity` and `department` expansions), whose Worker schema (status values, end dates,
  whether leavers are listed) no stored Rippling page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    ident,
    location_mapper,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.providers import RIPPLING
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, GroupType

PAGE_SIZE = 100  # "Pagination should be set to a maximum of 100" (GET Employees)

_NOT_STARTED = frozenset({"INIT", "HIRED", "ACCEPTED"})


def employment_status(
    role_state: str | None, start: date | None, end: date | None, as_of: date
) -> EmploymentStatus:
    state = (role_state or "").strip().upper()
    if state == "TERMINATED" and (end is None or end < as_of):
        return EmploymentStatus.TERMINATED
    status = status_from_dates(as_of=as_of, start=start, end=end)
    if status is EmploymentStatus.ACTIVE and state in _NOT_STARTED:
        return EmploymentStatus.PENDING
    return status


def department_by_name(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, str]]:
    """Employees may name their department only by name: (casefolded name, id)."""
    remote_id = required_id(raw, context, what="department")
    name = text(raw.get("name"))
    if name:
        yield name.casefold(), remote_id


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(raw, context, what="employee", path="id")
    start = day(raw.get("startDate"), vendor=context.vendor)
    end = day(raw.get("endDate"), vendor=context.vendor)
    department = ident(raw.get("departmentId"))
    if department is None:
        name = text(raw.get("department"))
        named = context.joined("departments").get(name.casefold(), ()) if name else ()
        department = named[0] if named else None
    # Not in the published schema, but newer Rippling clients show a `teams` list of ids.
    teams = [
        team_id
        for item in raw.get("teams") or ()
        if (team_id := ident(item.get("id") if isinstance(item, Mapping) else item))
    ]
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("firstName")) or "",
        last_name=text(raw.get("lastName")) or "",
        work_email=text(raw.get("workEmail")),
        employment_status=employment_status(text(raw.get("roleState")), start, end, context.as_of),
        group_ids=((department,) if department else ()) + tuple(teams),
        manager_remote_id=ident(raw.get("manager")),
        start_date=start,
        location_id=ident(raw.get("workLocationId")),
    )


map_department = group_mapper(GroupType.DEPARTMENT)
map_team = group_mapper(GroupType.TEAM)
WORK_LOCATION_COUNTRY = ("address.country",)
map_work_location = location_mapper(what="work location", country_paths=WORK_LOCATION_COUNTRY)


def _paged() -> OffsetLimit:
    return OffsetLimit(limit=PAGE_SIZE)


_STATUS = "employee.employment_status"

EMPLOYEE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("firstName", ("employee.first_name",)),
    VendorField("lastName", ("employee.last_name",)),
    VendorField("workEmail", ("employee.work_email",)),
    VendorField("roleState", (_STATUS,)),
    VendorField("startDate", ("employee.start_date", _STATUS)),
    VendorField("endDate", (_STATUS,)),
    VendorField("departmentId", ("employee.group_ids",)),
    VendorField("department", ("employee.group_ids",)),
    VendorField("teams[].id", ("employee.group_ids",)),
    VendorField("manager", ("employee.manager_remote_id",)),
    VendorField("workLocationId", ("employee.location_id",)),
)


STREAMS = (
    Stream(
        "departments",
        "/departments",
        map_department,
        paginator=_paged(),
        collect=department_by_name,
        keeps=group_keeps(),
    ),
    Stream("teams", "/teams", map_team, paginator=_paged(), keeps=group_keeps()),
    Stream(
        "work_locations",
        "/work_locations",
        map_work_location,
        paginator=_paged(),
        keeps=location_keeps(country_paths=WORK_LOCATION_COUNTRY),
    ),
    Stream(
        "employees",
        "/employees/include_terminated",
        map_employee,
        paginator=_paged(),
        keeps=EMPLOYEE_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=RIPPLING,
    api_root="https://api.rippling.com/platform/api",
    allowed_hosts=("api.rippling.com", "stage-api.rippling.com"),
    auth=Bearer("{api_key}"),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Create a Rippling API key that can read employees (including terminated "
        "ones), departments, teams and work locations.",
        steps=(
            "Sign in to Rippling as a company admin.",
            "Open Company Settings > API Access (app.rippling.com/company-settings/api-access) "
            "and choose Create API Key.",
            "Describe it as 'rostersync' and select only the scopes listed below.",
            "Save, then copy the key: it is shown once.",
        ),
        grant=(
            "company, company:departments, company:teams, company:workLocations",
            "employee, employee:name, employee:workEmail, employee:roleState, "
            "employee:startDate, employee:endDate, employee:department, employee:manager, "
            "employee:workLocation",
        ),
        do_not_grant=(
            "employee:ssn, employee:dob, employee:address, employee:personalEmail, "
            "employee:phone, employee:gender, employee:identifiedGender",
            "employee:compensation, employee:payroll, employee:customFields, deduction:*",
            "company:bankaccounts, company:tax_info, any :write scope",
        ),
        sources=(
            "https://developer.rippling.com/docs/rippling-api/docs/Getting-Started/b-Customers.md",
            "https://developer.rippling.com/docs/rippling-api/docs/Getting-Started/e-Scopes.md",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
