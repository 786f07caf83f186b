"""The stored state of a connection: its people, groups and locations.

Personal fields go in and out through the keyring here and nowhere else, so the rest of the
code only ever sees model objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location
from rostersync.store.crypto import Keyring
from rostersync.store.tables import Connection, OrgGroup, Person, WorkLocation


@dataclass(frozen=True, slots=True)
class StoredPerson:
    employee: Employee
    provisioned: bool
    remote_was_deleted: bool = False
    account_id: str | None = None
    deprovisioned_on: date | None = None
    account_deleted: bool = False


@dataclass(frozen=True, slots=True)
class StoredState:
    people: dict[str, StoredPerson]
    groups: dict[str, Group]
    locations: dict[str, Location]


def _context(column: str) -> str:
    return f"people.{column}"


def _decrypt_employee(keyring: Keyring, row: Person) -> Employee:
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
    )


def load_state(session: Session, keyring: Keyring, connection: Connection) -> StoredState:
    people = {
        row.remote_id: StoredPerson(
            _decrypt_employee(keyring, row),
            row.provisioned,
            row.remote_was_deleted,
            row.account_id,
            row.deprovisioned_on,
            row.account_deleted,
        )
        for row in session.scalars(select(Person).where(Person.connection_id == connection.id))
    }
    groups = {
        row.remote_id: Group(
            remote_id=row.remote_id, group_type=GroupType(row.group_type), name=row.name
        )
        for row in session.scalars(select(OrgGroup).where(OrgGroup.connection_id == connection.id))
    }
    locations = {
        row.remote_id: Location(remote_id=row.remote_id, country=row.country)
        for row in session.scalars(
            select(WorkLocation).where(WorkLocation.connection_id == connection.id)
        )
    }
    return StoredState(people, groups, locations)


def save_people(
    session: Session,
    keyring: Keyring,
    connection: Connection,
    people: Iterable[StoredPerson],
    at: datetime,
) -> None:
    rows = {
        row.remote_id: row
        for row in session.scalars(select(Person).where(Person.connection_id == connection.id))
    }
    for person in people:
        employee = person.employee
        row = rows.get(employee.remote_id)
        if row is None:
            row = Person(
                tenant_id=connection.tenant_id,
                connection_id=connection.id,
                remote_id=employee.remote_id,
            )
            session.add(row)
        row.first_name = keyring.encrypt(employee.first_name, context=_context("first_name"))
        row.last_name = keyring.encrypt(employee.last_name, context=_context("last_name"))
        email = employee.work_email
        row.work_email = (
            None if email is None else keyring.encrypt(email, context=_context("work_email"))
        )
        row.work_email_index = None if email is None else keyring.blind_index(email)
        row.employment_status = employee.employment_status.value
        row.group_ids = list(employee.group_ids)
        row.manager_remote_id = employee.manager_remote_id
        row.start_date = employee.start_date
        row.location_id = employee.location_id
        row.provisioned = person.provisioned
        row.remote_was_deleted = person.remote_was_deleted
        row.account_id = person.account_id
        row.deprovisioned_on = person.deprovisioned_on
        row.account_deleted = person.account_deleted
        row.modified_at = at


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
