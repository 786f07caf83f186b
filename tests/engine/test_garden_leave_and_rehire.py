"""Garden leave by policy and rehire over an old termination date (HiBob, issue 12.2, 12.3), and
a BambooHR termination entered ahead of its date (issue 12.4), over real HTTP against the
sandbox emulators and the real store, in the style of test_lifecycle_cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from rostersync.engine import SyncReport
from rostersync.model import ActionKind
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import bamboohr as bamboohr_emulator
from rostersync.store import Store
from tests.conftest import TODAY, Harness, Sandbox, make_harness
from tests.engine.test_lifecycle_cases import active_people, policy, rules

YESTERDAY = TODAY - timedelta(days=1)
LAST_DAY = TODAY + timedelta(days=20)


def of(report: SyncReport, *remote_ids: str) -> list[tuple[ActionKind, str, str]]:
    """The actions for these people only: days later, the synthetic company has other
    joiners and leavers of its own."""
    return [rule for rule in rules(report) if rule[1] in remote_ids]


def test_garden_leave_keeps_access_until_the_last_day_by_default(harness: Harness) -> None:
    harness.sync()
    [person] = active_people(harness, 1)
    harness.sandbox.company.garden_leave(person.id, start=YESTERDAY, last_day=LAST_DAY)
    report = harness.sync()
    # Bob's own rule: "Employees under this status are active and have access to bob".
    assert rules(report) == [(ActionKind.UPDATE, person.id, "mover")]
    assert report.actions[0].changed_fields == ("on_garden_leave",)
    harness.sandbox.company.today = LAST_DAY
    assert of(harness.sync(as_of=LAST_DAY), person.id) == []
    harness.sandbox.company.today = LAST_DAY + timedelta(days=1)
    after = harness.sync(as_of=LAST_DAY + timedelta(days=1))
    assert of(after, person.id) == [(ActionKind.DEPROVISION, person.id, "leaver.terminated")]


def test_garden_leave_removes_access_at_its_start_by_policy(harness: Harness) -> None:
    policy(harness, garden_leave="remove_at_start")
    harness.sync()
    [person, ahead] = active_people(harness, 2)
    harness.sandbox.company.garden_leave(person.id, start=YESTERDAY, last_day=LAST_DAY)
    starts_later = TODAY + timedelta(days=5)
    harness.sandbox.company.garden_leave(ahead.id, start=starts_later, last_day=LAST_DAY)
    report = harness.sync()
    # Bob's employee.left webhook fires "when an employee is set as terminated or on Garden
    # leave (whichever occurs first)": the policy follows it; a future garden leave waits.
    assert rules(report) == [(ActionKind.DEPROVISION, person.id, "leaver.garden_leave")]
    harness.sandbox.company.today = starts_later
    later = harness.sync(as_of=starts_later)
    assert of(later, person.id, ahead.id) == [
        (ActionKind.DEPROVISION, ahead.id, "leaver.garden_leave")
    ]


def test_a_rehire_is_not_removed_by_a_surviving_old_termination_date(harness: Harness) -> None:
    harness.sync()
    [person] = active_people(harness, 1)
    harness.sandbox.company.terminate(person.id, on=YESTERDAY - timedelta(days=30))
    assert rules(harness.sync()) == [(ActionKind.DEPROVISION, person.id, "leaver.terminated")]
    harness.sandbox.company.rehire(person.id, start_date=TODAY)
    assert rules(harness.sync()) == [(ActionKind.PROVISION, person.id, "rehire")]
    harness.sandbox.company.today = TODAY + timedelta(days=1)
    assert of(harness.sync(as_of=TODAY + timedelta(days=1)), person.id) == []


def test_a_future_rehire_waits_for_its_start_date_not_removed(harness: Harness) -> None:
    policy(harness, lookahead_days=7)
    harness.sync()
    [person] = active_people(harness, 1)
    harness.sandbox.company.terminate(person.id, on=YESTERDAY - timedelta(days=30))
    harness.sync()
    harness.sandbox.company.rehire(person.id, start_date=TODAY + timedelta(days=5))
    assert rules(harness.sync()) == [(ActionKind.PROVISION, person.id, "rehire")]


BAMBOO = {"company_domain": "acme", "api_key": "test-key-not-a-secret"}


@pytest.fixture
def bamboohr(store: Store) -> Iterator[Harness]:
    company = SyntheticCompany(seed=7, size=60, today=TODAY)
    faults = Faults()
    app = bamboohr_emulator.create_app(company, credentials=BAMBOO, faults=faults)
    with ServerThread(app) as server:
        yield make_harness(store, Sandbox(company, faults, server.base_url), "bamboohr", BAMBOO)


def test_bamboohr_notice_period_keeps_access_until_the_termination_date(
    bamboohr: Harness,
) -> None:
    bamboohr.sync()
    [person] = active_people(bamboohr, 1)
    remote_id = str(person.employee_number)  # BambooHR's employee id, as the emulator gives it
    leaves_on = TODAY + timedelta(days=14)
    bamboohr.sandbox.company.terminate(person.id, on=leaves_on)
    # onlyCurrent=false shows the future-dated Terminated row now; it counts from its date.
    assert of(bamboohr.sync(), remote_id) == []
    bamboohr.sandbox.company.today = leaves_on
    assert of(bamboohr.sync(as_of=leaves_on), remote_id) == []
    bamboohr.sandbox.company.today = leaves_on + timedelta(days=1)
    after = bamboohr.sync(as_of=leaves_on + timedelta(days=1))
    assert of(after, remote_id) == [(ActionKind.DEPROVISION, remote_id, "leaver.terminated")]
