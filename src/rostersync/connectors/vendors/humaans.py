"""Humaans connector.

API reference (read 2026-11): https://docs.humaans.io/api/ (authentication, scopes, people,
job roles, locations, pagination), https://intercom.help/humaans/en/articles/11124919-api-scopes.
Example bodies cross-checked against public client code (see the fixtures' SOURCES.md).

- Auth: an API access token as `Authorization: Bearer`. Scope `private:read` only: employment
  dates and status are not public data, and the token never needs to write.
- Lists page with `$limit` (max 250) and `$skip`; every page says `total`, `limit`, `skip`.
- People (`/people`) carry `status` (active / offboarded / newHire), `employmentStartDate`,
  `employmentEndDate`, `locationId` and `teams` (names only). They carry no department or
  manager: those live on job roles (`/job-roles`: `personId`, `department`, `reportingTo`,
  `effectiveDate`, `endDate`), a dated history per person. The role in effect on `as_of` is
  used (else the nearest future one for new hires, else the latest). Departments and teams have
  no ids in Humaans, so their names are the ids, prefixed by kind so they cannot collide.
- Locations (`/locations`) carry a `countryCode` (and `country` name).
- No leave status on people (time away is a separate, sensitive resource), so nobody is
  INACTIVE.
- Rate limits: not published; 429 answers are retried with Retry-After.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import PermissionDenied
from rostersync.connectors.mapping import (
    day,
    ident,
    location_mapper,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.providers import HUMAANS
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType

PAGE_SIZE = 250  # documented maximum for $limit
_PAGES = OffsetLimit(
    offset_param="$skip", limit_param="$limit", limit=PAGE_SIZE, total_path="total"
)

DEPARTMENT_PREFIX = "department:"
TEAM_PREFIX = "team:"


def employment_status(
    label: str | None, start: date | None, end: date | None, as_of: date
) -> EmploymentStatus:
    """Humaans' person status, read against the clock: dates win over a stale label."""
    status = (label or "").strip().lower()
    by_dates = status_from_dates(as_of=as_of, start=start, end=end)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    if status == "offboarded" and (end is None or end < as_of):
        # Offboarded without an end date still means gone; with a future end date the
        # person is serving notice and keeps access until then.
        return EmploymentStatus.TERMINATED
    if status == "newhire" and start is None:
        return EmploymentStatus.PENDING
    return EmploymentStatus.ACTIVE


@dataclass(frozen=True)
class _Role:
    department: str | None
    manager: str | None
    effective: date | None
    end: date | None


def _role_rank(role: _Role, as_of: date) -> tuple[int, int]:
    """Higher is better: in effect on `as_of`, then the nearest future role, then the latest."""
    effective = (role.effective or date.min).toordinal()
    if effective <= as_of.toordinal() and (role.end is None or role.end >= as_of):
        return (3, effective)
    if effective > as_of.toordinal():
        return (2, -effective)
    return (1, effective)


def person_role(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, _Role]]:
    """(personId, the role): people are joined to the role in effect on `as_of`."""
    person = ident(raw.get("personId"))
    if person is None:
        return
    yield (
        person,
        _Role(
            department=text(raw.get("department")),
            manager=ident(raw.get("reportingTo")),
            effective=day(raw.get("effectiveDate"), vendor=context.vendor),
            end=day(raw.get("endDate"), vendor=context.vendor),
        ),
    )


def current_role(roles: Iterable[_Role], as_of: date) -> _Role | None:
    """The role that describes the person on `as_of`; of equal rank, the later listed."""
    best: _Role | None = None
    for role in roles:
        if best is None or _role_rank(role, as_of) >= _role_rank(best, as_of):
            best = role
    return best


LOCATION_COUNTRY = ("countryCode", "country")
map_location = location_mapper(country_paths=LOCATION_COUNTRY)


def _team_names(raw: Mapping[str, Any]) -> list[str]:
    names = []
    for team in raw.get("teams") or ():
        name = text(team.get("name"))
        if name:
            names.append(name)
    return names


def map_person(raw: Mapping[str, Any], context: MapContext) -> Iterator[Record]:
    """The person, after the department and team groups it points at (their names are the
    only ids Humaans has, so the groups come from the people)."""
    remote_id = required_id(raw, context, what="person")
    if "status" not in raw and "employmentEndDate" not in raw:
        # A token without private:read sees the public directory only: without employment
        # status and dates every leaver would look employed, so the read stops here.
        raise PermissionDenied(
            "Humaans returned people without employment status: the API access token needs "
            "the private:read scope, created by an Owner or Admin"
        )
    role = current_role(context.joined("job_roles").get(remote_id, ()), context.as_of)
    start = day(raw.get("employmentStartDate"), vendor=context.vendor)
    end = day(raw.get("employmentEndDate"), vendor=context.vendor)
    groups = []
    if role is not None and role.department:
        groups.append(DEPARTMENT_PREFIX + role.department)
        yield Group(remote_id=groups[-1], group_type=GroupType.DEPARTMENT, name=role.department)
    for name in _team_names(raw):
        groups.append(TEAM_PREFIX + name)
        yield Group(remote_id=groups[-1], group_type=GroupType.TEAM, name=name)
    yield Employee(
        remote_id=remote_id,
        first_name=text(raw.get("firstName")) or "",
        last_name=text(raw.get("lastName")) or "",
        work_email=text(raw.get("email")),
        employment_status=employment_status(text(raw.get("status")), start, end, context.as_of),
        group_ids=tuple(dict.fromkeys(groups)),
        manager_remote_id=role.manager if role else None,
        start_date=start,
        location_id=ident(raw.get("locationId")),
    )


_STATUS = "employee.employment_status"

JOB_ROLE_KEEPS = (
    VendorField("personId", ("employee.group_ids", "employee.manager_remote_id")),
    VendorField("department", ("employee.group_ids", "group.remote_id", "group.name")),
    VendorField("reportingTo", ("employee.manager_remote_id",)),
    VendorField("effectiveDate", ("employee.group_ids", "employee.manager_remote_id")),
    VendorField("endDate", ("employee.group_ids", "employee.manager_remote_id")),
)
PERSON_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("firstName", ("employee.first_name",)),
    VendorField("lastName", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("employmentStartDate", ("employee.start_date", _STATUS)),
    VendorField("employmentEndDate", (_STATUS,)),
    VendorField("teams[].name", ("employee.group_ids", "group.remote_id", "group.name")),
    VendorField("locationId", ("employee.location_id",)),
)


STREAMS = (
    Stream(
        "locations",
        "/locations",
        map_location,
        records_path="data",
        paginator=_PAGES,
        keeps=location_keeps(country_paths=LOCATION_COUNTRY),
    ),
    Stream(
        "job_roles",
        "/job-roles",
        records_path="data",
        paginator=_PAGES,
        collect=person_role,
        keeps=JOB_ROLE_KEEPS,
    ),
    Stream(
        "people",
        "/people",
        map_person,
        records_path="data",
        paginator=_PAGES,
        keeps=PERSON_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=HUMAANS,
    api_root="https://app.humaans.io/api",
    allowed_hosts=("app.humaans.io",),
    auth=Bearer("{api_token}"),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Create a Humaans API access token that can view public and private data "
        "(private:read) and nothing else.",
        steps=(
            "Sign in to Humaans as an Owner or Admin: a token only ever sees what the person "
            "who created it may see, so a token made by a regular member sees only themselves.",
            "Open the API access tokens page (Humaans' API documentation, 'Access Token "
            "Management', links to it) and generate a new token named 'rostersync'.",
            "Under scopes, tick only 'View public and private data (private:read)'.",
            "Copy the token when it is shown and paste it here.",
        ),
        grant=(
            "View public and private data (private:read): names, work email, employment "
            "dates and status, job roles (department, manager), teams, locations",
        ),
        do_not_grant=(
            "Modify public and private data (private:write)",
            "View or modify compensations (compensations:read / compensations:write)",
            "View or modify documents (documents:read / documents:write)",
            "Manage webhooks (webhooks:manage)",
        ),
        sources=(
            "https://docs.humaans.io/api/",
            "https://intercom.help/humaans/en/articles/11124919-api-scopes",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
