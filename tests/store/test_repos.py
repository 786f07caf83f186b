"""Repositories on SQLite and PostgreSQL: tenant scoping, encryption at rest, the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location, StoredPerson
from rostersync.store import NotFound, Store
from rostersync.store.repos import connections, destinations, outbox, people, staging, tenants
from rostersync.store.session import transaction

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _connection(store: Store) -> tuple[str, str]:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        connection = connections.create_connection(
            session,
            store.keyring,
            tenant_id=tenant.id,
            provider="hibob",
            credentials={"service_user_id": "SERVICE-1", "service_user_token": "s3cret-token"},
        )
        return tenant.id, connection.id


def test_credentials_are_ciphertext_and_read_back(store: Store) -> None:
    _, connection_id = _connection(store)
    with store.engine.connect() as db:
        raw = db.execute(text("SELECT credentials FROM connections")).scalar_one()
    assert "s3cret-token" not in raw
    assert "SERVICE-1" not in raw
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        assert connections.read_credentials(store.keyring, connection)["service_user_token"] == (
            "s3cret-token"
        )


def test_another_tenant_cannot_see_a_connection(store: Store) -> None:
    _, connection_id = _connection(store)
    with transaction(store.sessions) as session:
        other = tenants.create_tenant(session, "Other")
        with pytest.raises(NotFound):
            connections.get_connection(session, connection_id, tenant_id=other.id)
        assert connections.list_connections(session, tenant_id=other.id) == []


def test_people_round_trip_with_names_and_emails_encrypted(store: Store) -> None:
    _, connection_id = _connection(store)
    ada = Employee(
        remote_id="3332883884017713238",
        first_name="Ada",
        last_name="Lovelace",
        work_email="ada@example.com",
        employment_status=EmploymentStatus.ACTIVE,
        group_ids=("d1",),
        manager_remote_id="9",
        start_date=date(2020, 1, 2),
        location_id="s1",
    )
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        ada_row = [StoredPerson(ada, True, False)]
        people.stage_people(session, store.keyring, connection, "run_setup", ada_row, NOW)
        staging.publish(session, "run_setup")
        people.replace_org(
            session,
            connection,
            {"d1": Group(remote_id="d1", group_type=GroupType.DEPARTMENT, name="Eng")},
            {"s1": Location(remote_id="s1", country="GB")},
            NOW,
        )
    with store.engine.connect() as db:
        row = db.execute(text("SELECT first_name, last_name, work_email FROM people")).one()
    assert not any(value in str(tuple(row)) for value in ("Ada", "Lovelace", "ada@example.com"))
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        state = people.load_state(session, store.keyring, connection)
    assert state.people["3332883884017713238"] == StoredPerson(ada, True, False)
    assert state.groups["d1"].name == "Eng"
    assert state.locations["s1"].country == "GB"


def _enqueue(store: Store, tenant_id: str, event: str, subject: str) -> None:
    with transaction(store.sessions) as session:
        (destination,) = destinations.list_destinations(session, tenant_id=tenant_id)
        outbox.enqueue(
            session,
            store.keyring,
            destination,
            event_id=event,
            event_type="user.update",
            subject=subject,
            payload={"event": event, "email": "ada@example.com"},
            at=NOW,
        )


def test_outbox_keeps_order_per_person_and_ids_stable(store: Store) -> None:
    tenant_id, _ = _connection(store)
    with transaction(store.sessions) as session:
        destinations.create_webhook(
            session, store.keyring, tenant_id=tenant_id, url="https://example.com/hook"
        )
    for event, subject in [("a1", "ada"), ("b1", "bob"), ("a2", "ada"), ("a1", "ada")]:
        _enqueue(store, tenant_id, event, subject)
    with store.engine.connect() as db:
        assert db.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 3
        raw = db.execute(text("SELECT payload FROM outbox")).scalars().all()
    assert not any("ada@example.com" in value for value in raw)

    lease = timedelta(minutes=2)
    with transaction(store.sessions) as session:
        first = outbox.claim_due(session, store.keyring, now=NOW, lease=lease)
    # Only the oldest undelivered entry per person is due: a1 and b1, not a2.
    assert [entry.body for entry in first] == [
        '{"event": "a1", "email": "ada@example.com"}',
        '{"event": "b1", "email": "ada@example.com"}',
    ]
    with transaction(store.sessions) as session:
        assert outbox.claim_due(session, store.keyring, now=NOW, lease=lease) == []
        outbox.record_outcome(
            session,
            first[0].sequence,
            delivered=True,
            at=NOW,
            status_code=200,
            error=None,
            retry_at=None,
        )
    with transaction(store.sessions) as session:
        second = outbox.claim_due(session, store.keyring, now=NOW, lease=lease)
    assert [entry.body[:15] for entry in second] == ['{"event": "a2",']
    # b1's worker died before recording: after the lease it is due again, same id.
    with transaction(store.sessions) as session:
        again = outbox.claim_due(session, store.keyring, now=NOW + lease * 2, lease=lease)
    assert first[1].id in {entry.id for entry in again}
