"""The grouped queries behind the dashboard, on SQLite and PostgreSQL: each connection's
newest run, held and running runs, a page of tenants by name, each destination's load, the
newest audit entry per target, names of only the people asked for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rostersync.model import Employee, EmploymentStatus, RunStatus, StoredPerson
from rostersync.store import Store
from rostersync.store.repos import (
    audit,
    connections,
    destinations,
    outbox,
    people,
    runs,
    staging,
    tenants,
)
from rostersync.store.session import transaction
from rostersync.store.tables import DeliveryAttempt

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _connections(store: Store, count: int) -> tuple[str, list[str]]:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        made = [
            connections.create_connection(
                session, store.keyring, tenant_id=tenant.id, provider="hibob", credentials={}
            ).id
            for _ in range(count)
        ]
        return tenant.id, made


def _run(store: Store, connection_id: str, status: RunStatus, minutes: int) -> str:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        at = NOW + timedelta(minutes=minutes)
        run = runs.start_run(session, connection, dry_run=False, at=at)
        if status is not RunStatus.RUNNING:
            runs.finish_run(run, status=status, at=at)
        if status is RunStatus.HELD:
            run.held_plan = "ciphertext"
        return run.id


def test_newest_run_per_connection_and_what_blocks_each(store: Store) -> None:
    tenant_id, (first, second, quiet) = _connections(store, 3)
    held = _run(store, first, RunStatus.HELD, 0)
    for minute in range(1, 30):
        _run(store, first, RunStatus.PREVIEWED, minute)
    failed = _run(store, second, RunStatus.FAILED, 5)
    _run(store, second, RunStatus.RUNNING, 6)
    with transaction(store.sessions) as session:
        ids = [first, second, quiet]
        newest = runs.latest_runs(session, connection_ids=ids)
        assert {c: r.status for c, r in newest.items()} == {
            first: RunStatus.PREVIEWED,
            second: RunStatus.RUNNING,
        }
        real = runs.latest_runs(
            session, connection_ids=ids, statuses=(RunStatus.HELD, RunStatus.FAILED)
        )
        assert {c: r.id for c, r in real.items()} == {first: held, second: failed}
        assert runs.blocked_connections(session, connection_ids=ids) == {
            first: {RunStatus.HELD},
            second: {RunStatus.RUNNING},
        }
        assert [r.id for r in runs.held_runs(session, tenant_id=tenant_id)] == [held]
        assert runs.latest_runs(session, connection_ids=[]) == {}


def test_a_page_of_tenants_by_name_with_literal_search(store: Store) -> None:
    with transaction(store.sessions) as session:
        for name in ("beta", "Alpha", "100% Cotton", "under_score", "Gamma", "alphabet"):
            tenants.create_tenant(session, name)
    with transaction(store.sessions) as session:
        rows, total = tenants.search_tenants(session, limit=2, offset=1)
        assert ([t.name for t in rows], total) == (["Alpha", "alphabet"], 6)
        rows, total = tenants.search_tenants(session, name="ALPHA", limit=10)
        assert ([t.name for t in rows], total) == (["Alpha", "alphabet"], 2)
        assert [t.name for t in tenants.search_tenants(session, name="%", limit=9)[0]] == [
            "100% Cotton"
        ]
        assert [t.name for t in tenants.search_tenants(session, name="r_s", limit=9)[0]] == [
            "under_score"
        ]


def test_each_destinations_backlog_last_success_and_recent_failures(store: Store) -> None:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        busy, _ = destinations.create_webhook(
            session, store.keyring, tenant_id=tenant.id, url="https://a.example/h"
        )
        idle, _ = destinations.create_webhook(
            session, store.keyring, tenant_id=tenant.id, url="https://b.example/h"
        )
        busy_id, idle_id, tenant_id = busy.id, idle.id, tenant.id
        for n in range(3):
            outbox.enqueue(
                session,
                store.keyring,
                busy,
                event_id=f"e{n}",
                event_type="user.provision",
                subject=f"con:p{n}",
                payload={},
                at=NOW,
            )
        attempts = [
            (NOW - timedelta(days=2), 500),  # too old to count
            (NOW - timedelta(hours=1), 204),
            (NOW - timedelta(minutes=30), 503),
            (NOW - timedelta(minutes=20), None),  # no answer at all
        ]
        for at, code in attempts:
            session.add(
                DeliveryAttempt(
                    tenant_id=tenant_id,
                    outbox_id="m",
                    destination_id=busy_id,
                    at=at,
                    status_code=code,
                )
            )
    with transaction(store.sessions) as session:
        loads = outbox.destination_loads(session, [busy_id, idle_id], since=NOW - timedelta(days=1))
    assert loads[busy_id] == outbox.DestinationLoad(3, NOW - timedelta(hours=1), 2)
    assert loads[idle_id] == outbox.DestinationLoad(0, None, 0)


def test_the_newest_audit_entry_of_each_target(store: Store) -> None:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        for target, reason in (("d1", "old"), ("d2", "only"), ("d1", "new")):
            audit.record(
                session,
                tenant_id=tenant.id,
                actor="system",
                action="destination.disabled",
                target=target,
                details={"reason": reason},
            )
        tenant_id = tenant.id
    with transaction(store.sessions) as session:
        found = audit.latest_details(
            session, tenant_id=tenant_id, action="destination.disabled", targets=["d1", "d2", "d3"]
        )
    assert {target: d["reason"] for target, d in found.items()} == {"d1": "new", "d2": "only"}


def test_names_of_only_the_people_asked_for(store: Store) -> None:
    _, (connection_id,) = _connections(store, 1)
    stored = [
        StoredPerson(
            Employee(
                remote_id=f"p{n}",
                first_name=f"First{n}",
                last_name=f"Last{n}",
                employment_status=EmploymentStatus.ACTIVE,
            ),
            provisioned=True,
        )
        for n in range(3)
    ]
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        people.stage_people(session, store.keyring, connection, "run_setup", stored, NOW)
        staging.publish(session, "run_setup")
    with transaction(store.sessions) as session:
        found = people.names(session, store.keyring, connection_id, ["p0", "p2", "nobody"])
    assert found == {"p0": "First0 Last0", "p2": "First2 Last2"}
