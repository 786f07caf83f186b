"""Field coverage against the sandbox HiBob: a field the service user cannot see is left out
silently, so each run counts who had each field, warns about the ones that vanished, and holds
a run in which leavers' status or termination dates did."""

from __future__ import annotations

from sqlalchemy import select

from rostersync.engine.preflight import Outcome, run_preflight
from rostersync.model import ActionKind
from rostersync.sandbox import PersonStatus
from rostersync.services.approvals import decide
from rostersync.store.repos import destinations
from rostersync.store.session import transaction
from rostersync.store.tables import OutboxEntry, SyncRun
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Harness, Sandbox


def with_destination(harness: Harness) -> None:
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url="https://e.x/h"
        )


def test_a_field_the_vendor_stops_sending_is_counted_and_warned_about(harness: Harness) -> None:
    first = harness.sync()
    assert first.coverage["manager_remote_id"] > 0
    assert first.field_warnings == ()

    harness.sandbox.faults.hide_fields("work.manager")
    report = harness.sync()

    assert report.coverage["manager_remote_id"] == 0
    assert report.coverage["remote_id"] == report.counts["employees_read"]
    assert [(w.field, w.gap) for w in report.field_warnings] == [("manager_remote_id", "empty")]
    with transaction(harness.store.sessions) as session:
        stored = session.get_one(SyncRun, report.run_id).report
    assert stored["field_coverage"]["manager_remote_id"] == 0
    assert stored["field_warnings"][0]["field"] == "manager_remote_id"


def test_a_field_most_people_had_and_few_have_now_is_a_sharp_drop(harness: Harness) -> None:
    first = harness.sync()
    people = first.counts["employees_read"]
    assert first.coverage["location_id"] == people

    # Four in five people lose their site: 100% of people -> 20%, under half of the share.
    ids = [p.id for p in harness.sandbox.company.people()]
    harness.sandbox.faults.hide_fields("work.siteId", record_ids=ids[: people * 4 // 5])
    report = harness.sync()

    (warning,) = report.field_warnings
    assert (warning.field, warning.gap) == ("location_id", "dropped")
    assert (warning.people, warning.before, warning.known) == (
        report.coverage["location_id"],
        people,
        people,
    )


def test_a_small_dip_in_a_field_is_no_warning(harness: Harness) -> None:
    harness.sync()
    ids = [p.id for p in harness.sandbox.company.people()]
    harness.sandbox.faults.hide_fields("work.siteId", record_ids=ids[:5])
    assert harness.sync().field_warnings == ()


def test_leavers_whose_status_and_termination_date_vanish_hold_the_run(harness: Harness) -> None:
    with_destination(harness)
    harness.sync()
    company = harness.sandbox.company
    leavers = [p for p in company.people() if p.status is PersonStatus.TERMINATED]
    assert len(leavers) >= 2
    with transaction(harness.store.sessions) as session:
        events_before = set(session.scalars(select(OutboxEntry.id)))

    # The service user loses sight of the lifecycle label and termination date: leavers now
    # read as merely inactive, which would give them access back as rehires.
    harness.sandbox.faults.hide_fields("internal.lifecycleStatus", "internal.terminationDate")
    held = harness.sync()

    assert held.status == "held"
    assert held.hold is not None
    assert "leavers" in held.hold
    assert f"{len(leavers)} of {len(leavers)}" in held.hold
    assert any(a.kind is ActionKind.PROVISION and a.rule == "rehire" for a in held.actions)
    with transaction(harness.store.sessions) as session:
        new_events = [
            e.event_type for e in session.scalars(select(OutboxEntry)) if e.id not in events_before
        ]
    # Nothing delivered but the notice that a run is held; nothing applied either. (Rows
    # come back in no set order: PostgreSQL reuses the space of rows deleted earlier.)
    assert len(new_events) == 1
    assert new_events[0] != "user.provision"
    # Rejected, and read again once the fields are back: the stored state never changed.
    decide(harness.store, held.run_id, approve=False, tenant_id=None, actor="admin@acme")
    harness.sandbox.faults.show_fields()
    assert harness.sync().actions == ()


def test_one_rehire_is_not_held(harness: Harness) -> None:
    harness.sync()
    company = harness.sandbox.company
    leaver = next(p for p in company.people() if p.status is PersonStatus.TERMINATED)
    company.rehire(leaver.id, start_date=TODAY)
    assert harness.sync().status == "succeeded"


def test_preflight_warns_about_a_field_nobody_has(hibob: Sandbox) -> None:
    credentials = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}

    def fields_check() -> tuple[Outcome, str]:
        result = run_preflight(
            "hibob", credentials, base_url=hibob.base_url, allow_loopback=True, as_of=TODAY
        )
        check = next(c for c in result.checks if c.name == "Every field readable")
        return check.outcome, check.detail

    assert fields_check()[0] is Outcome.PASSED
    hibob.faults.hide_fields("work.department")
    outcome, detail = fields_check()
    assert outcome is Outcome.WARNING
    assert "Departments and teams" in detail
