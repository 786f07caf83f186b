"""Sage HR (formerly CakeHR) connector.

API reference (read 2026-11): https://developer.sage.com/hr/get-started,
https://developer.sage.com/hr/reference (the Apiary blueprint, as vendored in
github.com/konfig-sdks/sage-java-sdk `api/openapi.yaml`), and
https://support.sage.hr/en/articles/3246469-how-does-cakehr-api-work

- Auth: a per-user API key in the `X-Auth-Token` header, sent to the company's own
  subdomain `https://{subdomain}.sage.hr/api`.
- People: `GET /employees` lists the active employees (future starters included: they are
  active records with a start date ahead); `GET /terminated-employees` lists the leavers with
  their `termination_date`. Both page with `?page=` and a `meta` block (`current_page`,
  `next_page`, `total_pages`, `per_page` 50, `total_entries`); the page size is fixed.
- Groups: `GET /teams` (same paging). Employees carry one `team_id`.
- Sage HR has locations in the product but no documented way to read an employee's location
  or list locations, and the employee's `country` is the home address: no locations here.
- Leave is not on the employee record (only leave requests), so nobody is INACTIVE.
- Rate limits: none documented.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    ident,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import PageNumber
from rostersync.connectors.providers import SAGEHR
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
)
from rostersync.model import Employee, EmploymentStatus, GroupType, RecordType, field_names

# The page size is not a parameter: every list answers 50 per page and says how many pages.
_PAGES = PageNumber(size_param=None, size=50, total_pages_path="meta.total_pages")


def _employee(raw: Mapping[str, Any], context: MapContext, *, termination: Any = None) -> Employee:
    remote_id = required_id(raw, context, what="employee")
    start = day(raw.get("employment_start_date"), vendor=context.vendor)
    end = day(termination, vendor=context.vendor)
    team = ident(raw.get("team_id"))
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("email")),
        employment_status=status_from_dates(as_of=context.as_of, start=start, end=end),
        group_ids=(team,) if team else (),
        manager_remote_id=ident(raw.get("reports_to_employee_id")),
        start_date=start,
        location_id=None,
    )


def map_active(raw: Mapping[str, Any], context: MapContext) -> Employee:
    return _employee(raw, context)


def map_terminated(raw: Mapping[str, Any], context: MapContext) -> Employee:
    employee = _employee(raw, context, termination=raw.get("termination_date"))
    if raw.get("termination_date") is None:
        # Listed as terminated without a date: the list itself is the vendor's word.
        return employee.model_copy(update={"employment_status": EmploymentStatus.TERMINATED})
    return employee


map_team = group_mapper(GroupType.TEAM)


_STATUS = "employee.employment_status"

EMPLOYEE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("employment_start_date", ("employee.start_date", _STATUS)),
    VendorField("team_id", ("employee.group_ids",)),
    VendorField("reports_to_employee_id", ("employee.manager_remote_id",)),
)
TERMINATED_KEEPS = (*EMPLOYEE_KEEPS, VendorField("termination_date", (_STATUS,)))


TEAMS = Stream(
    "teams", "/teams", map_team, records_path="data", paginator=_PAGES, keeps=group_keeps()
)
EMPLOYEES = Stream(
    "employees",
    "/employees",
    map_active,
    records_path="data",
    paginator=_PAGES,
    keeps=EMPLOYEE_KEEPS,
)
TERMINATED = Stream(
    "terminated employees",
    "/terminated-employees",
    map_terminated,
    records_path="data",
    keeps=TERMINATED_KEEPS,
    paginator=_PAGES,
    # Someone terminated with a date still ahead can be in both lists while serving notice;
    # the active record wins, so ids stay unique.
    unique=True,
)


SPEC = ConnectorSpec(
    provider=SAGEHR,
    api_root="https://{subdomain}.sage.hr/api",
    allowed_hosts=("*.sage.hr",),
    auth=Header("X-Auth-Token", "{api_key}"),
    streams=(TEAMS, EMPLOYEES, TERMINATED),
    # Sage HR's API has no work locations: location_id is never expected.
    fields=tuple(
        f for f in field_names(RecordType.EMPLOYEE) if f not in ("location_id", "on_garden_leave")
    ),
    unavailable=("location.remote_id", "location.country"),
    guide=SetupGuide(
        summary="Enable Sage HR API access as an administrator and give rostersync the API "
        "key and your company subdomain. rostersync only reads employees, terminated "
        "employees and teams.",
        steps=(
            "Sign in to Sage HR with a user that has Admin rights.",
            "Click your name at the top right, then Settings.",
            "In the settings menu open INTEGRATIONS, then API.",
            "Click ENABLE API ACCESS and copy the API key shown. The key belongs to your "
            "user; disabling and enabling API access again issues new keys for everyone.",
            "Copy your subdomain: the part before .sage.hr in the address bar.",
        ),
        grant=(
            "Read access to employees (active and terminated) and teams, which an admin's "
            "API key has",
        ),
        do_not_grant=(
            "Sage HR API keys cannot be narrowed; rostersync never calls the compensation, "
            "leave, documents, performance or recruitment endpoints",
            "Do not use a key from an integration that writes to Sage HR",
        ),
        sources=(
            "https://developer.sage.com/hr/get-started",
            "https://support.sage.hr/en/articles/3246469-how-does-cakehr-api-work",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
