"""Progress on stderr for `extract`, `sync` and `deliver`: shown on a terminal, never for --json
nor when stderr is a pipe, and never on stdout, which scripts read."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from rostersync.store.crypto import generate_key_setting
from tests.cli.test_cli import CREDENTIALS, command_environment, rostersync
from tests.conftest import TODAY, Sandbox


@dataclass(frozen=True)
class OnTerminal:
    returncode: int
    stdout: str
    terminal: str
    """What the command wrote to its stderr, a pseudo-terminal."""


def on_terminal(*args: str, env: dict[str, str] | None = None) -> OnTerminal:
    """Run the command with its stderr on a pseudo-terminal (stdout stays a pipe)."""
    controller, terminal = os.openpty()
    environment = command_environment(env, loopback=True) | {"TERM": "xterm", "COLUMNS": "100"}
    written: list[bytes] = []

    def drain() -> None:
        # The terminal must be read while the command runs, or it blocks once its buffer fills.
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the command closed its end
                return
            if not chunk:
                return
            written.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    with subprocess.Popen(
        [sys.executable, "-m", "rostersync", *args],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=environment,
    ) as process:
        os.close(terminal)
        stdout, _ = process.communicate(timeout=60)
    reader.join(timeout=10)
    os.close(controller)
    return OnTerminal(
        process.returncode, stdout.decode(), b"".join(written).decode(errors="replace")
    )


def test_extract_counts_records_on_a_terminal_and_is_silent_in_a_pipe(hibob: Sandbox) -> None:
    args = ("extract", "hibob", *CREDENTIALS, "--base-url", hibob.base_url)
    args += ("--as-of", TODAY.isoformat())
    shown = on_terminal(*args)
    assert shown.returncode == 0, shown.terminal
    records = shown.stdout.splitlines()
    assert all(json.loads(line) for line in records)
    assert "reading HiBob" in shown.terminal
    assert f"{len(records)} records" in shown.terminal

    piped = rostersync(*args)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.splitlines() == records
    assert piped.stderr == ""


def test_sync_and_deliver_show_progress_on_a_terminal_but_not_for_json(
    hibob: Sandbox, tmp_path: Path
) -> None:
    env = {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    tenant_id = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    created = rostersync(
        "connections",
        "create",
        *("--tenant", tenant_id, "--provider", "hibob", "--base-url", hibob.base_url),
        *CREDENTIALS,
        "--json",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    connection_id = json.loads(created.stdout)["id"]
    # A receiver that answers 404: each entry is tried once, which is all progress counts.
    hook = rostersync(
        *("destinations", "create", "--tenant", tenant_id),
        *("--webhook-url", f"{hibob.base_url}/hook"),
        env=env,
    )
    assert hook.returncode == 0, hook.stderr

    silent = on_terminal("sync", connection_id, "--dry-run", "--json", env=env)
    assert silent.returncode == 0, silent.terminal
    assert json.loads(silent.stdout)["status"] == "previewed"
    assert silent.terminal == ""

    synced = on_terminal("sync", connection_id, env=env)
    assert synced.returncode == 0, synced.terminal
    # The company's 60 people and its departments and sites, counted as they are read.
    assert "planning and applying" in synced.terminal
    assert max(int(n) for n in re.findall(r"(\d+) records", synced.terminal)) > 60

    delivered = on_terminal("deliver", "--limit", "3", env=env)
    assert delivered.returncode == 0, delivered.terminal
    assert "delivering" in delivered.terminal
    assert "3 entries sent" in delivered.terminal
    assert "delivered=" in delivered.stdout

    quiet = on_terminal("deliver", "--limit", "2", "--json", env=env)
    assert quiet.returncode == 0, quiet.terminal
    assert quiet.terminal == ""
