"""The stored state of a connection: its people, groups and locations.

Personal fields go in and out through the keyring here and nowhere else, so the rest of the
code only ever sees model objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, bindparam, delete, select
from sqlalchemy.orm import Session

from rostersync.model import (
    Employee,
    EmploymentStatus,
    Group,
    GroupType,
    Location,
    RecordType,
    StoredPerson,
)
from rostersync.store.crypto import Keyring
from rostersync.store.repos.batches import BATCH as _BATCH
from rostersync.store.repos.batches import batched, insert_rows
from rostersync.store.tables import STAGED_PEOPLE, Base, Connection, OrgGroup, Person, WorkLocation


@dataclass(frozen=True, slots=True)
class StoredState:
    people: dict[str, StoredPerson]
    groups: dict[str, Group]
    locations: dict[str, Location]
    stale_fingerprints: tuple[str, ...] = ()
    """People found equal to their read record only by decrypting them (a row from before
    fingerprints, or one made under an older key version): `refresh_fingerprints` them."""


def _context(column: str) -> str:
    return f"people.{column}"


def _decrypt_employee(keyring: Keyring, row: Person | Row[Any]) -> Employee:
    return Employee(
        remote_id=row.remote_id,
        first_name=keyring.decrypt(row.first_name, context=_context("first_name")),
        last_name=keyring.decrypt(row.last_name, context=_context("last_name")),
        work_email=(
            keyring.decrypt(row.work_email, context=_context("work_email"))
            if row.work_email is not None
            else None
        ),
        employment_status=EmploymentStatus(row.employment_status),
        group_ids=tuple(row.group_ids),
        manager_remote_id=row.manager_remote_id,
        start_date=row.start_date,
        location_id=row.location_id,
        on_garden_leave=row.on_garden_leave,
    )


def _group(row: OrgGroup) -> Group:
    return Group(remote_id=row.remote_id, group_type=GroupType(row.group_type), name=row.name)


def _location(row: WorkLocation) -> Location:
    return Location(remote_id=row.remote_id, country=row.country)


def fingerprint(keyring: Keyring, employee: Employee) -> str:
    return keyring.fingerprint(employee.model_dump_json())


def load_state(
    session: Session,
    keyring: Keyring,
    connection: Connection,
    *,
    reading: Mapping[str, Employee] | None = None,
) -> StoredState:
    """The connection's stored state. Given the read it will be compared with, a person whose
    stored fingerprint is their read record's is that record, and is not decrypted: an
    unchanged re-sync decrypts no one and holds each person once."""
    people: dict[str, StoredPerson] = {}
    stale: list[str] = []
    # Columns, not entities: a row object per person would cost more than the comparison.
    rows = select(*Base.metadata.tables[Person.__tablename__].c).where(
        Person.connection_id == connection.id
    )
    for row in session.execute(rows.execution_options(yield_per=_BATCH)):
        read = None if reading is None else reading.get(row.remote_id)
        if read is not None and row.fingerprint == fingerprint(keyring, read):
            employee = read
        else:
            employee = _decrypt_employee(keyring, row)
            if read is not None and employee == read:
                stale.append(row.remote_id)
        people[row.remote_id] = StoredPerson(
            employee,
            row.provisioned,
            row.remote_was_deleted,
            row.account_id,
            row.deprovisioned_on,
            row.account_deleted,
            row.access_seq,
            row.missing_since,
        )
    groups = {
        row.remote_id: _group(row)
        for row in session.scalars(select(OrgGroup).where(OrgGroup.connection_id == connection.id))
    }
    locations = {
        row.remote_id: _location(row)
        for row in session.scalars(
            select(WorkLocation).where(WorkLocation.connection_id == connection.id)
        )
    }
    return StoredState(people, groups, locations, tuple(stale))


_PEOPLE = Base.metadata.tables[Person.__tablename__]
_BY_PERSON = (_PEOPLE.c.connection_id == bindparam("b_connection")) & (
    _PEOPLE.c.remote_id == bindparam("b_remote_id")
)
"""One person's row, by natural key: bulk updates need no row ids, so no lookup query."""


def refresh_fingerprints(
    session: Session, keyring: Keyring, connection: Connection, employees: Iterable[Employee]
) -> None:
    """Store the fingerprints of people whose rows are otherwise unchanged."""
    statement = _PEOPLE.update().where(_BY_PERSON).values(fingerprint=bindparam("b_fingerprint"))
    for batch in batched(employees):
        rows = [
            {
                "b_connection": connection.id,
                "b_remote_id": employee.remote_id,
                "b_fingerprint": fingerprint(keyring, employee),
            }
            for employee in batch
        ]
        session.execute(statement, rows)


def stage_people(
    session: Session,
    keyring: Keyring,
    connection: Connection,
    run_id: str,
    people: Iterable[StoredPerson],
    at: datetime,
) -> None:
    """Stage these people's rows for the run (the plan holds only those that change), a batch
    at a time so no more than one batch of encrypted values is held; `staging.publish`
    updates the stored ones and inserts the others, all in one statement each. Asking the
    database per batch which exist cost a query that PostgreSQL, with no statistics yet for
    a table filling in this very transaction, answered by scanning it (a first sync of 50k
    people spent 47 s there)."""
    keys = {"run_id": run_id, "tenant_id": connection.tenant_id, "connection_id": connection.id}
    rows = (
        _row_values(keyring, person, at) | keys | {"remote_id": person.employee.remote_id}
        for person in people
    )
    insert_rows(session, STAGED_PEOPLE, rows)


def _row_values(keyring: Keyring, person: StoredPerson, at: datetime) -> dict[str, Any]:
    employee = person.employee
    email = employee.work_email
    return {
        "first_name": keyring.encrypt(employee.first_name, context=_context("first_name")),
        "last_name": keyring.encrypt(employee.last_name, context=_context("last_name")),
        "work_email": None
        if email is None
        else keyring.encrypt(email, context=_context("work_email")),
        "work_email_index": None if email is None else keyring.blind_index(email),
        "fingerprint": fingerprint(keyring, employee),
        "employment_status": employee.employment_status.value,
        "group_ids": list(employee.group_ids),
        "manager_remote_id": employee.manager_remote_id,
        "start_date": employee.start_date,
        "location_id": employee.location_id,
        "on_garden_leave": employee.on_garden_leave,
        "provisioned": person.provisioned,
        "remote_was_deleted": person.remote_was_deleted,
        "account_id": person.account_id,
        "deprovisioned_on": person.deprovisioned_on,
        "account_deleted": person.account_deleted,
        "access_seq": person.access_seq,
        "missing_since": person.missing_since,
        "modified_at": at,
    }


_OrgRow = TypeVar("_OrgRow", OrgGroup, WorkLocation)


def _replace_rows(
    session: Session,
    connection: Connection,
    table: type[_OrgRow],
    records: Mapping[str, Group] | Mapping[str, Location],
    at: datetime,
) -> None:
    """Make the table hold exactly `records` for this connection, touching only what changed."""
    existing = {
        row.remote_id: row
        for row in session.scalars(select(table).where(table.connection_id == connection.id))
    }
    for remote_id in existing.keys() - records.keys():
        session.delete(existing[remote_id])
    for remote_id, record in records.items():
        values = record.model_dump(mode="json", exclude={"type", "remote_id"})
        row = existing.get(remote_id)
        if row is None:
            row = table(
                tenant_id=connection.tenant_id, connection_id=connection.id, remote_id=remote_id
            )
            session.add(row)
        elif all(getattr(row, column) == value for column, value in values.items()):
            continue
        for column, value in values.items():
            setattr(row, column, value)
        row.modified_at = at


def replace_org(
    session: Session,
    connection: Connection,
    groups: Mapping[str, Group],
    locations: Mapping[str, Location],
    at: datetime,
) -> None:
    _replace_rows(session, connection, OrgGroup, groups, at)
    _replace_rows(session, connection, WorkLocation, locations, at)


def purge(session: Session, connection: Connection) -> None:
    """Disconnect: the connection's people data goes; the audit log keeps that it happened."""
    for table in (Person, OrgGroup, WorkLocation):
        session.execute(delete(table).where(table.connection_id == connection.id))


def tenant_emails(session: Session, *, tenant_id: str, except_connection: str) -> dict[str, str]:
    """Blind index -> `connection:remote id` of people of the tenant's other connections who
    have (or are about to get) access: a second person with the same email is a dispute."""
    query = select(Person.work_email_index, Person.connection_id, Person.remote_id).where(
        Person.tenant_id == tenant_id,
        Person.connection_id != except_connection,
        Person.provisioned.is_(True),
        Person.work_email_index.is_not(None),
    )
    return {
        index: f"{connection}:{remote}"
        for index, connection, remote in session.execute(query)
        if index is not None
    }


@dataclass(frozen=True, slots=True)
class Window:
    """One page of a connection's rows in key order (keyset paging for the pull API)."""

    limit: int
    after: int | None = None
    """Rows with a key above this one, first ones first."""
    before: int | None = None
    """Rows with a key below this one, last ones first (paging backwards)."""
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    remote_id: str | None = None


_Record = TypeVar("_Record", Employee, Group, Location)


@dataclass(frozen=True, slots=True)
class Listed(Generic[_Record]):
    key: int
    """The row's primary key: stable and increasing, what cursors point at."""
    record: _Record
    modified_at: datetime
    remote_was_deleted: bool = False


_Row = TypeVar("_Row", Person, OrgGroup, WorkLocation)
_TABLES: dict[RecordType, type[Person] | type[OrgGroup] | type[WorkLocation]] = {
    RecordType.EMPLOYEE: Person,
    RecordType.GROUP: OrgGroup,
    RecordType.LOCATION: WorkLocation,
}


def _window(
    session: Session,
    table: type[_Row],
    connection_id: str,
    window: Window,
    *conditions: ColumnElement[bool],
) -> list[_Row]:
    """The window's rows in ascending key order, whichever way it pages."""
    query = select(table).where(table.connection_id == connection_id, *conditions)
    if window.after is not None:
        query = query.where(table.id > window.after)
    if window.before is not None:
        query = query.where(table.id < window.before)
    if window.modified_after is not None:
        query = query.where(table.modified_at > window.modified_after)
    if window.modified_before is not None:
        query = query.where(table.modified_at < window.modified_before)
    if window.remote_id is not None:
        query = query.where(table.remote_id == window.remote_id)
    backwards = window.before is not None
    query = query.order_by(table.id.desc() if backwards else table.id).limit(window.limit)
    rows = list(session.scalars(query))
    return rows[::-1] if backwards else rows


def list_people(
    session: Session,
    keyring: Keyring,
    connection_id: str,
    window: Window,
    *,
    include_deleted: bool,
    statuses: Collection[EmploymentStatus] = (),
) -> list[Listed[Employee]]:
    """One window of people; only its rows are decrypted."""
    conditions = [] if include_deleted else [Person.remote_was_deleted.is_(False)]
    if statuses:
        conditions.append(Person.employment_status.in_([s.value for s in statuses]))
    return [
        Listed(row.id, _decrypt_employee(keyring, row), row.modified_at, row.remote_was_deleted)
        for row in _window(session, Person, connection_id, window, *conditions)
    ]


def list_groups(session: Session, connection_id: str, window: Window) -> list[Listed[Group]]:
    return [
        Listed(row.id, _group(row), row.modified_at)
        for row in _window(session, OrgGroup, connection_id, window)
    ]


def list_locations(session: Session, connection_id: str, window: Window) -> list[Listed[Location]]:
    return [
        Listed(row.id, _location(row), row.modified_at)
        for row in _window(session, WorkLocation, connection_id, window)
    ]


def remote_ids(
    session: Session,
    connection_id: str,
    record: RecordType,
    among: Collection[str] | None = None,
) -> list[str]:
    """The remote ids of one kind of record of a connection (all, or those of `among` that
    exist); no personal field is read."""
    table = _TABLES[record]
    query = select(table.remote_id).where(table.connection_id == connection_id)
    if among is not None:
        query = query.where(table.remote_id.in_(among))
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one person with access sits: no personal field, so nothing is decrypted."""

    connection_id: str
    group_ids: tuple[str, ...]
    location_id: str | None


def placements(session: Session, *, tenant_id: str) -> list[Placement]:
    query = select(Person.connection_id, Person.group_ids, Person.location_id).where(
        Person.tenant_id == tenant_id,
        Person.provisioned.is_(True),
        Person.remote_was_deleted.is_(False),
    )
    return [Placement(c, tuple(g), loc) for c, g, loc in session.execute(query)]


def org_names(
    session: Session, *, tenant_id: str
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str | None]]:
    """Group names and location countries of a tenant, keyed by (connection, remote id)."""
    groups = {
        (row.connection_id, row.remote_id): row.name
        for row in session.scalars(select(OrgGroup).where(OrgGroup.tenant_id == tenant_id))
    }
    countries = {
        (row.connection_id, row.remote_id): row.country
        for row in session.scalars(select(WorkLocation).where(WorkLocation.tenant_id == tenant_id))
    }
    return groups, countries


def names(
    session: Session, keyring: Keyring, connection_id: str, among: Collection[str]
) -> dict[str, str]:
    """ "First Last" of those of `among` still stored, by remote id: only these rows are
    decrypted (a run page shows a page of people, not the whole connection)."""
    found: dict[str, str] = {}
    for batch in batched(among):
        query = select(Person.remote_id, Person.first_name, Person.last_name).where(
            Person.connection_id == connection_id, Person.remote_id.in_(batch)
        )
        for remote_id, first, last in session.execute(query):
            first_name = keyring.decrypt(first, context=_context("first_name"))
            last_name = keyring.decrypt(last, context=_context("last_name"))
            found[remote_id] = f"{first_name} {last_name}".strip()
    return found
