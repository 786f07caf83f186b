"""Employment Hero connector.

API reference (read 2026-11): https://developer.employmenthero.com/api-references/
(authentication, pagination, Get Employees, Get Teams, cost centres, work locations); the
official Go client github.com/Thinkei/employmenthero-go (`types.go`: Employee, ListParams,
ListResponse, TokenResponse; `client.go`: token refresh).

- Auth: OAuth 2.0 authorization code. After the admin's consent we keep the refresh token and
  buy 15-minute access tokens at https://oauth.employmenthero.com/oauth2/token
  (`grant_type=refresh_token`, client id and secret in the form); a rotated refresh token is
  stored again.
- Lists: `GET /api/v1/organisations/{organisation_id}/...`, paged with `page_index` (from 1) and
  `item_per_page` (100, the largest value public clients use); each page says
  `data.total_pages`, so a page that comes back short fails the read.
- Employees carry `start_date` / `termination_date`, `status`, `company_email` (the work
  address; `account_email` may be a personal one and is never read), `primary_manager`
  `{id, name}`, `teams` `[{id, name}]`, `primary_cost_centre` and the work location's *name*
  (`location`). Locations come from `/work_locations` (with `country`) and are joined by name.
- Groups: teams (TEAM; inactive ones dropped) and cost centres (COST_CENTER).
- No leave status on employees, so nobody is INACTIVE.
- Rate limits: not published; access tokens live 15 minutes; 429 with Retry-After honoured.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import OAuth2Refresh
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    location_mapper,
    ref,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import PageNumber
from rostersync.connectors.providers import EMPLOYMENTHERO
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

PAGE_SIZE = 100
_PAGES = PageNumber(
    page_param="page_index",
    size_param="item_per_page",
    size=PAGE_SIZE,
    first_page=1,
    total_pages_path="data.total_pages",
)
_ORG = "/api/v1/organisations/{organisation_id}"
_ITEMS = "data.items"


def employment_status(
    label: str | None, start: date | None, end: date | None, as_of: date
) -> EmploymentStatus:
    """The employee's dates read against the clock, the status label where dates are silent."""
    by_dates = status_from_dates(as_of=as_of, start=start, end=end)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    status = (label or "").strip().lower()
    if status == "terminated" and (end is None or end < as_of):
        # A termination date still ahead means notice is being served: access stays.
        return EmploymentStatus.TERMINATED
    if status == "pending" and start is None:
        return EmploymentStatus.PENDING
    return EmploymentStatus.ACTIVE


TOKEN_URL = "https://oauth.employmenthero.com/oauth2/token"  # noqa: S105 - a URL, not a secret


def _active_team(raw: Mapping[str, Any]) -> bool:
    return (text(raw.get("status")) or "active").lower() == "active"


map_team = group_mapper(GroupType.TEAM, active=_active_team)
map_cost_centre = group_mapper(GroupType.COST_CENTER, what="cost centre")
map_work_location = location_mapper(what="work location")


def location_by_name(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, str]]:
    """Employees name their work location: (casefolded name, id)."""
    remote_id = required_id(raw, context, what="work location")
    name = text(raw.get("name"))
    if name:
        yield name.casefold(), remote_id


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(raw, context, what="employee")
    start = day(raw.get("start_date"), vendor=context.vendor)
    end = day(raw.get("termination_date"), vendor=context.vendor)
    groups = [ref(team) for team in raw.get("teams") or ()]
    groups.append(ref(raw.get("primary_cost_centre")))
    location = text(raw.get("location"))
    located = context.joined("work_locations").get(location.casefold(), ()) if location else ()
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("company_email")),
        employment_status=employment_status(text(raw.get("status")), start, end, context.as_of),
        group_ids=tuple(dict.fromkeys(g for g in groups if g)),
        manager_remote_id=ref(raw.get("primary_manager")),
        start_date=start,
        location_id=located[0] if located else None,
    )


_STATUS = "employee.employment_status"

WORK_LOCATION_KEEPS = (
    *location_keeps(),
    VendorField("name", ("employee.location_id",)),
)
EMPLOYEE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("company_email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("start_date", ("employee.start_date", _STATUS)),
    VendorField("termination_date", (_STATUS,)),
    VendorField("teams[].id", ("employee.group_ids",)),
    VendorField("primary_cost_centre.id", ("employee.group_ids",)),
    VendorField("primary_manager.id", ("employee.manager_remote_id",)),
    VendorField("location", ("employee.location_id",)),
)


STREAMS = (
    Stream(
        "teams",
        f"{_ORG}/teams",
        map_team,
        records_path=_ITEMS,
        paginator=_PAGES,
        keeps=group_keeps(selects=("status",)),
    ),
    Stream(
        "cost_centres",
        f"{_ORG}/cost_centres",
        map_cost_centre,
        records_path=_ITEMS,
        paginator=_PAGES,
        keeps=group_keeps(),
    ),
    Stream(
        "work_locations",
        f"{_ORG}/work_locations",
        map_work_location,
        records_path=_ITEMS,
        paginator=_PAGES,
        collect=location_by_name,
        keeps=WORK_LOCATION_KEEPS,
    ),
    Stream(
        "employees",
        f"{_ORG}/employees",
        map_employee,
        records_path=_ITEMS,
        paginator=_PAGES,
        keeps=EMPLOYEE_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=EMPLOYMENTHERO,
    api_root="https://api.employmenthero.com",
    allowed_hosts=("api.employmenthero.com", "oauth.employmenthero.com"),
    auth=OAuth2Refresh(token_url=TOKEN_URL),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Allow the Employment Hero application of this service to read your "
        "organisation's employees, teams and work locations. Nothing needs to be copied.",
        steps=(
            "Make sure you can sign in to Employment Hero as an admin of the organisation "
            "(API access needs a Platinum subscription or above).",
            "Choose Continue below: you are sent to Employment Hero's own sign-in and consent "
            "page, which lists the read-only scopes below.",
            "Review them and choose Allow. Employment Hero sends you back here, and the "
            "organisation you allowed is picked up from the consent itself.",
            "To revoke access later, remove the application in Employment Hero "
            "(Settings > Integrations, or the Developer Portal's connected apps).",
        ),
        grant=(
            "urn:mainapp:organisations:read",
            "urn:mainapp:employees:read",
            "urn:mainapp:teams:read",
        ),
        do_not_grant=(
            "payslips, pay details, bank accounts, superannuation, tax declarations",
            "leave requests, timesheets, certifications, emergency contacts",
            "any :write scope",
        ),
        sources=(
            "https://developer.employmenthero.com/api-references/#authentication",
            "https://developer.employmenthero.com/api-references/#get-employees",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
