"""Namely connector.

API reference (read 2026-11): https://developers.namely.com/docs/namely-api (profiles, groups,
authentication), Namely's OpenAPI as vendored in github.com/konfig-sdks/namely-java-sdk
(`api/openapi.yaml`: GET_profiles, GET_groups, GetProfilesResponse, GetGroupsResponse), and
https://help.namely.com ("Using Open API with Org Units").

- Auth: a personal access token (or an OAuth access token) as `Authorization: Bearer`; the API
  lives on the company's own subdomain, `https://{company}.namely.com/api/v1`.
- Profiles: `GET /profiles` pages with `page` / `per_page` (default 30, maximum 50). The docs
  promise "active and inactive" profiles, which leaves out `pending` ones (onboarding, not
  started), so the read asks once per documented `filter[user_status]` value (active, pending,
  inactive) and keeps each id once. `meta.count` is unreliable on short pages (documented), so
  paging stops at the first short page.
- Groups: `GET /groups` lists every group with its group type title in `type` (Departments,
  Divisions, Office Locations, or a custom type). Office locations become Locations (country
  from `address.country_id`); the others become Groups. Profiles reference them through
  `links.groups`, and teams through `links.teams` (id and name).
- Status: `user_status` (active / pending / inactive), `start_date`, `departure_date`, read
  against `as_of`. Namely has no leave status.
- Rate limits are enforced but no numbers are published; 429 is retried with backoff.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.mapping import (
    country_code,
    day,
    dig,
    ident,
    ref,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import PageNumber
from rostersync.connectors.providers import NAMELY
from rostersync.connectors.spec import ConnectorSpec, MapContext, SetupGuide, Stream, VendorField
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location

PAGE_SIZE = 50  # documented maximum for per_page
USER_STATUSES = ("active", "pending", "inactive")


def group_type(type_title: str | None) -> GroupType | None:
    """A group type title to our type; None for office locations (they are Locations)."""
    title = (type_title or "").strip().lower()
    if "office" in title or "location" in title:
        return None
    if "department" in title:
        return GroupType.DEPARTMENT
    if "division" in title or "business unit" in title:
        return GroupType.BUSINESS_UNIT
    if "cost cent" in title:
        return GroupType.COST_CENTER
    if "team" in title:
        return GroupType.TEAM
    return GroupType.GROUP


def map_group(raw: Mapping[str, Any], context: MapContext) -> Record:
    remote_id = required_id(raw, context, what="group")
    kind = group_type(text(raw.get("type")))
    if kind is None:
        country = country_code(dig(raw, "address.country_id")) or country_code(
            dig(raw, "address.country")
        )
        return Location(remote_id=remote_id, country=country)
    return Group(remote_id=remote_id, group_type=kind, name=text(raw.get("title")) or "")


def employment_status(
    user_status: str | None, start: date | None, departure: date | None, as_of: date
) -> EmploymentStatus:
    """Namely's user status read against the clock; passed dates win over stale labels."""
    label = (user_status or "").strip().lower()
    if label == "inactive":
        return EmploymentStatus.TERMINATED
    by_dates = status_from_dates(as_of=as_of, start=start, end=departure)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    if label == "pending" and (start is None or start > as_of):
        return EmploymentStatus.PENDING
    return EmploymentStatus.ACTIVE


def group_kind(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, bool]]:
    """(group id, whether it is an office location): profiles link both the same way."""
    yield required_id(raw, context, what="group"), group_type(text(raw.get("type"))) is None


def _links(raw: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    links = raw.get("links")
    items = [] if links is None else links.get(key)
    return list(items or ())


def map_profile(raw: Mapping[str, Any], context: MapContext) -> Iterator[Record]:
    """One profile. Links to groups /groups does not list (archived ones) are dropped rather
    than left dangling."""
    remote_id = required_id(raw, context, what="profile")
    listed = context.joined("groups")
    group_ids: list[str] = []
    location_id: str | None = None
    for group in _links(raw, "groups"):
        group_id = ident(group.get("id"))
        if group_id is None or group_id not in listed:
            continue
        if listed[group_id][0]:
            location_id = location_id or group_id
        elif group_id not in group_ids:
            group_ids.append(group_id)
    for team in _links(raw, "teams"):
        team_id = ident(team.get("id"))
        if team_id is not None and team_id not in group_ids:
            group_ids.append(team_id)
            yield Group(
                remote_id=team_id, group_type=GroupType.TEAM, name=text(team.get("name")) or ""
            )
    managers = raw.get("reports_to") or ()
    manager = managers[0] if managers else None
    start = day(raw.get("start_date"), vendor=context.vendor)
    yield Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("email")),
        employment_status=employment_status(
            text(raw.get("user_status")),
            start,
            day(raw.get("departure_date"), vendor=context.vendor),
            context.as_of,
        ),
        group_ids=tuple(group_ids),
        manager_remote_id=ref(manager),
        start_date=start,
        location_id=location_id,
    )


def _profiles(user_status: str) -> Stream:
    return Stream(
        f"profiles ({user_status})",
        "/profiles",
        map_profile,
        params={"filter[user_status]": user_status},
        records_path="profiles",
        paginator=PageNumber(page_param="page", size_param="per_page", size=PAGE_SIZE),
        # A filter Namely ignores would list people twice; each id is kept once.
        unique=True,
        keeps=PROFILE_KEEPS,
    )


_STATUS = "employee.employment_status"

GROUP_KEEPS = (
    VendorField("id", ("group.remote_id", "location.remote_id")),
    VendorField("type", ("group.group_type",)),
    VendorField("title", ("group.name",)),
    VendorField("address.country_id", ("location.country",)),
    VendorField("address.country", ("location.country",)),
)
PROFILE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("user_status", (_STATUS,)),
    VendorField("start_date", ("employee.start_date", _STATUS)),
    VendorField("departure_date", (_STATUS,)),
    VendorField("links.groups[].id", ("employee.group_ids", "employee.location_id")),
    VendorField("links.teams[].id", ("employee.group_ids", "group.remote_id")),
    VendorField("links.teams[].name", ("group.name",)),
    VendorField("reports_to[].id", ("employee.manager_remote_id",)),
)


STREAMS = (
    Stream(
        "groups",
        "/groups",
        map_group,
        records_path="groups",
        collect=group_kind,
        keeps=GROUP_KEEPS,
    ),
    *(_profiles(status) for status in USER_STATUSES),
)


SPEC = ConnectorSpec(
    provider=NAMELY,
    api_root="https://{company}.namely.com/api/v1",
    allowed_hosts=("*.namely.com",),
    auth=Bearer("{access_token}"),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Create a Namely personal access token for a dedicated administrator account "
        "that can see every profile, including pending and inactive ones.",
        steps=(
            "Create (or pick) a dedicated Namely user for the integration, e.g. "
            "'rostersync integration', and give it an access role that can view all profiles "
            "and the Job, Groups and Reports-to fields, but not compensation, benefits, "
            "personal or payroll sections.",
            "Sign in to Namely as that user and open your profile menu > API.",
            "Under Personal Access Tokens, enter the name 'rostersync' and click Create.",
            "Copy the token: Namely shows it only once. Enter it here with your company "
            "subdomain (the part before .namely.com).",
            "The token works as long as that user is active: deactivating the user revokes it.",
        ),
        grant=(
            "View all employee profiles, in every status (active, pending, inactive)",
            "Name, company email, job and start/departure dates",
            "Groups (departments, divisions, office locations), teams and reports-to",
        ),
        do_not_grant=(
            "Compensation / salary, payroll, benefits (healthcare, dental, vision)",
            "Personal and home contact details, SSN, date of birth, EEO fields",
            "Edit rights of any kind",
        ),
        sources=(
            "https://developers.namely.com/docs/namely-api",
            "https://developers.namely.com/docs/personal-access-tokens",
            "https://help.namely.com",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
