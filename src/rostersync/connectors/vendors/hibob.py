"""HiBob (Bob) connector.

API reference (read 2026-11): https://apidocs.hibob.com/reference/post_people-search,
https://apidocs.hibob.com/docs/people-read-api-contract, https://apidocs.hibob.com/reference/authorization,
https://apidocs.hibob.com/reference/get_company-named-lists-listname,
https://apidocs.hibob.com/docs/rate-limit, https://help.hibob.com/hc/en-us/articles/4409776355857

- Auth: a service user's ID and token as HTTP Basic.
- People: POST /v1/people/search with the field ids we need and showInactive=true. One response
  holds everyone (no paging), so it is parsed as a stream. Each field arrives as a flat
  `/category/field: {"value": ...}` key and/or nested under its category; both are read.
- Departments and sites: GET /v1/company/named-lists/{department|site}; archived items dropped.
  Site items carry no country in the public API, so locations have country null.
- Rate limit: 50 requests/min on people search; 429 answers carry X-RateLimit-Reset (epoch).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import httpx

from rostersync.connectors.auth import Basic
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload, PermissionDenied
from rostersync.connectors.mapping import day, ident, text
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.providers import HIBOB
from rostersync.connectors.spec import (
    ConnectorSpec,
    FieldList,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
)
from rostersync.model import (
    Employee,
    EmploymentStatus,
    Group,
    GroupType,
    Location,
    RecordType,
    field_names,
)
from rostersync.net import RetryPolicy

_STATUS = "employee.employment_status"

# The HiBob field ids that map to our allowlist, and nothing else.
PEOPLE_FIELDS = (
    VendorField("root.id", ("employee.remote_id",)),
    VendorField("root.firstName", ("employee.first_name",)),
    VendorField("root.surname", ("employee.last_name",)),
    VendorField("root.email", ("employee.work_email",)),
    VendorField("work.department", ("employee.group_ids",)),
    VendorField("work.siteId", ("employee.location_id",)),
    VendorField("work.manager", ("employee.manager_remote_id",)),
    VendorField("work.startDate", ("employee.start_date", _STATUS)),
    VendorField("internal.lifecycleStatus", (_STATUS, "employee.on_garden_leave")),
    VendorField("internal.status", (_STATUS,)),
    VendorField("internal.terminationDate", (_STATUS,)),
)


def _value(raw: Mapping[str, Any], field_id: str) -> Any:
    """A field from either form HiBob uses: flat `/work/siteId: {"value": ...}` or nested."""
    flat = raw.get("/" + field_id.replace(".", "/"))
    if isinstance(flat, Mapping):
        return flat.get("value")
    category, name = field_id.split(".", 1)
    holder = raw if category == "root" else raw.get(category)
    if holder is None:
        return None
    if not isinstance(holder, Mapping):
        # Not a section left out for want of permission (that is absent): a broken one.
        raise BadPayload(f"HiBob sent an employee whose {category} section is not an object")
    return holder.get(name)


GARDEN_LEAVE = "garden leave"
"""The lifecycle status Bob shows "from their last day [at work] until their date of
termination" (help.hibob.com/en/articles/1593405-employee-life-cycle-statuses); Bob sets it when
that lifecycle entry becomes effective, at midnight in the site's time zone
(apidocs.hibob.com/reference/post_webhook_employee-left). The people search carries no field
for the day it began: only the label says it has."""


def employment_status(
    lifecycle: str | None,
    access: str | None,
    start: date | None,
    termination: date | None,
    as_of: date,
) -> EmploymentStatus:
    """HiBob's lifecycle status, read against the clock: dates win over stale labels."""
    label = (lifecycle or "").strip().lower()
    if label != "terminated" and start and termination and start > termination:
        # A rehire keeps the profile and needs "a new start date that occurs after their
        # termination date"; the old termination stays in the lifecycle table and Bob does not
        # say the field is cleared (help.hibob.com/hc/en-us/articles/4409792633361-Rehiring).
        # Someone employed again with a later start date: that date is the previous
        # employment's, as in the Workday, BambooHR and Gusto rehire rules. Still labelled
        # terminated, it is a hire cancelled before its start date, and the label wins.
        termination = None
    if label == "terminated" or (termination is not None and termination < as_of):
        return EmploymentStatus.TERMINATED
    if (start is not None and start > as_of) or (label == "hired" and start is None):
        # HiBob turns Hired into Employed on the start date; a passed date wins over the label.
        return EmploymentStatus.PENDING
    if label in ("hired", "employed", GARDEN_LEAVE):
        # "hired" with its start date passed is stale (Bob flips it to Employed on the day).
        # Garden leave is employment until the termination date, which HiBob sets ahead;
        # whether it keeps access is the connection's garden_leave policy (the engine's).
        return EmploymentStatus.ACTIVE
    if "leave" in label:
        return EmploymentStatus.INACTIVE
    return (
        EmploymentStatus.INACTIVE
        if (access or "").strip().lower() == "inactive"
        else EmploymentStatus.ACTIVE
    )


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = ident(_value(raw, "root.id"))
    if remote_id is None:
        raise BadPayload("HiBob sent an employee without root.id")
    lifecycle = text(_value(raw, "internal.lifecycleStatus"))
    access = text(_value(raw, "internal.status"))
    if lifecycle is None and access is None:
        # HiBob silently leaves out fields a service user may not see. Without the Lifecycle
        # section every leaver would look employed, so the read stops here instead.
        raise PermissionDenied(
            "HiBob returned no lifecycle status: give the service user's permission group "
            "view access to the Lifecycle section"
        )
    start = day(_value(raw, "work.startDate"), vendor=context.vendor)
    department = ident(_value(raw, "work.department"))
    status = employment_status(
        lifecycle,
        access,
        start,
        day(_value(raw, "internal.terminationDate"), vendor=context.vendor),
        context.as_of,
    )
    return Employee(
        remote_id=remote_id,
        first_name=text(_value(raw, "root.firstName")) or "",
        last_name=text(_value(raw, "root.surname")) or "",
        work_email=text(_value(raw, "root.email")),
        employment_status=status,
        group_ids=(department,) if department else (),
        manager_remote_id=ident(_value(raw, "work.manager")),
        start_date=start,
        location_id=ident(_value(raw, "work.siteId")),
        # A label left over after the termination date has passed is no longer garden leave.
        on_garden_leave=status is EmploymentStatus.ACTIVE
        and (lifecycle or "").strip().lower() == GARDEN_LEAVE,
    )


def _active_items(item: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """A named-list item and its nested children, archived ones (and their subtrees) left out."""
    if item.get("archived"):
        return
    yield item
    for child in item.get("children") or ():
        yield from _active_items(child)


def map_department(raw: Mapping[str, Any], context: MapContext) -> Iterator[Group]:  # noqa: ARG001
    for item in _active_items(raw):
        yield Group(
            remote_id=str(item["id"]),
            group_type=GroupType.DEPARTMENT,
            name=text(item.get("name")) or text(item.get("value")) or "",
        )


def map_site(raw: Mapping[str, Any], context: MapContext) -> Iterator[Location]:  # noqa: ARG001
    # Named-list items carry no country; HiBob's site countries sit behind the Address
    # category, which also holds home addresses, so we do not ask for it.
    for item in _active_items(raw):
        yield Location(remote_id=str(item["id"]), country=None)


def rate_limit_reset(response: httpx.Response) -> float | None:
    """Seconds until X-RateLimit-Reset (Unix epoch), HiBob's word on when to come back."""
    value = response.headers.get("X-RateLimit-Reset", "")
    if not value.isdigit():
        return None
    return max(0.0, int(value) - time.time()) + 1


DEPARTMENT_KEEPS = (
    VendorField("id", ("group.remote_id",)),
    VendorField("name", ("group.name",)),
    VendorField("value", ("group.name",)),
    VendorField("archived", selects=True),
    # Nested departments, read the same way as the list's own items.
    VendorField("children", ("group.remote_id", "group.name")),
)
SITE_KEEPS = (
    VendorField("id", ("location.remote_id",)),
    VendorField("archived", selects=True),
    VendorField("children", ("location.remote_id",)),
)


SPEC = ConnectorSpec(
    provider=HIBOB,
    api_root="https://api.hibob.com",
    allowed_hosts=("api.hibob.com", "api.sandbox.hibob.com"),
    auth=Basic("{service_user_id}", "{service_user_token}"),
    rate_limits=(RateLimit(50, per_seconds=60),),
    streams=(
        Stream(
            "departments",
            "/v1/company/named-lists/department",
            map_department,
            records_path="items",
            keeps=DEPARTMENT_KEEPS,
        ),
        Stream(
            "sites",
            "/v1/company/named-lists/site",
            map_site,
            records_path="items",
            keeps=SITE_KEEPS,
        ),
        Stream(
            "people",
            "/v1/people/search",
            map_employee,
            method="POST",
            body={"showInactive": True},
            fields=PEOPLE_FIELDS,
            field_list=FieldList("fields", in_body=True),
            records_path="employees",
        ),
    ),
    retry=RetryPolicy(wait_hint=rate_limit_reset),
    fields=field_names(RecordType.EMPLOYEE),
    unavailable=("location.country",),
    guide=SetupGuide(
        summary="Create a HiBob service user that can read basic, work and lifecycle details "
        "of every employee, including hired and terminated people.",
        steps=(
            "In Bob, open Settings > Integrations > Service users and choose Manage.",
            "Create a service user named 'rostersync'. Copy its ID and token: the token is "
            "shown only once.",
            "Open Settings > Account > Permission groups, add a group of type 'Service user', "
            "name it 'rostersync' and add the service user to it.",
            "In the group's People's data tab, under 'Whose data can members access?', choose "
            "'Select people by condition' and remove the condition 'Lifecycle status equals "
            "Employed', so hired and terminated people are included.",
            "Under People, allow viewing these sections for the selected employees: Basic info, "
            "Work, and Lifecycle. Save the group.",
        ),
        grant=(
            "Basic info (name, work email)",
            "Work (department, site, manager, start date)",
            "Lifecycle (status, termination date)",
            "All lifecycle statuses: hired, employed, on leave, terminated",
        ),
        do_not_grant=(
            "Payroll, Compensation, Bank accounts",
            "Personal, Address, Home and Emergency contacts",
            "Time off, Performance, EEO / Equality and diversity",
        ),
        sources=(
            "https://apidocs.hibob.com/docs/api-service-users",
            "https://apidocs.hibob.com/reference/people",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
