"""Issue 13: a sync applies its plan in chunks, yet the product sees a run whole or not at all.

A real sync process (tests/engine/apply_victim.py) is SIGKILLed mid-apply, on a SQLite file
and on PostgreSQL: nothing of its run can be delivered or read while it is applying, and
once it is dead its staged rows are rolled back, by the connection's next sync or by the
scheduler's pass, and the next sync takes every action of the change exactly once.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as query

from rostersync.engine import SyncOptions, run_sync
from rostersync.engine.sync import ABANDONED_AFTER
from rostersync.jobs import due_connections
from rostersync.model import ActionKind, EmploymentStatus
from rostersync.sandbox.company import PersonStatus
from rostersync.services import connections, deliveries, pull
from rostersync.services.destinations import DestinationSpec, create_destination
from rostersync.store.repos import runs
from rostersync.store.repos.outbox import FeedEntry
from rostersync.store.repos.people import Window
from rostersync.store.session import transaction
from rostersync.store.tables import STAGED_ACTIONS, STAGED_OUTBOX, STAGED_PEOPLE, Action
from tests.conftest import TODAY, Harness

ROOT = Path(__file__).parents[2]
Kinds = dict[ActionKind, set[str]]


def _victim(harness: Harness, mode: str) -> subprocess.Popen[str]:
    store = harness.store
    env = {
        **os.environ,
        "VICTIM_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "VICTIM_KEY": store.keyring.serialise(),
    }
    command = [sys.executable, "-m", "tests.engine.apply_victim", harness.connection_id]
    return subprocess.Popen(
        [*command, TODAY.isoformat(), mode],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _first_chunk(process: subprocess.Popen[str]) -> int:
    """Rows staged when the victim stopped, its first chunk committed."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 120)
    assert ready, "the sync never committed a chunk"
    line = process.stdout.readline()
    assert line, "the sync ended before committing a chunk"
    return int(line)


def _kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.stdout is not None
    process.stdout.close()


def _webhook(harness: Harness) -> None:
    spec = DestinationSpec(webhook_url="http://127.0.0.1:9/hooks")
    create_destination(harness.store, harness.tenant_id, spec, allow_loopback=True, actor="test")


def _change_the_company(harness: Harness) -> tuple[Kinds, str]:
    """A joiner, a leaver and a mover: the actions they call for, and the leaver."""
    company = harness.sandbox.company
    active = [p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email]
    leaver, mover = active[0], active[1]
    other = next(
        d.id for d in company.departments if d.id != mover.department_id and not d.archived
    )
    joiner = company.hire(start_date=TODAY)
    company.terminate(leaver.id, on=TODAY - timedelta(days=1))
    company.move(mover.id, department_id=other)
    expected = {kind: set[str]() for kind in ActionKind}
    expected[ActionKind.PROVISION] = {joiner.id}
    expected[ActionKind.DEPROVISION] = {leaver.id}
    expected[ActionKind.UPDATE] = {mover.id}
    return expected, leaver.id


def _by_kind(actions: tuple[object, ...]) -> Kinds:
    grouped: Kinds = {kind: set() for kind in ActionKind}
    for action in actions:
        grouped[action.kind].add(action.remote_id)  # type: ignore[attr-defined]
    return grouped


def _events(harness: Harness) -> list[FeedEntry]:
    """The change feed as the product pulls it."""
    return deliveries.feed(
        harness.store, tenant_id=harness.tenant_id, after=0, limit=10_000, destination_id=None
    )


def _people(harness: Harness) -> dict[str, EmploymentStatus]:
    """The pull API's people, as the product reads them."""
    load = pull.employees(harness.store, harness.connection_id, include_deleted=True)
    return {
        listed.record.remote_id: listed.record.employment_status for listed in load(Window(1000))
    }


def _rows_of_run(harness: Harness, run_id: str) -> tuple[int, int]:
    """(rows the run has staged, actions of the run in the live table)."""
    with transaction(harness.store.sessions) as session:
        staged = sum(
            session.scalar(query(func.count()).where(table.c.run_id == run_id)) or 0
            for table in (STAGED_PEOPLE, STAGED_ACTIONS, STAGED_OUTBOX)
        )
        live = session.scalar(query(func.count()).where(Action.run_id == run_id)) or 0
        return staged, live


def _run(harness: Harness) -> tuple[str, str, str | None, bool]:
    """The connection's newest run: id, status, error code, and whether it is applying."""
    with transaction(harness.store.sessions) as session:
        run = runs.list_runs(session, tenant_id=None, connection_id=harness.connection_id)[0]
        return run.id, run.status, run.error_code, run.applying_since is not None


def _killed_mid_apply(harness: Harness) -> tuple[str, Kinds, str]:
    """Sync once, change the company, and kill the re-sync after its first chunk, checking
    that meanwhile the product sees nothing of it. The killed run, the actions the change
    calls for, and its leaver."""
    _webhook(harness)
    assert harness.sync().status == "succeeded"
    expected, leaver = _change_the_company(harness)
    events, people = _events(harness), _people(harness)
    process = _victim(harness, "stop")
    try:
        assert _first_chunk(process) > 0
        run_id, status, _, applying = _run(harness)
        assert (status, applying) == ("running", True)
        staged, live = _rows_of_run(harness, run_id)
        assert staged > 0
        assert live == 0
        # Nothing of it can be delivered, pulled from the feed, or read from the pull API.
        assert _events(harness) == events
        assert _people(harness) == people
    finally:
        _kill(process)
    assert _events(harness) == events
    assert _people(harness) == people
    return run_id, expected, leaver


def _the_next_sync_acts_once(
    harness: Harness, killed: str, expected: Kinds, leaver: str, events_before: int
) -> None:
    """The next sync, once the killed run's heartbeat is old enough to tell it is dead."""
    report = harness.sync(at=datetime.now(UTC) + ABANDONED_AFTER + timedelta(seconds=1))

    assert report.status == "succeeded", report.error_message
    assert _by_kind(report.actions) == expected
    with transaction(harness.store.sessions) as session:
        run = runs.get_run(session, killed, tenant_id=None)
        assert (run.status, run.error_code) == ("failed", "run_abandoned")
    assert _rows_of_run(harness, killed) == (0, 0)
    new = _events(harness)[events_before:]
    assert len({entry.id for entry in new}) == len(new), "a webhook-id went out twice"
    acted = Counter(
        entry.body["data"]["action_id"] for entry in new if "action_id" in entry.body["data"]
    )
    assert acted == Counter(action.id for action in report.actions)
    assert _people(harness)[leaver] is EmploymentStatus.TERMINATED
    assert harness.sync().actions == ()


def test_the_next_sync_rolls_back_a_run_killed_mid_apply_and_acts_once(
    harness: Harness,
) -> None:
    killed, expected, leaver = _killed_mid_apply(harness)
    _the_next_sync_acts_once(harness, killed, expected, leaver, len(_events(harness)))


def test_the_scheduler_rolls_back_a_run_killed_mid_apply(harness: Harness) -> None:
    killed, _, _ = _killed_mid_apply(harness)
    events, people = _events(harness), _people(harness)

    later = datetime.now(UTC) + ABANDONED_AFTER + timedelta(seconds=1)
    assert due_connections(harness.store, interval=timedelta(minutes=1), now=later) == [
        harness.connection_id
    ]

    assert _run(harness)[1:3] == ("failed", "run_abandoned")
    assert _rows_of_run(harness, killed) == (0, 0)
    assert (_events(harness), _people(harness)) == (events, people)


_BLOCKED = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    " AND wait_event_type = 'Lock' AND query LIKE 'UPDATE connections%'"
)


def _backend(harness: Harness, *, present: bool) -> None:
    """Wait until the victim's backend is (or is no longer) waiting on our row lock."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with harness.store.engine.connect() as connection:
            if bool(connection.execute(_BLOCKED).first()) is present:
                return
        time.sleep(0.05)
    pytest.fail("the sync never reached its publishing commit" if present else "it lingers")


@pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_sync_killed_while_publishing_publishes_nothing(harness: Harness) -> None:
    """The run's last transaction, every chunk staged and every row moved, is stopped at its
    commit (the test holds the connection's row, which only that commit writes) and killed."""
    _webhook(harness)
    assert harness.sync().status == "succeeded"
    expected, leaver = _change_the_company(harness)
    events, people = _events(harness), _people(harness)
    hold = text("SELECT id FROM connections WHERE id = :id FOR NO KEY UPDATE")
    with harness.store.engine.connect() as holder:
        holder.execute(hold, {"id": harness.connection_id})
        process = _victim(harness, "run")
        try:
            _backend(harness, present=True)
            killed, status, _, applying = _run(harness)
            assert (status, applying) == ("running", True)
        finally:
            _kill(process)
        holder.rollback()
    _backend(harness, present=False)

    assert (_events(harness), _people(harness)) == (events, people)
    staged, live = _rows_of_run(harness, killed)
    assert staged > 0
    assert live == 0
    _the_next_sync_acts_once(harness, killed, expected, leaver, len(events))


def test_a_connection_disconnected_mid_apply_gets_nothing_written_back(harness: Harness) -> None:
    _webhook(harness)

    def disconnect(_rows: int) -> None:
        connections.disconnect(harness.store, harness.connection_id, tenant_id=None, actor="t")

    options = SyncOptions(as_of=TODAY, allow_loopback=True, chunk=2, on_applied=disconnect)
    report = run_sync(harness.store, harness.connection_id, options=options)

    assert (report.status, report.error_code) == ("failed", "connection_not_active")
    assert _people(harness) == {}
    assert not [entry for entry in _events(harness) if "action_id" in entry.body["data"]]
    assert _rows_of_run(harness, report.run_id) == (0, 0)
