"""Issue 11, point 2: whatever goes wrong in a run, it ends failed with a plain reason, names no
value, and leaves the connection free to sync again."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest

from rostersync.connectors.vendors.factorial import STREAMS
from rostersync.jobs import due_connections
from rostersync.sandbox import EMULATORS, FaultKind, Faults, ServerThread, SyntheticCompany
from rostersync.store import Store
from rostersync.store.repos import connections, runs
from rostersync.store.session import transaction
from tests.conftest import TODAY, Harness, Sandbox, make_harness
from tests.connectors.conftest import sandbox_config

# What a policy written by a later release might hold; the value stands for any personal one.
FOREIGN_POLICY = {"escalate_to": "ada.lovelace@example.com"}


def _run_status(harness: Harness, run_id: str) -> str:
    with transaction(harness.store.sessions) as session:
        return runs.get_run(session, run_id, tenant_id=None).status


def _assert_nothing_leaked(caplog: pytest.LogCaptureFixture, value: str) -> None:
    assert value not in caplog.text
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_a_crash_while_planning_fails_the_run_by_type_only_and_frees_the_connection(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        connection.policy = FOREIGN_POLICY

    with caplog.at_level(logging.DEBUG):
        report = harness.sync()

    assert (report.status, report.error_code) == ("failed", "internal_error")
    assert report.error_message == "the run stopped on an unexpected ValidationError"
    assert _run_status(harness, report.run_id) == "failed"
    _assert_nothing_leaked(caplog, FOREIGN_POLICY["escalate_to"])
    assert any(
        report.run_id in r.getMessage() and harness.connection_id in r.getMessage()
        for r in caplog.records
    )
    assert due_connections(harness.store, interval=timedelta(0)) == [harness.connection_id]
    with transaction(harness.store.sessions) as session:
        connections.get_connection(session, harness.connection_id, tenant_id=None).policy = {}
    assert harness.sync().status == "succeeded"


@pytest.fixture
def factorial() -> Iterator[Sandbox]:
    config = sandbox_config("factorial")
    company, faults = SyntheticCompany(seed=3, size=30, today=TODAY), Faults()
    app = EMULATORS["factorial"](company, credentials=config["emulator_credentials"], faults=faults)
    with ServerThread(app) as server:
        yield Sandbox(company, faults, server.base_url)


def test_factorial_teams_with_a_number_for_their_members_fail_the_run_as_bad_payload(
    store: Store, factorial: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """The case the issue reproduced: `employee_ids: 5` where a list is documented, in a
    connector whose own read calls its mappers directly."""
    harness = make_harness(
        store, factorial, "factorial", sandbox_config("factorial")["credentials"]
    )
    factorial.faults.reshape_next(FaultKind.WRONG_TYPES, times=100, path=STREAMS[1].path)

    with caplog.at_level(logging.DEBUG):
        report = harness.sync()

    assert (report.status, report.error_code) == ("failed", "bad_payload")
    # Caught where the team is mapped (the one path every record takes), so it names the stream.
    assert report.error_message == "Factorial sent a teams record we cannot read (TypeError)"
    assert _run_status(harness, report.run_id) == "failed"
    _assert_nothing_leaked(caplog, "Traceback")
    factorial.faults.reset()
    assert harness.sync().status == "succeeded"
