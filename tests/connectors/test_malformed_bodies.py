"""Issue 11, point 2: every registered connector, fed malformed answers by its emulator over
real HTTP, fails the run with a clear error, and `extract` exits 0 or 5, never 1.

Each shape is served on one endpoint at a time (every endpoint a clean read called), so each
endpoint's own mapping code meets it. A run may also succeed, but only by reading exactly
what the clean run read (the same counts and no action planned): where the answer holds no list
(a token endpoint) or the records twice (HiBob's `values` and `items`). A value of the wrong
type (the number 5 for a name, a number for a list of members) is bad_payload, never a name
"5" or a team silently emptied.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from rostersync.sandbox import FaultKind, Faults, SyntheticCompany
from rostersync.store import open_store
from rostersync.store.crypto import Keyring
from rostersync.store.repos import runs
from rostersync.store.session import transaction
from tests.conftest import TODAY, Sandbox, make_harness
from tests.connectors.conftest import VendorSandbox

SHAPES = (
    FaultKind.TRUNCATE,
    FaultKind.LIST_AS_NUMBER,
    FaultKind.RECORD_AS_STRING,
    FaultKind.WRONG_TYPES,
)
READ = ("employees_read", "groups_read", "locations_read")


@pytest.fixture(scope="module")
def conformance_company() -> SyntheticCompany:
    """Smaller than the conformance suite's: every endpoint is still called, and each shape
    means a full sync per endpoint."""
    return SyntheticCompany(seed=11, size=30, today=TODAY)


def malform(faults: Faults, shape: FaultKind, path: str) -> None:
    """Every answer from `path` (all its pages, retries included) in `shape`."""
    faults.reset()
    if shape is FaultKind.TRUNCATE:
        faults.truncate_next(times=1000, path=path)
    else:
        faults.reshape_next(shape, times=1000, path=path)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_a_malformed_answer_fails_the_run_with_a_clear_error(
    vendor: VendorSandbox,
    shape: FaultKind,
    sqlite_url: str,
    keyring: Keyring,
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = open_store(sqlite_url, keyring)
    sandbox = Sandbox(vendor.company, vendor.faults, vendor.base_url)
    harness = make_harness(store, sandbox, vendor.slug, vendor.config["credentials"])
    clean = harness.sync()
    assert clean.status == "succeeded", clean.error_message
    endpoints = list(dict.fromkeys(path for _method, path, _status in vendor.faults.requests()))

    outcomes: dict[str, str] = {}
    for path in endpoints:
        malform(vendor.faults, shape, path)
        with caplog.at_level(logging.DEBUG):
            report = harness.sync()
        outcomes[path] = report.status
        with transaction(store.sessions) as session:
            assert runs.get_run(session, report.run_id, tenant_id=None).status == report.status
        if report.status == "failed":
            assert report.error_code == "bad_payload", (path, report.error_message)
            assert report.error_message, path
            assert "\n" not in report.error_message, path
        else:
            assert report.status == "succeeded", (path, report.status, report.hold)
            read = {k: report.counts[k] for k in READ}
            assert read == {k: clean.counts[k] for k in READ}, path
            assert not report.actions, (path, [a.kind for a in report.actions])
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    if shape is FaultKind.TRUNCATE:
        assert set(outcomes.values()) == {"failed"}, outcomes
    store.engine.dispose()


def _extract(vendor: VendorSandbox) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env["ROSTERSYNC_ALLOW_LOOPBACK"] = "1"
    credentials = [
        arg
        for name, value in vendor.config["credentials"].items()
        for arg in ("--credential", f"{name}={value}")
    ]
    command = ["extract", vendor.slug, *credentials, "--base-url", vendor.base_url]
    return subprocess.run(
        [sys.executable, "-m", "rostersync", *command, "--as-of", TODAY.isoformat()],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_extract_of_malformed_people_exits_0_or_5_with_one_line(vendor: VendorSandbox) -> None:
    """A real process per vendor (each costs seconds): values of the wrong type in the people
    answers, where vendor modules do most of their own mapping."""
    malform(vendor.faults, FaultKind.WRONG_TYPES, vendor.config["people_path"])
    result = _extract(vendor)
    assert result.returncode in (0, 5), result.stderr
    if result.returncode == 5:
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: "), line
    else:
        assert result.stderr == ""
