"""Gusto connector (App Integrations / Embedded API, version 2025-06-15).

API reference (read 2026-11):
https://docs.gusto.com/app-integrations/reference/get-v1-companies-company_id-employees,
https://docs.gusto.com/app-integrations/reference/get-companies-departments,
https://docs.gusto.com/app-integrations/reference/get-v1-companies-company_id-locations,
https://docs.gusto.com/app-integrations/docs/oauth2, https://docs.gusto.com/app-integrations/docs/pagination,
https://docs.gusto.com/app-integrations/docs/rate-limits,
https://docs.gusto.com/app-integrations/v2026-02-01/reference/get-v1-employees-employee_id-work_addresses,
https://docs.gusto.com/embedded-payroll/changelog/v2023-07-01, Gusto's published OpenAPI (vendored
in github.com/Gusto/gusto-typescript-client, .speakeasy/logs/changes/new.openapi.yaml).

- Auth: OAuth 2.0 authorization code; the stored refresh token buys a 2-hour access token at
  POST /oauth/token, and Gusto rotates the refresh token each time (saved back encrypted).
- People: GET /v1/companies/{company_uuid}/employees returns onboarding, active and
  terminated people when no `terminated` filter is sent. Paged with `page` / `per`; the
  `X-Total-Pages` header (sent when paging parameters are given) is checked so a short read
  fails. No `include=`: every include option adds home addresses, compensations or custom
  fields, none of which we may read.
- Departments: GET /v1/companies/{company_uuid}/departments (`uuid`, `title`).
- Locations: GET /v1/companies/{company_uuid}/locations; country is ISO alpha-3 ("USA").
  A person's is the `location_uuid` of their active entry of
  GET /v1/employees/{employee_uuid}/work_addresses ("a boolean signifying if it is the currently
  active work address"); the jobs' `location_uuid` it replaced was deprecated in v2023-07-01.
  Without an active entry, the latest one effective by today; with none (remote people), null.
  Home addresses are never read in its place.
- Rate limit: 200 requests per rolling minute per grant; 429 with Retry-After. The work
  addresses cost a request per person: about five minutes per thousand people.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import OAuth2Refresh
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    ident,
    location_mapper,
    status_from_dates,
    text,
)
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import Page, PageNumber
from rostersync.connectors.providers import GUSTO
from rostersync.connectors.spec import (
    ConnectorSpec,
    Detail,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType

API_VERSION = "2025-06-15"
PER_PAGE = 100  # [unverified] Gusto documents the default (25), not a maximum; 100 is safe


@dataclass(frozen=True)
class HeaderPageNumber(PageNumber):
    """Gusto's page/per paging, checked against the X-Total-Pages and X-Total-Count headers
    when they are sent."""

    def total_pages(self, page: Page) -> int | None:
        total = page.headers.get("X-Total-Pages", "")
        return int(total) if total.isdigit() else None

    def total_records(self, page: Page) -> int | None:
        total = page.headers.get("X-Total-Count", "")
        return int(total) if total.isdigit() else None


def _primary_job(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    jobs = [j for j in raw.get("jobs") or () if isinstance(j, Mapping)]
    for job in jobs:
        if job.get("primary"):
            return job
    return jobs[0] if jobs else None


def employment_status(
    *,
    terminated: bool,
    termination_dates: list[date],
    hire_date: date | None,
    as_of: date,
) -> EmploymentStatus:
    """Gusto's flags and dates against the clock.

    `terminations[].effective_date` is the last day of work, so a person is TERMINATED from
    the next day. A termination before the latest hire date belongs to an earlier stint
    (rehire). Gusto records no leave, so nobody is INACTIVE.
    """
    relevant = [d for d in termination_dates if hire_date is None or d >= hire_date]
    end = max(relevant) if relevant else None
    if terminated and end is None and not termination_dates:
        return EmploymentStatus.TERMINATED
    return status_from_dates(as_of=as_of, start=hire_date, end=end)


def work_location(addresses: tuple[Any, ...], as_of: date, vendor: str) -> str | None:
    """The company location of the active work address, or of the latest one in effect."""
    entries = [a for a in addresses if isinstance(a, Mapping)]
    if len(entries) != len(addresses):
        raise BadPayload(f"{vendor} sent a work address that is not an object")
    active = [a for a in entries if a.get("active") is True]
    if active:
        return ident(active[0].get("location_uuid"))
    dated = [
        (effective, a)
        for a in entries
        if (effective := day(a.get("effective_date"), vendor=vendor)) is not None
        and effective <= as_of
    ]
    if not dated:
        return None
    return ident(max(dated, key=lambda pair: pair[0])[1].get("location_uuid"))


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Iterator[Employee | Group]:
    remote_id = ident(raw.get("uuid"))
    if remote_id is None:
        raise BadPayload("Gusto sent an employee without uuid")
    job = _primary_job(raw) or {}
    hire_date = day(job.get("hire_date"), vendor=context.vendor)
    terminations = [
        d
        for t in raw.get("terminations") or ()
        if isinstance(t, Mapping)
        and (d := day(t.get("effective_date"), vendor=context.vendor)) is not None
    ]
    department_id = ident(raw.get("department_uuid"))
    department_name = text(raw.get("department"))
    if department_id and department_name:
        yield Group(remote_id=department_id, group_type=GroupType.DEPARTMENT, name=department_name)
    yield Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        # `email` is the personal address; only `work_email` is ours to keep.
        work_email=text(raw.get("work_email")),
        employment_status=employment_status(
            terminated=raw.get("terminated") is True,
            termination_dates=terminations,
            hire_date=hire_date,
            as_of=context.as_of,
        ),
        group_ids=(department_id,) if department_id else (),
        manager_remote_id=ident(raw.get("manager_uuid")),
        start_date=hire_date,
        location_id=work_location(context.detail, context.as_of, context.vendor),
    )


map_department = group_mapper(GroupType.DEPARTMENT, id_path="uuid", name_path="title")
# Inactive locations are deleted ones kept for history; people may still point at them,
# so they are kept (an unresolved location_id would be worse than a stale one).
map_location = location_mapper(id_path="uuid")


_STATUS = "employee.employment_status"

EMPLOYEE_KEEPS = (
    VendorField("uuid", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("work_email", ("employee.work_email",)),
    VendorField("jobs[].primary", ("employee.start_date", _STATUS)),
    VendorField("jobs[].hire_date", ("employee.start_date", _STATUS)),
    VendorField("terminated", (_STATUS,)),
    VendorField("terminations[].effective_date", (_STATUS,)),
    VendorField("department_uuid", ("employee.group_ids", "group.remote_id")),
    VendorField("department", ("group.name",)),
    VendorField("manager_uuid", ("employee.manager_remote_id",)),
)
WORK_ADDRESS_KEEPS = (
    VendorField("active", ("employee.location_id",)),
    VendorField("effective_date", ("employee.location_id",)),
    VendorField("location_uuid", ("employee.location_id",)),
)


_COMPANY = "/v1/companies/{company_uuid}"

SPEC = ConnectorSpec(
    provider=GUSTO,
    api_root="https://api.gusto.com",
    allowed_hosts=("api.gusto.com", "api.gusto-demo.com"),
    auth=OAuth2Refresh("/oauth/token"),
    rate_limits=(RateLimit(200, per_seconds=60),),
    headers={"Accept": "application/json", "X-Gusto-API-Version": API_VERSION},
    streams=(
        Stream(
            "departments",
            f"{_COMPANY}/departments",
            map_department,
            paginator=HeaderPageNumber(page_param="page", size_param="per", size=PER_PAGE),
            keeps=group_keeps(id_path="uuid", name_path="title"),
        ),
        Stream(
            "locations",
            f"{_COMPANY}/locations",
            map_location,
            paginator=HeaderPageNumber(page_param="page", size_param="per", size=PER_PAGE),
            keeps=location_keeps(id_path="uuid"),
        ),
        Stream(
            "employees",
            f"{_COMPANY}/employees",
            map_employee,
            paginator=HeaderPageNumber(page_param="page", size_param="per", size=PER_PAGE),
            detail=Detail(
                "/v1/employees/{uuid}/work_addresses", key="uuid", keeps=WORK_ADDRESS_KEEPS
            ),
            keeps=EMPLOYEE_KEEPS,
        ),
    ),
    guide=SetupGuide(
        summary="Allow the Gusto application of this service to read your company's "
        "employees, departments and locations. Nothing needs to be copied.",
        steps=(
            "Make sure you can sign in to Gusto as a primary or full-access admin of the company.",
            "Choose Continue below: you are sent to Gusto's own sign-in and consent page, "
            "which lists the read-only permissions below.",
            "If you manage several companies, pick the one to connect, then choose Allow. "
            "Gusto sends you back here, and the company is picked up from the consent itself.",
            "To revoke access later, remove the application in Gusto under Settings > "
            "Integrations (or App Directory > Connected apps).",
        ),
        grant=(
            "employees:read (names, work email, manager, department, jobs, work addresses "
            "and terminations)",
            "departments:read",
            "companies:read (company locations)",
        ),
        do_not_grant=(
            "compensations:read, payrolls:read, pay_schedules:read",
            "employee_payment_methods:read, bank accounts, tax and benefits scopes",
            "any :write or :manage scope",
        ),
        sources=(
            "https://docs.gusto.com/app-integrations/docs/oauth2",
            "https://docs.gusto.com/app-integrations/docs/scopes",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
