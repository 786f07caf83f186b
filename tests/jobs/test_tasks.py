"""The scheduler's pass: due, not held, not already syncing; runs whose process died are failed
and their connections synced again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rostersync.engine.sync import ABANDONED_AFTER, HEARTBEAT_INTERVAL, SyncOptions, run_sync
from rostersync.jobs import due_connections
from rostersync.store.repos import audit, connections, runs
from rostersync.store.session import transaction
from rostersync.store.tables import Action, OutboxEntry, Person
from tests.conftest import TODAY, Harness

HOUR = timedelta(hours=1)


def _start_a_run_nobody_finishes(harness: Harness, at: datetime) -> str:
    """What a process killed mid-read leaves behind: a `running` row nothing touches again."""
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        return runs.start_run(session, connection, dry_run=False, at=at).id


def _run(harness: Harness, run_id: str) -> tuple[str, str | None]:
    with transaction(harness.store.sessions) as session:
        run = runs.get_run(session, run_id, tenant_id=None)
        return run.status, run.error_code


def test_due_connections_skip_recent_running_and_held_runs(harness: Harness) -> None:
    store = harness.store
    assert due_connections(store, interval=HOUR) == [harness.connection_id]
    harness.sync()
    assert due_connections(store, interval=HOUR) == []
    assert due_connections(store, interval=timedelta(0)) == [harness.connection_id]

    now = datetime.now(UTC)
    running = _start_a_run_nobody_finishes(harness, now - timedelta(minutes=1))
    assert due_connections(store, interval=timedelta(0), now=now) == []
    assert _run(harness, running) == ("running", None)


def test_a_run_whose_process_died_is_failed_and_its_connection_syncs_in_the_same_pass(
    harness: Harness,
) -> None:
    now = datetime.now(UTC)
    dead = _start_a_run_nobody_finishes(harness, now - ABANDONED_AFTER - timedelta(minutes=1))

    assert due_connections(harness.store, interval=HOUR, now=now) == [harness.connection_id]
    assert _run(harness, dead) == ("failed", "run_abandoned")
    with transaction(harness.store.sessions) as session:
        entries = audit.list_events(session, tenant_id=harness.tenant_id)
        assert [(e.action, e.target) for e in entries if e.action == "run.abandoned"] == [
            ("run.abandoned", dead)
        ]
    assert harness.sync().status == "succeeded"


class SimulatedTime:
    """The run's clock and its pauses: a pause moves the clock on instead of waiting."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)
        self.during_pause: list[datetime] = []

    def clock(self) -> datetime:
        return self.now


def test_a_run_that_keeps_beating_through_a_long_pause_is_not_taken_for_dead(
    harness: Harness,
) -> None:
    """A 429 with a four-minute Retry-After, then a scheduler pass two minutes later than the
    run's start plus that pause: the run started longer ago than the threshold, but it beat."""
    store, time = harness.store, SimulatedTime()
    pause = timedelta(minutes=4)
    assert pause + timedelta(minutes=2) > ABANDONED_AFTER
    harness.sandbox.faults.rate_limit_next(
        retry_after=pause.total_seconds(), path="/v1/people/search"
    )
    due_while_paused: list[list[str]] = []

    def sleep(seconds: float) -> None:
        time.now += timedelta(seconds=seconds)
        due_while_paused.append(
            due_connections(store, interval=timedelta(0), now=time.now + timedelta(minutes=2))
        )

    report = run_sync(
        store,
        harness.connection_id,
        options=SyncOptions(as_of=TODAY, allow_loopback=True, sleep=sleep, clock=time.clock),
    )
    assert report.status == "succeeded", report.error_message
    assert len(due_while_paused) >= pause / HEARTBEAT_INTERVAL
    assert due_while_paused == [[]] * len(due_while_paused)


def test_a_run_failed_by_a_sweep_while_it_read_writes_nothing(harness: Harness) -> None:
    """The process stalled (a pause, a stop-the-world) long enough to be swept, then woke up
    and finished its read: what it read is not applied, and the verdict stays."""
    store = harness.store
    harness.sandbox.faults.rate_limit_next(retry_after=1, path="/v1/people/search")
    swept: list[list[str]] = []

    def sleep(_seconds: float) -> None:
        later = datetime.now(UTC) + 2 * ABANDONED_AFTER
        swept.append(due_connections(store, interval=timedelta(0), now=later))

    report = run_sync(
        store,
        harness.connection_id,
        options=SyncOptions(as_of=TODAY, allow_loopback=True, sleep=sleep),
    )
    assert swept[0] == [harness.connection_id]
    assert (report.status, report.error_code) == ("failed", "run_abandoned")
    assert _run(harness, report.run_id) == ("failed", "run_abandoned")
    with transaction(store.sessions) as session:
        for table in (Person, Action, OutboxEntry):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.last_sync_at is None
    assert harness.sync().status == "succeeded"
