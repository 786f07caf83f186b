"""TriNet Zenefits connector (Core API).

API reference (read 2026-11): https://developers.zenefits.com/docs/getting-started,
https://developers.zenefits.com/reference/pagination, /reference/people, /reference/employments,
/reference/departments, /reference/locations, https://developers.zenefits.com/docs/permissions.
Response shapes cross-checked with captured payloads in public client code (fixtures' SOURCES.md).

- Auth: an OAuth2 access token (or the legacy API token a Zenefits admin can generate) as
  `Authorization: Bearer`. A token is installed in one company, so the top-level `/core/...`
  lists are that company's.
- Every answer is `{"status", "object": "/meta/response", "data": {...}, "error"}`; lists hold
  `data.data` and an absolute `data.next_url` (null on the last page); `limit` at most 100.
- People (`/core/people`) carry `status` (active / leave_of_absence / terminated, and
  requested / setup for hires not yet active) and refs to their department, location and manager
  (`{"url": ".../core/departments/219736"}`, or null `url` when unset). We ask for no `includes`:
  an expanded manager is a whole person record, personal fields and all. People carry no dates:
  hire and termination dates live on employments (`/core/employments`, one per hire), which
  are read first and joined on the person ref; the latest hire wins for rehires.
- Departments (`/core/departments`) and locations (`/core/locations`, `country` alpha-2).
- Rate limits: not published; 429 with Retry-After is honoured.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import Bearer
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    ident,
    location_mapper,
    ref,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import NextUrl
from rostersync.connectors.providers import ZENEFITS
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

PAGE_SIZE = 100  # documented maximum for `limit`
_PAGES = NextUrl(next_path="data.next_url", size_param="limit", size=PAGE_SIZE)
_RECORDS = "data.data"

Dates = tuple[date | None, date | None]


def ref_id(value: Any) -> str | None:
    """The id behind a Zenefits ref: an expanded object's `id`, else the ref URL's last step."""
    expanded = ref(value)
    if expanded or value is None:
        return expanded
    url = text(value.get("url"))
    if url is None:
        return None
    return ident(url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def employment_status(label: str | None, dates: Dates, as_of: date) -> EmploymentStatus:
    """Zenefits' person status read against the employment dates: dates win over labels."""
    hired, ended = dates
    status = (label or "").strip().lower()
    by_dates = status_from_dates(as_of=as_of, start=hired, end=ended)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    if status == "terminated" and (ended is None or ended < as_of):
        # Terminated with a termination date still ahead is someone serving notice.
        return EmploymentStatus.TERMINATED
    if status in ("requested", "setup"):
        # Hires whose onboarding is not finished: not yet someone who should have access.
        return EmploymentStatus.PENDING
    if status == "leave_of_absence":
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


map_department = group_mapper(GroupType.DEPARTMENT)
map_location = location_mapper()


def employment(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, Dates]]:
    """(person id, (hire date, termination date)) of one employment."""
    person = ref_id(raw.get("person"))
    hired = day(raw.get("hire_date"), vendor=context.vendor)
    ended = day(raw.get("termination_date"), vendor=context.vendor)
    if person is not None:
        yield person, (hired, ended)


def latest(employments: Iterable[Dates]) -> Dates:
    """The latest hire wins for rehires (of equal hire dates, the later listed)."""
    chosen: Dates = (None, None)
    for index, (hired, ended) in enumerate(employments):
        if index == 0 or (hired is not None and (chosen[0] is None or hired >= chosen[0])):
            chosen = (hired, ended)
    return chosen


def map_person(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(raw, context, what="person")
    dates = latest(context.joined("employments").get(remote_id, ()))
    department = ref_id(raw.get("department"))
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("work_email")),
        employment_status=employment_status(text(raw.get("status")), dates, context.as_of),
        group_ids=(department,) if department else (),
        manager_remote_id=ref_id(raw.get("manager")),
        start_date=dates[0],
        location_id=ref_id(raw.get("location")),
    )


_STATUS = "employee.employment_status"


def _reference(path: str, feeds: tuple[str, ...]) -> tuple[VendorField, ...]:
    """What `ref_id` reads of a reference: its id, or the id at the end of its url."""
    return VendorField(f"{path}.id", feeds), VendorField(f"{path}.url", feeds)


EMPLOYMENT_KEEPS = (
    *_reference("person", ("employee.start_date", _STATUS)),
    VendorField("hire_date", ("employee.start_date", _STATUS)),
    VendorField("termination_date", (_STATUS,)),
)
PERSON_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("work_email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    *_reference("department", ("employee.group_ids",)),
    *_reference("manager", ("employee.manager_remote_id",)),
    *_reference("location", ("employee.location_id",)),
)


STREAMS = (
    Stream(
        "departments",
        "/core/departments",
        map_department,
        records_path=_RECORDS,
        paginator=_PAGES,
        keeps=group_keeps(),
    ),
    Stream(
        "locations",
        "/core/locations",
        map_location,
        records_path=_RECORDS,
        paginator=_PAGES,
        keeps=location_keeps(),
    ),
    Stream(
        "employments",
        "/core/employments",
        records_path=_RECORDS,
        paginator=_PAGES,
        collect=employment,
        keeps=EMPLOYMENT_KEEPS,
    ),
    Stream(
        "people",
        "/core/people",
        map_person,
        records_path=_RECORDS,
        paginator=_PAGES,
        keeps=PERSON_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=ZENEFITS,
    api_root="https://api.zenefits.com",
    allowed_hosts=("api.zenefits.com",),
    auth=Bearer("{access_token}"),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Install a Zenefits app (or generate an API token) that can read people, "
        "employments, departments and locations of your company.",
        steps=(
            "Sign in to Zenefits as a full admin.",
            "Open the App Directory and install the rostersync app, or, for a direct token, "
            "ask Zenefits support / your partner contact for a Core API token for the company.",
            "On the consent screen, grant only the scopes listed below (the 'platform' scope "
            "is always required).",
            "Copy the access token shown after the installation into rostersync.",
        ),
        grant=(
            "platform",
            "people (names, status), people.work_email, people.department, "
            "people.location, people.manager",
            "employments (hire and termination dates)",
            "departments, locations",
        ),
        do_not_grant=(
            "people.date_of_birth, people.gender, people.personal_email, people.personal_phone, "
            "people.street1 / address, people.social_security_number",
            "banks, company_banks, payroll, employments.annual_salary / pay_rate",
            "time_off / vacation_requests, benefits",
        ),
        sources=(
            "https://developers.zenefits.com/docs/permissions",
            "https://developers.zenefits.com/docs/oauth",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
