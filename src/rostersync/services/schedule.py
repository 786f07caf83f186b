"""When a connection syncs next: one rule for the scheduler (jobs.due_connections) and for
what the dashboard promises, so the page can never show a sync that will not come."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from rostersync.model import ConnectionStatus, RunStatus


class NextSyncState(StrEnum):
    SCHEDULED = "scheduled"
    """At `NextSync.at`: the last complete sync plus the interval."""
    DUE = "due"
    """On the scheduler's next pass: never synced, or the last sync is an interval old (a
    failed run does not count as a sync, so a failing connection stays due)."""
    RUNNING = "running"
    HELD = "held"
    """Paused: a held run awaits approval; nothing syncs until it is decided."""
    NEEDS_REAUTH = "needs_reauth"
    DISCONNECTED = "disconnected"


@dataclass(frozen=True)
class NextSync:
    state: NextSyncState
    at: datetime | None = None


def next_sync(
    status: ConnectionStatus,
    last_sync_at: datetime | None,
    *,
    blocked_by: Collection[RunStatus],
    interval: timedelta,
    now: datetime,
) -> NextSync:
    """`blocked_by`: the statuses of the connection's held and running runs, if any."""
    if status == ConnectionStatus.DISCONNECTED:
        return NextSync(NextSyncState.DISCONNECTED)
    if status == ConnectionStatus.NEEDS_REAUTH:
        return NextSync(NextSyncState.NEEDS_REAUTH)
    if RunStatus.HELD in blocked_by:
        return NextSync(NextSyncState.HELD)
    if RunStatus.RUNNING in blocked_by:
        return NextSync(NextSyncState.RUNNING)
    if last_sync_at is None or now - last_sync_at >= interval:
        return NextSync(NextSyncState.DUE, now)
    return NextSync(NextSyncState.SCHEDULED, last_sync_at + interval)
