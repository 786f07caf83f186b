"""Factorial connector.

API reference (read 2026-11): https://apidoc.factorialhr.com/ (versioned public API,
`/api/{version}/resources/...`: employees/employees, teams/teams, locations/locations),
https://apidoc.factorialhr.com/docs/authentication (API keys), Factorial's published OpenAPI as
vendored in generated clients (EmployeesEmployee, TeamsTeam, LocationsLocation schemas).

- Auth: a company API key in the `x-api-key` header (Settings > API keys). OAuth2 apps exist
  too, but an API key needs no app registration.
- Every list answers `{"data": [...], "meta": {"has_next_page", "end_cursor", "total", ...}}`;
  the next page is asked with `after_id=<end_cursor>`; `limit` is at most 100.
- Employees carry `terminated_on`, `active` (false once terminated), `is_terminating`,
  `manager_id`, `location_id` and `seniority_calculation_date` (the date the person works for
  the company since, used as the start date). `only_active=false` keeps leavers in the list.
- Team membership sits on the team (`employee_ids`), so teams are read first and joined.
- Locations carry `country` as an ISO code.
- Factorial has no leave status on employees (leaves are time off, which we do not read).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    day,
    dig,
    group_mapper,
    ident,
    location_mapper,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import Page, PageRequest, Paginator
from rostersync.connectors.providers import FACTORIAL
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

API_VERSION = "2026-04-01"
PAGE_SIZE = 100  # documented maximum for `limit`


@dataclass(frozen=True)
class AfterIdCursor(Paginator):
    """Factorial's cursor: `after_id=meta.end_cursor` while `meta.has_next_page` is true."""

    size: int = PAGE_SIZE
    streams = False

    def first(self) -> PageRequest:
        return PageRequest(params={"limit": str(self.size)})

    def next(self, page: Page) -> PageRequest | None:
        total = dig(page.body, "meta.total")
        if dig(page.body, "meta.has_next_page") is not True:
            if isinstance(total, int) and page.seen < total:
                raise BadPayload(f"Factorial stopped paging after {page.seen} of {total} records")
            return None
        cursor = ident(dig(page.body, "meta.end_cursor"))
        if cursor is None:
            raise BadPayload("Factorial announced another page without an end_cursor")
        return PageRequest(params={"limit": str(self.size), "after_id": cursor})


def employment_status(
    *,
    start: date | None,
    terminated_on: date | None,
    active: Any,
    as_of: date,
) -> EmploymentStatus:
    """Dates against the clock first; `active: false` means terminated per Factorial."""
    by_dates = status_from_dates(as_of=as_of, start=start, end=terminated_on)
    if by_dates is EmploymentStatus.TERMINATED:
        return by_dates
    if active is False and (terminated_on is None or terminated_on < as_of):
        return EmploymentStatus.TERMINATED
    return by_dates


map_location = location_mapper()
map_team = group_mapper(GroupType.TEAM)


def team_members(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, str]]:
    """Membership sits on the team: (employee id, team id) for each member."""
    team_id = required_id(raw, context, what="team")
    for employee_id in raw.get("employee_ids") or ():
        key = ident(employee_id)
        if key is not None:
            yield key, team_id


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(raw, context, what="employee")
    start = day(raw.get("seniority_calculation_date"), vendor=context.vendor)
    terminated_on = day(raw.get("terminated_on"), vendor=context.vendor)
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        # login_email is the address the person signs in with; `email` is the same work
        # address on accounts created before login emails were split out.
        work_email=text(raw.get("login_email")) or text(raw.get("email")),
        employment_status=employment_status(
            start=start, terminated_on=terminated_on, active=raw.get("active"), as_of=context.as_of
        ),
        group_ids=tuple(dict.fromkeys(context.joined("teams").get(remote_id, ()))),
        manager_remote_id=ident(raw.get("manager_id")),
        start_date=start,
        location_id=ident(raw.get("location_id")),
    )


_STATUS = "employee.employment_status"

TEAM_KEEPS = (*group_keeps(), VendorField("employee_ids", ("employee.group_ids",)))
EMPLOYEE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("login_email", ("employee.work_email",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("seniority_calculation_date", ("employee.start_date", _STATUS)),
    VendorField("terminated_on", (_STATUS,)),
    VendorField("active", (_STATUS,)),
    VendorField("manager_id", ("employee.manager_remote_id",)),
    VendorField("location_id", ("employee.location_id",)),
)


_PAGES = AfterIdCursor()
_ROOT = f"/api/{API_VERSION}/resources"
STREAMS = (
    Stream(
        "locations",
        f"{_ROOT}/locations/locations",
        map_location,
        records_path="data",
        paginator=_PAGES,
        keeps=location_keeps(),
    ),
    Stream(
        "teams",
        f"{_ROOT}/teams/teams",
        map_team,
        records_path="data",
        paginator=_PAGES,
        collect=team_members,
        keeps=TEAM_KEEPS,
    ),
    Stream(
        "employees",
        f"{_ROOT}/employees/employees",
        map_employee,
        params={"only_active": "false"},
        records_path="data",
        paginator=_PAGES,
        keeps=EMPLOYEE_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=FACTORIAL,
    api_root="https://api.factorialhr.com",
    allowed_hosts=("api.factorialhr.com",),
    auth=Header("x-api-key", "{api_key}"),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Create a Factorial company API key for rostersync.",
        steps=(
            "Sign in to Factorial as an administrator (only admins can create API keys).",
            "Open Settings > API keys and choose 'New API key'.",
            "Name it 'rostersync' and confirm. Copy the key at once: Factorial shows it only "
            "once; if it is lost, revoke it and create another.",
            "Paste the key here. You can revoke it from the same page at any time.",
        ),
        grant=(
            "An API key reads the whole company account; rostersync only calls employees, "
            "teams and locations",
        ),
        do_not_grant=(
            "API keys cannot be narrowed: do not share this key with anything else, and "
            "revoke it if the connection is removed",
        ),
        sources=(
            "https://apidoc.factorialhr.com/docs/authentication",
            "https://apidoc.factorialhr.com/reference",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
