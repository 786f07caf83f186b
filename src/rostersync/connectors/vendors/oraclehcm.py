"""Oracle HCM Cloud connector: the workers REST resource, with locations, read as of a date.

Sources (stored copies of docs.oracle.com, read 2026-12; `farws` = REST API for Oracle HCM
Cloud, https://docs.oracle.com/en/cloud/saas/human-resources/farws/):
farws/api-workers.html (the workers resource "provides all the worker records as of the
specified date"; worker types employee, contingent worker, pending worker),
farws/op-workers-get.html (query parameters `effectiveDate`, `fields`, `expand`, `limit`,
`offset`, `onlyData`, `totalResults`), farws/Collection_Resources.html (`items`, `hasMore`,
`totalResults`, `limit` "the paging size that the server uses", default 25),
farws/Date_Effective_GET.html (the context date is `effectiveDate`, else sysdate),
farws/Retrieve_Past_or_Future_Worker_Details.html (24c; a worker with
`workRelationships.assignments` and a `TerminationDate` on the work relationship),
farws/Retrieve_Worker_Details.html (child collections as `{items, count, hasMore, ...}`),
farws/Add_a_Worker_Email.html (`EmailType` "W1" is the work email),
farws/Add_a_Work_Relationship.html (a rehire is a new work relationship of the same person;
managers named by assignment and `ManagerType` LINE_MANAGER),
farws/api-locations.html (locations "provides all the locations as of the specified date",
GET only; farws/5577Locations.html grants it to the Workforce Structures Read Only role),
farws/WorkersAPI_Security.html and Global_Human_Resources__Workers.html (read-only duty roles),
farws/Use_JWT_Token_for_Authorization.html, the Oracle by Example
"Get Started with Workers REST API - Get a Worker" (a future-dated worker is returned only
with an `effectiveDate` on or after its start),
fahbo/examples-of-loading-work-relationship-changes.html ("All associated assignments are
automatically made inactive after the termination date"),
fawhr/employment-primary-status-attributes.html (PER_PERIODS_OF_SERVICE, behind work
relationships, "is not effective dated").

- Auth: HTTP Basic with a customer's integration user, over the customer's own host
  (`https://{host}`, `*.oraclecloud.com` only, enforced by the host guard). Oracle's JWT
  bearer route (farws/Use_JWT_Token_for_Authorization.html) needs a token the customer's own
  identity set-up signs for a user; it adds key management and no access Basic lacks, and the
  usual integration for a customer's service account is Basic (Oracle's own HCM REST
  connection recipe uses Basic Authentication).
- Reads: GET /locations (`LocationId`, `Country`; not locationsV2, whose read-only grant no
  stored page names), then GET /workers naming only
  our fields with Oracle's `fields` syntax (`PersonId;names:FirstName,...`), as of `as_of`.
  Workers come with their names, emails, work relationships, assignments and assignment
  managers as child collections; a child collection that says it has more is refused rather
  than read short.
- Future hires: a worker whose start is ahead is not in a read as of today, so the workers
  are read a second time as of PENDING_WINDOW_DAYS ahead, keeping only people the first read
  lacks (as the Workday SOAP read does). Everyone else keeps today's data, so a move or a
  termination dated ahead does not show early.
- Status: the work relationship in effect on `as_of` (else the next to start, else the last to
  end). `TerminationDate` is the last day employed (assignments turn inactive *after* it), and
  since work relationships are not date-effective it shows as soon as it is entered: the date,
  not its presence, decides. A start ahead is PENDING; an assignment SUSPENDED is INACTIVE; an
  INACTIVE assignment with no termination date is TERMINATED. Workers without any work
  relationship child mean the user lacks the employment role: the read fails naming it.
- Ids: `PersonId` (one person across rehires); the manager is the person holding the
  LINE_MANAGER's `ManagerAssignmentId`; departments are the assignment's `DepartmentId` and
  `DepartmentName`; the location is the assignment's `LocationId`.
- Paging: `offset`/`limit` with `totalResults=true`; a page short of the total that also
  holds fewer than the server's own `limit` fails the read; without a total, `hasMore: false`
  or an empty page ends it. Rate limits: none published; 429/503 retried with Retry-After.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rostersync.connectors.auth import Basic
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector, SpecReader
from rostersync.connectors.errors import BadPayload, PermissionDenied
from rostersync.connectors.mapping import (
    day,
    dig,
    ident,
    location_mapper,
    required_id,
    text,
)
from rostersync.connectors.paging import OffsetLimit, Page, PageRequest
from rostersync.connectors.providers import ORACLEHCM
from rostersync.connectors.spec import (
    ConnectorSpec,
    FieldList,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType

PAGE_SIZE = 500
"""Asked for; the server may use less and says so in `limit`, which the paging follows."""

PENDING_WINDOW_DAYS = 120
"""How far ahead future hires are looked for (as for Workday)."""

WORK_EMAIL = "W1"
LINE_MANAGER = "LINE_MANAGER"
MANAGERS = "managers"
"""The table of assignment id -> person id the manager join reads."""


@dataclass(frozen=True)
class OraclePaging(OffsetLimit):
    """Oracle collections: `offset`/`limit`, `totalResults` when asked, `hasMore` always."""

    limit: int = PAGE_SIZE

    def next(self, page: Page) -> PageRequest | None:
        total = dig(page.body, "totalResults")
        served = dig(page.body, "limit")
        size = served if isinstance(served, int) and served > 0 else self.limit
        if isinstance(total, int) and not isinstance(total, bool):
            if page.seen < total and page.items < size:
                raise BadPayload(f"a page stopped short: {page.seen} of {total} records arrived")
            done = page.seen >= total
        else:
            done = page.items == 0 or dig(page.body, "hasMore") is False
        return None if done else self.at(page.seen)


PARAMS = {"onlyData": "true", "totalResults": "true"}
_FIELDS = FieldList("fields", nested=True)
_STATUS = "employee.employment_status"
_MANAGER = "employee.manager_remote_id"
_RELATION = "workRelationships"
_ASSIGNMENT = "workRelationships.assignments"

WORKER_FIELDS = (
    VendorField("PersonId", ("employee.remote_id", _MANAGER)),
    VendorField("names:FirstName", ("employee.first_name",)),
    VendorField("names:LastName", ("employee.last_name",)),
    VendorField("emails:EmailType", ("employee.work_email",)),
    VendorField("emails:EmailAddress", ("employee.work_email",)),
    VendorField(f"{_RELATION}:PrimaryFlag", (_STATUS, "employee.start_date")),
    VendorField(f"{_RELATION}:StartDate", ("employee.start_date", _STATUS)),
    VendorField(f"{_RELATION}:TerminationDate", (_STATUS,)),
    VendorField(f"{_ASSIGNMENT}:AssignmentId", (_MANAGER,)),
    VendorField(f"{_ASSIGNMENT}:PrimaryAssignmentFlag", ("employee.group_ids",)),
    VendorField(f"{_ASSIGNMENT}:AssignmentStatusType", (_STATUS,)),
    VendorField(f"{_ASSIGNMENT}:DepartmentId", ("employee.group_ids", "group.remote_id")),
    VendorField(f"{_ASSIGNMENT}:DepartmentName", ("group.name",)),
    VendorField(f"{_ASSIGNMENT}:LocationId", ("employee.location_id",)),
    VendorField(f"{_ASSIGNMENT}.managers:ManagerAssignmentId", (_MANAGER,)),
    VendorField(f"{_ASSIGNMENT}.managers:ManagerType", (_MANAGER,)),
)


def children(raw: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    """A child collection's items (`{"items": [...]}`, or a bare list)."""
    value = raw.get(name)
    if value is None:
        return []
    if isinstance(value, Mapping):
        if value.get("hasMore") is True:
            # Oracle pages child collections too: reading the first page as all of it would
            # drop a relationship or an assignment without a word.
            raise BadPayload(f"Oracle HCM sent more {name} than one child page holds")
        value = value.get("items")
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise TypeError(f"{name}: a collection of objects expected")
    return value


def _flag(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "y"))


@dataclass(frozen=True)
class _Relationship:
    start: date | None
    end: date | None
    primary: bool
    raw: Mapping[str, Any]


def _rank(relation: _Relationship, as_of: date) -> tuple[int, int, bool]:
    """Higher is better: in effect on `as_of`, then the next to start, then the last to end."""
    start = (relation.start or date.min).toordinal()
    if start <= as_of.toordinal() and (relation.end is None or relation.end >= as_of):
        return (3, start, relation.primary)
    if start > as_of.toordinal():
        return (2, -start, relation.primary)
    return (1, (relation.end or date.min).toordinal(), relation.primary)


def current_relationship(raw: Mapping[str, Any], context: MapContext) -> _Relationship | None:
    """The work relationship that describes the person on `as_of` (a rehire's new one)."""
    relations = [
        _Relationship(
            start=day(item.get("StartDate"), vendor=context.vendor),
            end=day(item.get("TerminationDate"), vendor=context.vendor),
            primary=_flag(item.get("PrimaryFlag")),
            raw=item,
        )
        for item in children(raw, _RELATION)
    ]
    return max(relations, key=lambda r: _rank(r, context.as_of), default=None)


def primary_assignment(relation: _Relationship | None) -> Mapping[str, Any]:
    if relation is None:
        return {}
    assignments = children(relation.raw, "assignments")
    primary = [a for a in assignments if _flag(a.get("PrimaryAssignmentFlag"))]
    return (primary or assignments or [{}])[0]


def employment_status(
    relation: _Relationship | None, assignment: Mapping[str, Any], as_of: date
) -> EmploymentStatus:
    """The dates of the work relationship first; the assignment status for leave and for an
    ended assignment without a termination date."""
    if relation is None:
        # A person record with no work relationship is no employee (e.g. a contact).
        return EmploymentStatus.TERMINATED
    label = (text(assignment.get("AssignmentStatusType")) or "").upper()
    if relation.end is not None and relation.end < as_of:
        return EmploymentStatus.TERMINATED
    if relation.start is not None and relation.start > as_of:
        return EmploymentStatus.PENDING
    if label == "INACTIVE" and relation.end is None:
        return EmploymentStatus.TERMINATED
    if label == "SUSPENDED":
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def work_email(raw: Mapping[str, Any]) -> str | None:
    """The first W1 (work) email; home and other emails are never used."""
    for email in children(raw, "emails"):
        if text(email.get("EmailType")) == WORK_EMAIL:
            return text(email.get("EmailAddress"))
    return None


def line_manager(assignment: Mapping[str, Any], context: MapContext) -> str | None:
    persons = context.joined(MANAGERS)
    for manager in children(assignment, "managers"):
        if (text(manager.get("ManagerType")) or LINE_MANAGER) != LINE_MANAGER:
            continue
        held = persons.get(ident(manager.get("ManagerAssignmentId")) or "")
        if held:
            return str(held[0])
    return None


def map_worker(raw: Mapping[str, Any], context: MapContext) -> Iterator[Record]:
    remote_id = required_id(raw, context, what="worker", path="PersonId")
    names = children(raw, "names")
    name = names[0] if names else {}
    relation = current_relationship(raw, context)
    assignment = primary_assignment(relation)
    department = ident(assignment.get("DepartmentId"))
    if department is not None:
        name_of = text(assignment.get("DepartmentName")) or ""
        yield Group(remote_id=department, group_type=GroupType.DEPARTMENT, name=name_of)
    yield Employee(
        remote_id=remote_id,
        first_name=text(name.get("FirstName")) or "",
        last_name=text(name.get("LastName")) or "",
        work_email=work_email(raw),
        employment_status=employment_status(relation, assignment, context.as_of),
        group_ids=(department,) if department else (),
        manager_remote_id=line_manager(assignment, context),
        start_date=relation.start if relation else None,
        location_id=ident(assignment.get("LocationId")),
    )


def assignments_held(raw: Mapping[str, Any]) -> Iterator[tuple[Hashable, str]]:
    """(AssignmentId, PersonId) for every assignment a worker holds: managers are named by
    assignment."""
    person = ident(raw.get("PersonId"))
    if person is None:
        return
    for relation in children(raw, _RELATION):
        for assignment in children(relation, "assignments"):
            held = ident(assignment.get("AssignmentId"))
            if held is not None:
                yield held, person


map_location = location_mapper(id_path="LocationId", country_paths=("Country",))


LOCATIONS = Stream(
    "locations",
    "/locations",
    map_location,
    params=PARAMS,
    fields=(
        VendorField("LocationId", ("location.remote_id",)),
        VendorField("Country", ("location.country",)),
    ),
    field_list=_FIELDS,
    records_path="items",
    paginator=OraclePaging(),
)
WORKERS = Stream(
    "workers",
    "/workers",
    map_worker,
    params=PARAMS,
    fields=WORKER_FIELDS,
    field_list=_FIELDS,
    records_path="items",
    paginator=OraclePaging(),
)


def _as_of(stream: Stream, when: date) -> Stream:
    return dataclasses.replace(stream, params={**stream.params, "effectiveDate": str(when)})


def read_as_of(reader: SpecReader) -> Iterator[Record]:
    """Locations, then workers as of today and the future hires of the window ahead."""
    yield from reader.records(_as_of(LOCATIONS, reader.context.as_of))
    rows: dict[str, Mapping[str, Any]] = {}
    today = reader.context.as_of
    for when in (today, today + timedelta(days=PENDING_WINDOW_DAYS)):
        for raw in reader.raw(_as_of(WORKERS, when)):
            if not isinstance(raw, Mapping):
                raise BadPayload("Oracle HCM sent a worker that is not an object")
            person = ident(raw.get("PersonId"))
            if person in rows and when == today:
                raise BadPayload("Oracle HCM listed one worker twice")
            if person is not None and person not in rows:
                rows[person] = raw
    if rows and not any(_RELATION in raw for raw in rows.values()):
        # Without the employment role Oracle leaves the child out: every worker would look
        # like a leaver, so the read stops here and says which role is missing.
        raise PermissionDenied(
            "Oracle HCM returned workers without work relationships: the integration user "
            "needs 'Use REST Service - Worker Employment Read Only'"
        )
    table = reader.map_context.tables.setdefault(MANAGERS, {})
    for raw in rows.values():
        for held, person in assignments_held(raw):
            table.setdefault(held, []).append(person)
    emitted: set[str] = set()
    for raw in rows.values():
        for record in reader.mapped(WORKERS, raw):
            if isinstance(record, Group) and record.remote_id in emitted:
                continue
            if isinstance(record, Group):
                emitted.add(record.remote_id)
            yield record


SPEC = ConnectorSpec(
    provider=ORACLEHCM,
    api_root="https://{host}/hcmRestApi/resources/11.13.18.05",
    allowed_hosts=("*.oraclecloud.com",),
    auth=Basic("{username}", "{password}"),
    headers={"Accept": "application/json", "REST-Framework-Version": "4"},
    read=read_as_of,
    described=(LOCATIONS, WORKERS),
    guide=SetupGuide(
        summary="Create an Oracle HCM Cloud integration user for rostersync with read-only "
        "access to workers' names, work emails and employment, and to locations.",
        steps=(
            "In the Security Console, open Users > Add User Account and create a user named "
            "'rostersync' with a strong password.",
            "Create a custom role (Roles > Create Role) with three duty roles: 'Use REST "
            "Service - Worker Details Read Only', 'Use REST Service - Worker Employment Read "
            "Only' and 'Use REST Service - Workforce Structures Read Only'.",
            "Give the user that role with a data security profile that sees every person, "
            "ex-workers and pending workers included, and every location.",
            "Enter your Oracle host (e.g. acme.fa.us2.oraclecloud.com), the user name and the "
            "password in rostersync.",
        ),
        grant=(
            "'Use REST Service - Worker Details Read Only': person id, names, work emails "
            "(type W1)",
            "'Use REST Service - Worker Employment Read Only': work relationships, "
            "assignments, departments, line managers, work locations",
            "'Use REST Service - Workforce Structures Read Only': locations",
        ),
        do_not_grant=(
            "Roles without Read Only in their name: they create, update and delete",
            "'Use REST Service - Worker Sensitive Details' and 'Use REST Service - Worker PII' "
            "(national identifiers, date of birth, ethnicity, religion, disabilities)",
            "Payroll, compensation, absence and talent roles",
            "'Human Capital Management Integration Specialist': it can change data",
        ),
        sources=(
            "https://docs.oracle.com/en/cloud/saas/human-resources/farws/WorkersAPI_Security.html",
            "https://docs.oracle.com/en/cloud/saas/human-resources/farws/Workers_Predefined_Duty_Roles.html",
            "https://docs.oracle.com/en/cloud/saas/human-resources/farws/5577Locations.html",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
