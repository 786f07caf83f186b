"""Issue 10, point 7: a sync whose process is SIGKILLed mid-read (as the OOM killer would) is
failed by the next scheduler pass, and the connection syncs again. A real `rostersync sync`
process, the real store (SQLite file and PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from rostersync.engine.sync import ABANDONED_AFTER
from rostersync.jobs import due_connections, sync_connection
from rostersync.store.repos import runs
from rostersync.store.session import transaction
from tests.conftest import Harness

PEOPLE = "/v1/people/search"


def _statuses(harness: Harness) -> list[tuple[str, str | None]]:
    with transaction(harness.store.sessions) as session:
        found = runs.list_runs(session, tenant_id=None, connection_id=harness.connection_id)
        return [(run.status, run.error_code) for run in found]


def _start_sync_process(harness: Harness) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env.update(
        {
            "ROSTERSYNC_DATABASE_URL": harness.store.engine.url.render_as_string(
                hide_password=False
            ),
            "ROSTERSYNC_MASTER_KEY": harness.store.keyring.serialise(),
            "ROSTERSYNC_ALLOW_LOOPBACK": "1",
        }
    )
    command = [sys.executable, "-m", "rostersync", "sync", harness.connection_id]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_sync_killed_mid_read_is_failed_by_the_next_pass_and_syncs_again(
    harness: Harness,
) -> None:
    faults = harness.sandbox.faults
    faults.slow_next(60, path=PEOPLE)
    process = _start_sync_process(harness)
    try:
        # The emulator takes the fault when the people request arrives: the read is under way.
        deadline = time.monotonic() + 120
        while faults.pending() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not faults.pending(), "the sync never reached the people request"
    finally:
        process.kill()
        process.wait()
    assert _statuses(harness) == [("running", None)]

    later = datetime.now(UTC) + ABANDONED_AFTER + timedelta(seconds=1)
    assert due_connections(harness.store, interval=timedelta(hours=1), now=later) == [
        harness.connection_id
    ]
    assert _statuses(harness) == [("failed", "run_abandoned")]
    report = sync_connection(harness.store, harness.connection_id, allow_loopback=True)
    assert report.status == "succeeded", report.error_message
