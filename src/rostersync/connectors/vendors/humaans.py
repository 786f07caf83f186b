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
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.base import CredentialField, Record
from rostersync.connectors.declarative import DeclarativeConnector, SpecReader
from rostersync.connectors.errors import BadPayload, PermissionDenied
from rostersync.connectors.mapping import day, location_mapper, status_from_dates, text
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.spec import ConnectorSpec, MapContext, SetupGuide, Stream
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


def current_roles(raw_roles: Iterator[Any], context: MapContext) -> dict[str, _Role]:
    """personId -> the job role that describes the person on `as_of`."""
    best: dict[str, _Role] = {}
    for raw in raw_roles:
        if not isinstance(raw, Mapping):
            raise BadPayload("Humaans sent a job role that is not an object")
        person = text(raw.get("personId"))
        if person is None:
            continue
        role = _Role(
            department=text(raw.get("department")),
            manager=text(raw.get("reportingTo")),
            effective=day(raw.get("effectiveDate"), vendor=context.vendor),
            end=day(raw.get("endDate"), vendor=context.vendor),
        )
        held = best.get(person)
        if held is None or _role_rank(role, context.as_of) >= _role_rank(held, context.as_of):
            best[person] = role
    return best


map_location = location_mapper(country_paths=("countryCode", "country"))


def _team_names(raw: Mapping[str, Any]) -> list[str]:
    names = []
    for team in raw.get("teams") or ():
        name = text(team.get("name")) if isinstance(team, Mapping) else None
        if name:
            names.append(name)
    return names


def map_person(raw: Mapping[str, Any], role: _Role | None, context: MapContext) -> Employee:
    remote_id = text(raw.get("id"))
    if remote_id is None:
        raise BadPayload("Humaans sent a person without an id")
    if "status" not in raw and "employmentEndDate" not in raw:
        # A token without private:read sees the public directory only: without employment
        # status and dates every leaver would look employed, so the read stops here.
        raise PermissionDenied(
            "Humaans returned people without employment status: the API access token needs "
            "the private:read scope, created by an Owner or Admin"
        )
    start = day(raw.get("employmentStartDate"), vendor=context.vendor)
    end = day(raw.get("employmentEndDate"), vendor=context.vendor)
    groups = []
    if role is not None and role.department:
        groups.append(DEPARTMENT_PREFIX + role.department)
    groups.extend(TEAM_PREFIX + name for name in _team_names(raw))
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("firstName")) or "",
        last_name=text(raw.get("lastName")) or "",
        work_email=text(raw.get("email")),
        employment_status=employment_status(text(raw.get("status")), start, end, context.as_of),
        group_ids=tuple(dict.fromkeys(groups)),
        manager_remote_id=role.manager if role else None,
        start_date=start,
        location_id=text(raw.get("locationId")),
    )


def _not_streamed(raw: Mapping[str, Any], context: MapContext) -> None:  # noqa: ARG001
    """Job roles and people are joined in `read`; the streams only describe the endpoints."""
    return None


LOCATIONS = Stream("locations", "/locations", map_location, records_path="data", paginator=_PAGES)
JOB_ROLES = Stream("job_roles", "/job-roles", _not_streamed, records_path="data", paginator=_PAGES)
PEOPLE = Stream("people", "/people", _not_streamed, records_path="data", paginator=_PAGES)


def read(reader: SpecReader) -> Iterator[Record]:
    """Locations, then departments and teams, then people joined to their job role."""
    yield from reader.records(LOCATIONS)
    roles = current_roles(reader.raw(JOB_ROLES), reader.map_context)
    people = []
    for raw in reader.raw(PEOPLE):
        if not isinstance(raw, Mapping):
            raise BadPayload("Humaans sent a person that is not an object")
        person_id = text(raw.get("id"))
        people.append(map_person(raw, roles.get(person_id or ""), reader.map_context))
    # Group records come before the people that point at them; names are the only ids.
    seen: set[str] = set()
    for employee in people:
        for group_id in employee.group_ids:
            if group_id in seen:
                continue
            seen.add(group_id)
            is_department = group_id.startswith(DEPARTMENT_PREFIX)
            yield Group(
                remote_id=group_id,
                group_type=GroupType.DEPARTMENT if is_department else GroupType.TEAM,
                name=group_id.split(":", 1)[1],
            )
    yield from people


SPEC = ConnectorSpec(
    slug="humaans",
    display_name="Humaans",
    docs_url="https://docs.humaans.io/api/",
    api_root="https://app.humaans.io/api",
    allowed_hosts=("app.humaans.io",),
    credential_fields=(
        CredentialField(
            "api_token",
            "API access token",
            secret=True,
            help="Created by a Humaans Owner or Admin with the private:read scope only.",
        ),
    ),
    auth=Bearer("{api_token}"),
    streams=(LOCATIONS, JOB_ROLES, PEOPLE),
    read=read,
    rate_limits="not published; 429 answers are retried with Retry-After",
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
