"""Control characters and overlong text stop at the connector boundary, on both stores.

A full sync against the sandbox HiBob: the vendor's values cross the connector, the engine
and the store, and what the store keeps is what the product is sent.
"""

from __future__ import annotations

from dataclasses import replace

from rostersync.model import GroupType
from rostersync.model.text import NAME_MAX
from rostersync.store.repos import connections, people
from rostersync.store.repos.people import StoredState
from rostersync.store.session import transaction
from tests.conftest import Harness


def stored(harness: Harness) -> StoredState:
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        return people.load_state(session, harness.store.keyring, connection)


def test_a_nul_in_a_department_name_syncs_and_is_stored_clean(harness: Harness) -> None:
    """PostgreSQL refuses NUL in text: once, every sync of such a connection crashed."""
    company = harness.sandbox.company
    names = {d.id: d.name for d in company.departments if not d.archived}
    company.departments = tuple(
        replace(d, name=f"{d.name[:2]}\x00{d.name[2:]}\r\n") for d in company.departments
    )
    report = harness.sync()
    assert report.error_code is None
    departments = {
        group.remote_id: group.name
        for group in stored(harness).groups.values()
        if group.group_type is GroupType.DEPARTMENT
    }
    assert departments == names


def test_a_10000_character_name_reaches_the_store_cut_to_the_ceiling(harness: Harness) -> None:
    company = harness.sandbox.company
    person = company.people()[0]
    company.rename(person.id, first_name="A" * 10_000, last_name="Line\nBreak\x00s")
    assert harness.sync().error_code is None
    employee = stored(harness).people[person.id].employee
    assert employee.first_name == "A" * NAME_MAX
    assert employee.last_name == "Line Breaks"
