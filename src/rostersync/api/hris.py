"""The pull API in the shape of Merge's HRIS API: employees, groups and locations.

Paths, field names, enums, `next`/`previous` cursors, `page_size`, `modified_after` and
`include_deleted_data` follow Merge's HRIS common models, so code written against that API
works here by changing its base URL. The caller sends a tenant (or admin) API key as Bearer and
the connection's account token as `X-Account-Token`. Every field outside rostersync's
allowlist (model.fields) is null: the shape is Merge's, the data is only ever ours.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Annotated, Any, Generic, Literal, TypeVar
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field

from rostersync.api.deps import PrincipalDep, StoreDep
from rostersync.model import Employee, EmploymentStatus, Group, Location, RecordType
from rostersync.services import pull
from rostersync.services.pull import Known, Listed, Loader, Window
from rostersync.store import Store

router = APIRouter(prefix="/api/hris/v1", tags=["hris"])

MAX_PAGE_SIZE = 100
"""Merge's maximum; a larger page_size is capped, as Merge's cursor pagination does."""
_MAX_KEY = 2**31 - 1
_ID_NAMESPACE = uuid.UUID("4c0b7a52-6f0e-4d1a-9a52-7e3f3a1b2c60")
_NOT_KEPT = "Always null: rostersync does not read or keep this field (its allowlist)."

EMPLOYEE, GROUP, LOCATION = RecordType.EMPLOYEE, RecordType.GROUP, RecordType.LOCATION

_account_token = APIKeyHeader(
    name="X-Account-Token",
    auto_error=False,
    description="The connection's account token, shown once when the connection was created.",
)


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def linked_connection(
    store: StoreDep,
    principal: PrincipalDep,
    token: Annotated[str | None, Depends(_account_token)],
) -> str:
    """The connection the account token names, if it belongs to the caller's tenant.

    An unknown token and another tenant's token get the same answer, so a key cannot learn
    that a token exists elsewhere.
    """
    if not token:
        raise _unauthorized("the X-Account-Token header is required")
    connection_id = pull.connection_for_token(store, token, tenant_id=principal.scope(None))
    if connection_id is None:
        raise _unauthorized("the account token is unknown")
    return connection_id


ConnectionDep = Annotated[str, Depends(linked_connection)]


def record_id(connection_id: str, record: RecordType, remote_id: str) -> str:
    """A UUID like Merge's: stable for one record of one connection, unique across them."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{connection_id}/{record.value}/{remote_id}"))


def _not_kept() -> Any:
    return Field(default=None, description=_NOT_KEPT)


class MergeEmployee(BaseModel):
    """Merge's `Employee`; `TERMINATED` is `INACTIVE` here, as Merge has no terminated status."""

    id: str
    remote_id: str
    created_at: datetime | None = _not_kept()
    modified_at: datetime
    employee_url: str | None = _not_kept()
    employee_number: str | None = _not_kept()
    company: str | None = _not_kept()
    first_name: str
    last_name: str
    preferred_name: str | None = _not_kept()
    display_full_name: str | None = _not_kept()
    username: str | None = _not_kept()
    groups: list[str] = Field(description="Ids of the employee's groups (departments, teams).")
    work_email: str | None
    personal_email: str | None = _not_kept()
    mobile_phone_number: str | None = _not_kept()
    employments: list[str] | None = _not_kept()
    home_location: str | None = _not_kept()
    work_location: str | None = Field(description="Id of the employee's work Location.")
    manager: str | None = Field(description="Id of the manager's Employee.")
    team: str | None = _not_kept()
    pay_group: str | None = _not_kept()
    ssn: str | None = _not_kept()
    gender: str | None = _not_kept()
    ethnicity: str | None = _not_kept()
    marital_status: str | None = _not_kept()
    date_of_birth: datetime | None = _not_kept()
    hire_date: datetime | None = _not_kept()
    start_date: datetime | None
    remote_created_at: datetime | None = _not_kept()
    employment_status: Literal["ACTIVE", "PENDING", "INACTIVE"]
    termination_date: datetime | None = _not_kept()
    avatar: str | None = _not_kept()
    custom_fields: dict[str, Any] | None = _not_kept()
    remote_was_deleted: bool
    field_mappings: dict[str, Any] | None = _not_kept()
    remote_data: list[dict[str, Any]] | None = _not_kept()


class MergeGroup(BaseModel):
    """Merge's `Group`: a department, team, cost center, business unit or other group."""

    id: str
    remote_id: str
    created_at: datetime | None = _not_kept()
    modified_at: datetime
    group_url: str | None = _not_kept()
    parent_group: str | None = _not_kept()
    name: str
    type: Literal["TEAM", "DEPARTMENT", "COST_CENTER", "BUSINESS_UNIT", "GROUP"]
    is_commonly_used_as_team: bool | None = _not_kept()
    remote_was_deleted: bool = False
    field_mappings: dict[str, Any] | None = _not_kept()
    remote_data: list[dict[str, Any]] | None = _not_kept()


class MergeLocation(BaseModel):
    """Merge's `Location`: only work locations are kept, and of them only the country."""

    id: str
    remote_id: str
    created_at: datetime | None = _not_kept()
    modified_at: datetime
    name: str | None = _not_kept()
    phone_number: str | None = _not_kept()
    street_1: str | None = _not_kept()
    street_2: str | None = _not_kept()
    city: str | None = _not_kept()
    state: str | None = _not_kept()
    zip_code: str | None = _not_kept()
    country: str | None = Field(description="ISO 3166-1 alpha-2, as Merge's country enum.")
    location_type: Literal["WORK", "HOME"] = "WORK"
    remote_was_deleted: bool = False
    field_mappings: dict[str, Any] | None = _not_kept()
    remote_data: list[dict[str, Any]] | None = _not_kept()


class PaginatedEmployeeList(BaseModel):
    next: str | None
    previous: str | None
    results: list[MergeEmployee]


class PaginatedGroupList(BaseModel):
    next: str | None
    previous: str | None
    results: list[MergeGroup]


class PaginatedLocationList(BaseModel):
    next: str | None
    previous: str | None
    results: list[MergeLocation]


_STATUS: dict[EmploymentStatus, Literal["ACTIVE", "PENDING", "INACTIVE"]] = {
    EmploymentStatus.ACTIVE: "ACTIVE",
    EmploymentStatus.PENDING: "PENDING",
    EmploymentStatus.INACTIVE: "INACTIVE",
    EmploymentStatus.TERMINATED: "INACTIVE",
}


def _employee(connection_id: str, item: Listed[Employee], known: Known) -> MergeEmployee:
    e = item.record
    manager, location = e.manager_remote_id, e.location_id
    return MergeEmployee(
        id=record_id(connection_id, EMPLOYEE, e.remote_id),
        remote_id=e.remote_id,
        modified_at=item.modified_at,
        first_name=e.first_name,
        last_name=e.last_name,
        groups=[record_id(connection_id, GROUP, g) for g in e.group_ids if g in known.groups],
        work_email=e.work_email,
        work_location=(
            record_id(connection_id, LOCATION, location) if location in known.locations else None
        ),
        manager=record_id(connection_id, EMPLOYEE, manager) if manager in known.managers else None,
        start_date=datetime.combine(e.start_date, time(), UTC) if e.start_date else None,
        employment_status=_STATUS[e.employment_status],
        remote_was_deleted=item.remote_was_deleted,
    )


def _employees(
    store: Store, connection_id: str, items: list[Listed[Employee]]
) -> list[MergeEmployee]:
    managers = {i.record.manager_remote_id for i in items if i.record.manager_remote_id}
    known = pull.known_references(store, connection_id, managers)
    return [_employee(connection_id, item, known) for item in items]


def _group(connection_id: str, item: Listed[Group]) -> MergeGroup:
    g = item.record
    return MergeGroup(
        id=record_id(connection_id, GROUP, g.remote_id),
        remote_id=g.remote_id,
        modified_at=item.modified_at,
        name=g.name,
        type=g.group_type.value,
    )


def _location(connection_id: str, item: Listed[Location]) -> MergeLocation:
    loc = item.record
    return MergeLocation(
        id=record_id(connection_id, LOCATION, loc.remote_id),
        remote_id=loc.remote_id,
        modified_at=item.modified_at,
        country=loc.country,
    )


# --- cursors and filters -------------------------------------------------------------------


def _cursor(key: int, *, backwards: bool) -> str:
    fields = {"r": "1", "p": str(key)} if backwards else {"p": str(key)}
    return base64.urlsafe_b64encode(urlencode(fields).encode()).decode()


def _parse_cursor(cursor: str) -> tuple[int, bool]:
    """(row key, backwards); anything we did not issue is a 400."""
    try:
        fields = parse_qs(base64.urlsafe_b64decode(cursor.encode()).decode(), strict_parsing=True)
        key = int(fields["p"][0])
    except (binascii.Error, UnicodeError, ValueError, KeyError):
        raise HTTPException(status_code=400, detail="invalid cursor") from None
    if not 0 <= key <= _MAX_KEY or set(fields) - {"p", "r"}:
        raise HTTPException(status_code=400, detail="invalid cursor")
    return key, "r" in fields


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise HTTPException(status_code=400, detail="datetime out of range") from None


@dataclass(frozen=True)
class PageRequest:
    cursor: str | None
    page_size: int
    modified_after: datetime | None
    modified_before: datetime | None
    remote_id: str | None


def page_request(
    cursor: Annotated[str | None, Query(description="The pagination cursor value.")] = None,
    page_size: Annotated[
        int, Query(ge=1, description=f"Results per page; at most {MAX_PAGE_SIZE}.")
    ] = MAX_PAGE_SIZE,
    modified_after: Annotated[
        datetime | None, Query(description="Only objects changed by rostersync after this.")
    ] = None,
    modified_before: Annotated[
        datetime | None, Query(description="Only objects changed by rostersync before this.")
    ] = None,
    remote_id: Annotated[
        str | None,
        Query(max_length=200, pattern=r"^[^\x00]*$", description="The HRIS's id of the object."),
    ] = None,
) -> PageRequest:
    return PageRequest(cursor, page_size, modified_after, modified_before, remote_id)


PageDep = Annotated[PageRequest, Depends(page_request)]
_Record = TypeVar("_Record", Employee, Group, Location)


@dataclass(frozen=True)
class Page(Generic[_Record]):
    next: str | None
    previous: str | None
    items: list[Listed[_Record]]


def _page(request: PageRequest, load: Loader[_Record]) -> Page[_Record]:
    """Keyset paging over row keys, with the next/previous rules of Merge's cursors."""
    size = min(request.page_size, MAX_PAGE_SIZE)
    key, backwards = _parse_cursor(request.cursor) if request.cursor else (None, False)
    window = Window(
        limit=size + 1,
        after=None if backwards else key,
        before=key if backwards else None,
        modified_after=_utc(request.modified_after),
        modified_before=_utc(request.modified_before),
        remote_id=request.remote_id,
    )
    rows = load(window)
    more = len(rows) > size
    if more:
        rows = rows[1:] if backwards else rows[:size]
    # Coming from a cursor means there is a page on the side we came from.
    has_next = key is not None if backwards else more
    has_previous = more if backwards else key is not None
    return Page(
        _cursor(rows[-1].key, backwards=False) if rows and has_next else None,
        _cursor(rows[0].key, backwards=True) if rows and has_previous else None,
        rows,
    )


def _retrieve(
    store: Store, connection_id: str, record: RecordType, object_id: str, load: Loader[_Record]
) -> Listed[_Record]:
    """The record with this id, deleted or not, or a 404."""
    found = pull.find(
        store,
        connection_id,
        record,
        load,
        lambda remote_id: record_id(connection_id, record, remote_id) == object_id,
    )
    if found is None:
        raise HTTPException(status_code=404, detail="not found")
    return found


# --- routes ----------------------------------------------------------------------------------

StatusFilter = Literal["ACTIVE", "PENDING", "INACTIVE"]
_STATUS_FILTER: dict[str, tuple[EmploymentStatus, ...]] = {
    "ACTIVE": (EmploymentStatus.ACTIVE,),
    "PENDING": (EmploymentStatus.PENDING,),
    "INACTIVE": (EmploymentStatus.INACTIVE, EmploymentStatus.TERMINATED),
}
IncludeDeleted = Annotated[
    bool, Query(description="Include people gone from the HRIS (`remote_was_deleted`).")
]


def _people(
    store: Store, connection_id: str, *, include_deleted: bool, status: StatusFilter | None = None
) -> Loader[Employee]:
    statuses = _STATUS_FILTER[status] if status else ()
    return pull.employees(store, connection_id, include_deleted=include_deleted, statuses=statuses)


@router.get("/employees", response_model=PaginatedEmployeeList)
def list_employees(
    store: StoreDep,
    connection_id: ConnectionDep,
    request: PageDep,
    include_deleted_data: IncludeDeleted = False,
    employment_status: StatusFilter | None = None,
) -> PaginatedEmployeeList:
    load = _people(
        store, connection_id, include_deleted=include_deleted_data, status=employment_status
    )
    page = _page(request, load)
    results = _employees(store, connection_id, page.items)
    return PaginatedEmployeeList(next=page.next, previous=page.previous, results=results)


@router.get("/employees/{id}", response_model=MergeEmployee)
def retrieve_employee(id: str, store: StoreDep, connection_id: ConnectionDep) -> MergeEmployee:
    load = _people(store, connection_id, include_deleted=True)
    item = _retrieve(store, connection_id, EMPLOYEE, id, load)
    return _employees(store, connection_id, [item])[0]


@router.get("/groups", response_model=PaginatedGroupList)
def list_groups(
    store: StoreDep, connection_id: ConnectionDep, request: PageDep
) -> PaginatedGroupList:
    page = _page(request, pull.groups(store, connection_id))
    results = [_group(connection_id, item) for item in page.items]
    return PaginatedGroupList(next=page.next, previous=page.previous, results=results)


@router.get("/groups/{id}", response_model=MergeGroup)
def retrieve_group(id: str, store: StoreDep, connection_id: ConnectionDep) -> MergeGroup:
    load = pull.groups(store, connection_id)
    return _group(connection_id, _retrieve(store, connection_id, GROUP, id, load))


@router.get("/locations", response_model=PaginatedLocationList)
def list_locations(
    store: StoreDep, connection_id: ConnectionDep, request: PageDep
) -> PaginatedLocationList:
    page = _page(request, pull.locations(store, connection_id))
    results = [_location(connection_id, item) for item in page.items]
    return PaginatedLocationList(next=page.next, previous=page.previous, results=results)


@router.get("/locations/{id}", response_model=MergeLocation)
def retrieve_location(id: str, store: StoreDep, connection_id: ConnectionDep) -> MergeLocation:
    load = pull.locations(store, connection_id)
    return _location(connection_id, _retrieve(store, connection_id, LOCATION, id, load))
