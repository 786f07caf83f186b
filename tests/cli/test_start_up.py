"""What a command loads: `providers`, `extract` and every `--help` start without the store, the
web stack or SCIM, so they start in a fraction of a second (timings are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import CREDENTIALS, command_environment
from tests.conftest import TODAY, Sandbox

# Runs the command in this process, then writes every module it loaded to the file named first.
LOADED_MODULES = """
import atexit, json, sys
out, sys.argv = sys.argv[1], ["rostersync", *sys.argv[2:]]
atexit.register(lambda: open(out, "w").write(json.dumps(sorted(sys.modules))))
from rostersync.cli.app import main
main()
"""

SERVER_SIDE = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "scim2_",
    "rostersync.store",
    "rostersync.web",
    "rostersync.api",
    "rostersync.jobs",
    "rostersync.delivery",
    "rostersync.services.",
)
"""Prefixes of what only the server, the database and delivery need (`rostersync.services`
itself is a lazy face: its modules are what load the store)."""

READING = ("httpx", "rostersync.connectors.vendors.", "rostersync.model")
"""Prefixes of what only a read of a vendor needs."""


def loaded_by(tmp_path: Path, *args: str) -> list[str]:
    out = tmp_path / "modules.json"
    result = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, str(out), *args],
        capture_output=True,
        text=True,
        env=command_environment(loopback=True),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    modules: list[str] = json.loads(out.read_text())
    return modules


def among(modules: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [m for m in modules if m.startswith(prefixes)]


@pytest.mark.parametrize(
    "args",
    [
        ("providers", "--json"),
        ("--help",),
        ("extract", "--help"),
        ("sync", "--help"),
        ("tenants", "create", "--help"),
        ("destinations", "rotate-secret", "--help"),
    ],
)
def test_listing_and_help_load_neither_the_server_side_nor_a_vendor(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    modules = loaded_by(tmp_path, *args)
    assert among(modules, SERVER_SIDE + READING) == []


def test_extract_loads_its_vendor_and_no_server_side(tmp_path: Path, hibob: Sandbox) -> None:
    modules = loaded_by(
        tmp_path,
        "extract",
        "hibob",
        *CREDENTIALS,
        "--base-url",
        hibob.base_url,
        "--as-of",
        TODAY.isoformat(),
    )
    assert among(modules, SERVER_SIDE) == []
    assert among(modules, ("rostersync.connectors.vendors.",)) == [
        "rostersync.connectors.vendors.hibob"
    ]
