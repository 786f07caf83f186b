"""Write-only secrets: credentials and signing secrets never come back out.

A full sync with failures (a 503 storm, a truncated page, revoked credentials) runs with every
log captured at DEBUG; then the logs, the run reports, the stored events, the API answers and
the CLI listings are searched for the token, the service user id and the signing secret.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from rostersync.cli.server import build_app
from rostersync.sandbox import ServerThread
from rostersync.settings import Settings
from rostersync.store.repos import apikeys, destinations, outbox, runs
from rostersync.store.session import transaction
from rostersync.store.tables import OutboxEntry
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, Harness


def test_no_secret_in_logs_reports_events_api_or_cli(
    harness: Harness, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    store = harness.store
    with transaction(store.sessions) as session:
        _, signing_secret = destinations.create_webhook(
            session, store.keyring, tenant_id=harness.tenant_id, url="https://hooks.example/x"
        )
        _, api_key = apikeys.create_key(session, tenant_id=harness.tenant_id, name="t")
    secrets = [HIBOB_TOKEN, HIBOB_USER, signing_secret, signing_secret.removeprefix("whsec_")]

    faults = harness.sandbox.faults
    reports = [harness.sync()]
    faults.fail_next(503, times=10)
    reports.append(harness.sync())
    faults.truncate_next(path="/v1/people/search")
    reports.append(harness.sync())
    faults.revoke_credentials()
    reports.append(harness.sync())
    assert [r.status for r in reports] == ["succeeded", "failed", "failed", "failed"]

    outputs = [caplog.text, *(str(r.as_dict()) for r in reports)]
    with transaction(store.sessions) as session:
        for run in runs.list_runs(session, tenant_id=harness.tenant_id):
            outputs.append(f"{run.error_code} {run.error_message}")
        for entry in session.scalars(select(OutboxEntry)):
            outputs.append(store.keyring.decrypt(entry.payload, context="outbox.payload"))
        assert {e.event_type for e in outbox.list_entries(session, tenant_id=None)} >= {
            "connection.needs_reauth"
        }

    settings = Settings(data_dir=tmp_path, allow_loopback=True)
    with ServerThread(build_app(store, settings)) as server:
        headers = {"Authorization": f"Bearer {api_key}"}
        for path in (
            "/api/v1/connections",
            "/api/v1/destinations",
            "/api/v1/runs",
            "/api/v1/audit",
        ):
            answer = httpx.get(server.base_url + path, headers=headers)
            assert answer.status_code == 200
            outputs.append(answer.text)

    url = store.engine.url.render_as_string(hide_password=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env |= {"ROSTERSYNC_DATABASE_URL": url, "ROSTERSYNC_MASTER_KEY": store.keyring.serialise()}
    for args in (["connections", "list", "--json"], ["apikeys", "list", "--json"]):
        listing = subprocess.run(
            [sys.executable, "-m", "rostersync", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        outputs.append(listing.stdout + listing.stderr)

    everything = "\n".join(outputs)
    assert "needs_reauth" in everything  # the failures did happen and were reported
    for secret in secrets:
        assert secret not in everything
    assert api_key not in everything
