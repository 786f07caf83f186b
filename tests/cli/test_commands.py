"""What the README promises of the commands: exit codes, one-line errors, readable listings.

Each runs the real `rostersync` process against the sandbox HiBob on 127.0.0.1 and SQLite.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rostersync import __version__
from rostersync.store.crypto import generate_key_setting
from tests.cli.test_cli import CREDENTIALS, rostersync
from tests.conftest import HIBOB_USER, Sandbox

WRONG = [
    "--credential",
    f"service_user_id={HIBOB_USER}",
    "--credential",
    "service_user_token=nope-wrong-1",
]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }


def _tenant(env: dict[str, str]) -> str:
    created = rostersync("tenants", "create", "Acme", env=env)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


def _connection(
    env: dict[str, str], hibob: Sandbox, *options: str
) -> subprocess.CompletedProcess[str]:
    return rostersync(
        "connections",
        "create",
        "--tenant",
        _tenant(env),
        "--provider",
        "hibob",
        "--base-url",
        hibob.base_url,
        *options,
        env=env,
    )


def _one_error_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_version() -> None:
    shown = rostersync("--version")
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"rostersync {__version__}"


def test_creating_a_connection_checks_its_credentials_and_stores_nothing_when_refused(
    env: dict[str, str], hibob: Sandbox
) -> None:
    refused = _connection(env, hibob, *WRONG)
    line = _one_error_line(refused, 3)
    assert "401" in line
    assert "nope-wrong-1" not in refused.stderr
    listed = rostersync("connections", "list", "--json", env=env)
    assert json.loads(listed.stdout) == []
    accepted = _connection(env, hibob, *CREDENTIALS)
    assert accepted.returncode == 0, accepted.stderr


def test_a_sync_refused_by_the_vendor_exits_3_with_one_line(
    env: dict[str, str], hibob: Sandbox
) -> None:
    created = _connection(env, hibob, *WRONG, "--no-check", "--json")
    assert created.returncode == 0, created.stderr
    connection_id = json.loads(created.stdout)["id"]
    synced = rostersync("sync", connection_id, env=env)
    line = _one_error_line(synced, 3)
    assert "auth_revoked" in line
    assert "failed" in synced.stdout


def test_runs_list_is_a_table_of_columns_and_json_for_machines(
    env: dict[str, str], hibob: Sandbox
) -> None:
    created = _connection(env, hibob, *CREDENTIALS, "--json")
    connection_id = json.loads(created.stdout)["id"]
    assert rostersync("sync", connection_id, env=env).returncode == 0
    listed = rostersync("runs", "list", "--connection", connection_id, env=env)
    assert listed.returncode == 0, listed.stderr
    header, row = listed.stdout.splitlines()
    assert header.split()[:3] == ["RUN", "CONNECTION", "STATUS"]
    assert "PROVISION" in header
    assert "{" not in listed.stdout
    assert "'" not in listed.stdout
    read = len(hibob.company.people())
    assert row.split()[1:3] == [connection_id, "succeeded"]
    assert str(read) in row.split()
    machine = json.loads(rostersync("runs", "list", "--json", env=env).stdout)
    assert machine[0]["counts"]["employees_read"] == read


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_deliver_with_a_limit_says_how_many_are_still_pending(
    env: dict[str, str], hibob: Sandbox
) -> None:
    created = _connection(env, hibob, *CREDENTIALS, "--json")
    values = json.loads(created.stdout)
    destination = rostersync(
        "destinations",
        "create",
        "--tenant",
        values["tenant_id"],
        "--webhook-url",
        f"http://127.0.0.1:{_closed_port()}/hooks",
        env=env,
    )
    assert destination.returncode == 0, destination.stderr
    assert rostersync("sync", values["id"], env=env).returncode == 0
    listed = rostersync("deliveries", "list", "--status", "pending", "--json", env=env)
    events = len(json.loads(listed.stdout))
    assert events > 5
    sent = rostersync("deliver", "--limit", "5", env=env)
    assert sent.returncode == 0, sent.stderr
    assert f"{events - 5} pending" in sent.stdout


def test_an_empty_variable_is_unset_and_a_bad_one_is_one_line_naming_it(
    env: dict[str, str],
) -> None:
    empty = rostersync("tenants", "list", env=env | {"ROSTERSYNC_SYNC_INTERVAL_SECONDS": ""})
    assert empty.returncode == 0, empty.stderr
    for name, value in [
        ("ROSTERSYNC_SYNC_INTERVAL_SECONDS", "soon"),
        ("ROSTERSYNC_ALLOW_LOOPBACK", "perhaps"),
    ]:
        bad = rostersync("tenants", "list", env=env | {name: value})
        line = _one_error_line(bad, 2)
        assert name in line
        assert value not in line
        assert "Traceback" not in bad.stderr


def test_sandbox_serve_with_no_credentials_generates_and_prints_them(tmp_path: Path) -> None:
    port = _closed_port()
    log = tmp_path / "sandbox.log"
    command = [sys.executable, "-m", "rostersync", "sandbox", "serve", "--vendor", "hibob"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--people", "5"], stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while "accepting" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        printed = log.read_text()
        assert "service_user_id=" in printed
        assert "token=" in printed
    finally:
        process.terminate()
        process.wait(timeout=30)
    unknown = rostersync("sandbox", "serve", "--credential", "service_user_token=x")
    line = _one_error_line(unknown, 2)
    assert "service_user_id, token" in line
