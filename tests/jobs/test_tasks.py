"""The scheduler's choice of connections to sync: due, not held, not already syncing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rostersync.jobs import due_connections
from rostersync.store.repos import connections, runs
from rostersync.store.session import transaction
from tests.conftest import Harness

HOUR = timedelta(hours=1)


def test_due_connections_skip_recent_running_and_held_runs(harness: Harness) -> None:
    store = harness.store
    assert due_connections(store, interval=HOUR) == [harness.connection_id]
    harness.sync()
    assert due_connections(store, interval=HOUR) == []
    assert due_connections(store, interval=timedelta(0)) == [harness.connection_id]

    now = datetime.now(UTC)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        runs.start_run(session, connection, dry_run=False, at=now - timedelta(minutes=5))
    assert due_connections(store, interval=timedelta(0)) == []
    # A run that never finished long ago is a dead worker's, not a reason to stop syncing.
    assert due_connections(store, interval=timedelta(0), now=now + HOUR) == [harness.connection_id]
