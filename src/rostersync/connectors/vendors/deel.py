"""Deel connector.

API reference (read 2026-11): https://developer.deel.com/api/endpoints/people/get-people,
https://developer.deel.com/docs/people, https://developer.deel.com/api/authentication,
https://developer.deel.com/api/rate-limits, and Deel's published OpenAPI (as vendored in
github.com/letsdeel/deel-api-java-sdk `api/openapi.yaml`: getPeopleList, getPeopleList_200_response,
ApiErrorContainer, getWorkingLocations / WorkingLocationsContainer).

- Auth: an organization API token (or an OAuth2 organization app's access token) as
  `Authorization: Bearer`, scopes `people:read` and `organizations:read` (working locations).
- People: `GET /rest/v2/people` pages with `offset` / `limit` (100, see PAGE_SIZE) and answers
  `{"data": [...], "page": {"offset", "items_per_page", "total_rows"}}`. Without a
  `hiring_statuses` filter every hiring status is listed (active, inactive, onboarding,
  offboarding), so leavers and future hires arrive without asking.
- Each person embeds its `department` (`id`, `name`) and its employments, whose `team` is a Deel
  group; both are read from there, so their ids are the ones people reference. The documented
  `/departments` list uses numeric ids that people never carry, so it is not read.
- Work location: `GET /rest/v2/working-locations` lists the organization's working locations
  (`{"data": [{"id", "name"}]}`, no country, not paged), and a person's `work_location` is one
  of those names, a string. A name no listed location has (or two share) leaves the location
  null: "Remote" may be no listed location at all, so no match is not an error, and the run's
  field coverage warns when locations vanish for everyone.
- Status: `hiring_status` plus `direct_employee_termination_last_day` / the employments'
  `termination_last_day` and `start_date`, read against `as_of`. Deel has no leave status.
- Rate limit: 5 requests a second per organization, 429 without rate-limit headers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    day,
    dig,
    ident,
    location_mapper,
    ref,
    status_from_dates,
    text,
)
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.providers import DEEL
from rostersync.connectors.spec import ConnectorSpec, MapContext, SetupGuide, Stream, VendorField
from rostersync.model import Employee, EmploymentStatus, Group, GroupType

# The API reference documents `limit` up to 200, Deel's People guide up to 100 (and the page
# schema's items_per_page up to 99): 100 is accepted under every documented range.
PAGE_SIZE = 100


def _employments(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = raw.get("employments")
    return [e for e in items if isinstance(e, Mapping)] if isinstance(items, list) else []


def _current_employment(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The first employment that has not ended, else the first one (Deel lists newest first)."""
    employments = _employments(raw)
    for employment in employments:
        if not employment.get("is_ended"):
            return employment
    return employments[0] if employments else None


def _work_email(raw: Mapping[str, Any]) -> str | None:
    # Only the "work" entry: the "primary" and "personal" ones may be private addresses.
    for entry in raw.get("emails") or ():
        if isinstance(entry, Mapping) and text(entry.get("type")) == "work":
            value = text(entry.get("value"))
            if value:
                return value
    for employment in _employments(raw):
        value = text(employment.get("work_email"))
        if value:
            return value
    return None


def _last_day(raw: Mapping[str, Any], vendor: str) -> date | None:
    """The primary contract's last day, else the latest last day among the employments."""
    for key in ("direct_employee_termination_last_day", "termination_last_day"):
        last = day(raw.get(key), vendor=vendor)
        if last is not None:
            return last
    days = [day(e.get("termination_last_day"), vendor=vendor) for e in _employments(raw)]
    known = [d for d in days if d is not None]
    return max(known) if known else None


def employment_status(
    hiring_status: str | None, start: date | None, last_day: date | None, as_of: date
) -> EmploymentStatus:
    """Deel's hiring status read against the clock: passed dates win over stale labels."""
    label = (hiring_status or "").strip().lower()
    if label == "inactive":
        return EmploymentStatus.TERMINATED
    by_dates = status_from_dates(as_of=as_of, start=start, end=last_day)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    if label == "onboarding":
        # Contract still being signed or the worker not yet onboarded: not started.
        return EmploymentStatus.PENDING
    # "active", and "offboarding" (serving notice until the last day).
    return EmploymentStatus.ACTIVE


def map_person(raw: Mapping[str, Any], context: MapContext) -> Iterator[Record]:
    remote_id = ident(raw.get("id"))
    if remote_id is None:
        raise BadPayload("Deel sent a person without an id")
    group_ids: list[str] = []
    department = raw.get("department")
    if dept_id := ref(department):
        group_ids.append(dept_id)
        yield Group(
            remote_id=dept_id,
            group_type=GroupType.DEPARTMENT,
            name=text(dig(department, "name")) or "",
        )
    employment = _current_employment(raw)
    team = employment.get("team") if employment else None
    if team_id := ref(team):
        if team_id not in group_ids:
            group_ids.append(team_id)
        yield Group(
            remote_id=team_id, group_type=GroupType.TEAM, name=text(dig(team, "name")) or ""
        )
    start = day(raw.get("start_date"), vendor=context.vendor)
    if start is None and employment is not None:
        start = day(employment.get("start_date"), vendor=context.vendor)
    hiring_status = text(raw.get("hiring_status")) or text((employment or {}).get("hiring_status"))
    yield Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=_work_email(raw),
        employment_status=employment_status(
            hiring_status, start, _last_day(raw, context.vendor), context.as_of
        ),
        group_ids=tuple(group_ids),
        manager_remote_id=ref(raw.get("direct_manager")),
        start_date=start,
        location_id=_location_id(raw, context),
    )


def _location_id(raw: Mapping[str, Any], context: MapContext) -> str | None:
    ids = context.joined("working_locations").get(text(raw.get("work_location")) or "", ())
    return ids[0] if len(ids) == 1 else None  # a name two locations share points at neither


map_working_location = location_mapper(what="working location", country_paths=())


def _named(raw: Mapping[str, Any], _context: MapContext) -> Iterator[tuple[str, str]]:
    name, remote_id = text(raw.get("name")), ident(raw.get("id"))
    if name and remote_id:
        yield name, remote_id


_STATUS = "employee.employment_status"
_GROUPS = ("employee.group_ids", "group.remote_id")

PERSON_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("emails[].type", ("employee.work_email",)),
    VendorField("emails[].value", ("employee.work_email",)),
    VendorField("employments[].work_email", ("employee.work_email",)),
    VendorField("hiring_status", (_STATUS,)),
    VendorField("employments[].hiring_status", (_STATUS,)),
    VendorField("employments[].is_ended", (_STATUS, "employee.group_ids")),
    VendorField("start_date", ("employee.start_date", _STATUS)),
    VendorField("employments[].start_date", ("employee.start_date", _STATUS)),
    VendorField("direct_employee_termination_last_day", (_STATUS,)),
    VendorField("termination_last_day", (_STATUS,)),
    VendorField("employments[].termination_last_day", (_STATUS,)),
    VendorField("department.id", _GROUPS),
    VendorField("department.name", ("group.name",)),
    VendorField("employments[].team.id", _GROUPS),
    VendorField("employments[].team.name", ("group.name",)),
    VendorField("direct_manager.id", ("employee.manager_remote_id",)),
    VendorField("work_location", ("employee.location_id",)),
)
WORKING_LOCATION_KEEPS = (
    VendorField("id", ("location.remote_id", "employee.location_id")),
    VendorField("name", ("employee.location_id",)),
)


SPEC = ConnectorSpec(
    provider=DEEL,
    api_root="https://api.letsdeel.com/rest/v2",
    allowed_hosts=("api.letsdeel.com", "api-sandbox.demo.deel.com"),
    unavailable=("location.country",),
    auth=Bearer("{api_token}"),
    rate_limits=(RateLimit(5, per_seconds=1),),
    streams=(
        Stream(
            "working_locations",
            "/working-locations",
            map_working_location,
            records_path="data",
            collect=_named,
            keeps=WORKING_LOCATION_KEEPS,
        ),
        Stream(
            "people",
            "/people",
            map_person,
            records_path="data",
            paginator=OffsetLimit(limit=PAGE_SIZE, total_path="page.total_rows"),
            keeps=PERSON_KEEPS,
        ),
    ),
    guide=SetupGuide(
        summary="Generate a Deel organization API token that can only read people.",
        steps=(
            "Sign in to Deel as an organization admin and open More > Developer.",
            "Open the Access Tokens tab and click Generate new token.",
            "Enter the label 'rostersync', choose the token type Organization token, click Next.",
            "Select only the scopes people:read and organizations:read, click Next.",
            "Keep organization-level access (all people), so every worker is included.",
            "In the sensitive data step, leave every sensitive category off.",
            "Review and click Generate; copy the token now, Deel shows it only once.",
        ),
        grant=(
            "Organization token (not a personal token: it stops working when its user leaves)",
            "Scopes people:read and organizations:read (the organization's working locations)",
            "Organization-level access, so all people including onboarding and inactive ones",
        ),
        do_not_grant=(
            "Any :write scope",
            "contracts, accounting, invoice-adjustments, time-off and payroll scopes",
            "Access to sensitive data (compensation, personal details, bank details)",
        ),
        sources=(
            "https://developer.deel.com/api/authentication",
            "https://developer.deel.com/docs/api-tokens-1",
            "https://developer.deel.com/api/endpoints/people/get-people",
            "https://developer.deel.com/api/stable/reference/endpoints/organizations/"
            "retrieve-working-locations-v-2026-01-01.md",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
