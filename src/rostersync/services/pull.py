"""The reads behind the pull API: a connection's people, groups and locations, a window at a
time, decrypting only the rows of that window."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TypeVar

from rostersync.model import Employee, EmploymentStatus, Group, Location, RecordType
from rostersync.store import Store
from rostersync.store.repos import connections, people
from rostersync.store.repos.people import Listed, Window
from rostersync.store.session import transaction

__all__ = [
    "Known",
    "Listed",
    "Loader",
    "Window",
    "connection_for_token",
    "employees",
    "find",
    "groups",
    "known_references",
    "locations",
]

_Record = TypeVar("_Record", Employee, Group, Location)
Loader = Callable[[Window], list[Listed[_Record]]]


def connection_for_token(store: Store, token: str, *, tenant_id: str | None) -> str | None:
    """The id of the connection an account token names, if it is one of `tenant_id`'s."""
    with transaction(store.sessions) as session:
        connection = connections.by_account_token(session, token, tenant_id=tenant_id)
        return connection.id if connection is not None else None


def employees(
    store: Store,
    connection_id: str,
    *,
    include_deleted: bool,
    statuses: Collection[EmploymentStatus] = (),
) -> Loader[Employee]:
    def load(window: Window) -> list[Listed[Employee]]:
        with transaction(store.sessions) as session:
            return people.list_people(
                session,
                store.keyring,
                connection_id,
                window,
                include_deleted=include_deleted,
                statuses=statuses,
            )

    return load


def groups(store: Store, connection_id: str) -> Loader[Group]:
    def load(window: Window) -> list[Listed[Group]]:
        with transaction(store.sessions) as session:
            return people.list_groups(session, connection_id, window)

    return load


def locations(store: Store, connection_id: str) -> Loader[Location]:
    def load(window: Window) -> list[Listed[Location]]:
        with transaction(store.sessions) as session:
            return people.list_locations(session, connection_id, window)

    return load


@dataclass(frozen=True)
class Known:
    """Which referenced records exist, so an employee never points at an id we do not serve
    (an archived department, a manager the HRIS did not return)."""

    groups: set[str]
    locations: set[str]
    managers: set[str]


def known_references(store: Store, connection_id: str, managers: Collection[str]) -> Known:
    with transaction(store.sessions) as session:
        return Known(
            set(people.remote_ids(session, connection_id, RecordType.GROUP)),
            set(people.remote_ids(session, connection_id, RecordType.LOCATION)),
            set(people.remote_ids(session, connection_id, RecordType.EMPLOYEE, among=managers)),
        )


def find(
    store: Store,
    connection_id: str,
    record: RecordType,
    load: Loader[_Record],
    matches: Callable[[str], bool],
) -> Listed[_Record] | None:
    """The record, deleted or not, whose remote id `matches`.

    The pull API's ids are derived from remote ids, not stored, so the lookup tests the
    connection's remote ids (no personal field is read) and then loads the one record.
    """
    with transaction(store.sessions) as session:
        candidates = people.remote_ids(session, connection_id, record)
    for remote_id in candidates:
        if matches(remote_id):
            found = load(Window(limit=1, remote_id=remote_id))
            if found:
                return found[0]
    return None
