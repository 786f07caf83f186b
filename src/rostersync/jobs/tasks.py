"""The task functions, called on a schedule by the in-process runner (jobs/runner.py).

They take a Store and ids and hold no state of their own, so a worker of the scale-out mode
(DESIGN.md section 7) can call the same functions; no Celery app exists yet.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from rostersync.delivery import DrainResult, deliver_due
from rostersync.engine import SyncOptions, SyncReport, fail_abandoned_runs, run_sync
from rostersync.model import ConnectionStatus
from rostersync.services.schedule import NextSyncState, next_sync
from rostersync.store import Store
from rostersync.store.repos import connections, runs
from rostersync.store.session import transaction

log = logging.getLogger("rostersync.jobs")


def sync_connection(store: Store, connection_id: str, *, allow_loopback: bool) -> SyncReport:
    return run_sync(store, connection_id, options=SyncOptions(allow_loopback=allow_loopback))


def due_connections(store: Store, *, interval: timedelta, now: datetime | None = None) -> list[str]:
    """Active connections whose last sync is older than `interval` (or that never synced),
    that no held run blocks and that are not syncing right now (a run started by the connect
    flow, say). Runs whose process died are failed first, so their connections are due again
    in this same pass."""
    now = now or datetime.now(UTC)
    fail_abandoned_runs(store, now=now)
    with transaction(store.sessions) as session:
        blocked = runs.blocked_connections(session)
        return [
            c.id
            for c in connections.list_connections(session, tenant_id=None)
            if next_sync(
                ConnectionStatus(c.status),
                c.last_sync_at,
                blocked_by=blocked.get(c.id, ()),
                interval=interval,
                now=now,
            ).state
            == NextSyncState.DUE
        ]


def deliver(store: Store, *, allow_loopback: bool) -> DrainResult:
    return deliver_due(store, allow_loopback=allow_loopback)
