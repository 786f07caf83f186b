"""Sync runs against the sandbox HiBob over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from rostersync.model import ActionKind
from rostersync.sandbox.company import PersonStatus
from rostersync.store.repos import connections, people
from rostersync.store.session import transaction
from rostersync.store.tables import Action, OutboxEntry
from tests.conftest import TODAY, Harness

HAS_ACCESS = (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)


def _by_kind(report_actions: tuple[object, ...]) -> dict[ActionKind, set[str]]:
    grouped: dict[ActionKind, set[str]] = {kind: set() for kind in ActionKind}
    for action in report_actions:
        grouped[action.kind].add(action.remote_id)  # type: ignore[attr-defined]
    return grouped


def _action_count(harness: Harness) -> int:
    with transaction(harness.store.sessions) as session:
        return session.scalar(select(func.count()).select_from(Action)) or 0


def test_first_sync_provisions_everyone_who_should_have_access(harness: Harness) -> None:
    company = harness.sandbox.company.people()
    expected = {p.id for p in company if p.status in HAS_ACCESS and p.work_email}
    no_email = {p.id for p in company if p.status in HAS_ACCESS and not p.work_email}
    report = harness.sync()
    assert report.status == "succeeded"
    actions = _by_kind(report.actions)
    assert actions[ActionKind.PROVISION] == expected
    assert actions[ActionKind.UPDATE] == actions[ActionKind.DEPROVISION] == set()
    assert report.counts["employees_read"] == len(company)
    assert set(report.needs_a_person["no_work_email"]) == no_email
    assert any(p.status is PersonStatus.TERMINATED for p in company)
    assert any(p.status is PersonStatus.HIRED for p in company)


def test_hire_terminate_and_move_emit_exactly_the_matching_actions(harness: Harness) -> None:
    harness.sync()
    company = harness.sandbox.company
    active = [p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email]
    leaver, mover = active[0], active[1]
    other_department = next(
        d.id for d in company.departments if d.id != mover.department_id and not d.archived
    )
    joiner = company.hire(start_date=TODAY)
    company.terminate(leaver.id, on=TODAY - timedelta(days=1))
    company.move(mover.id, department_id=other_department)

    report = harness.sync()
    actions = _by_kind(report.actions)
    assert actions[ActionKind.PROVISION] == {joiner.id}
    assert actions[ActionKind.DEPROVISION] == {leaver.id}
    assert actions[ActionKind.UPDATE] == {mover.id}
    (update,) = [a for a in report.actions if a.kind is ActionKind.UPDATE]
    assert update.changed_fields == ("group_ids",)


def test_a_repeated_sync_of_unchanged_data_emits_nothing(harness: Harness) -> None:
    harness.sync()
    before = _action_count(harness)
    report = harness.sync()
    assert report.status == "succeeded"
    assert report.actions == ()
    assert _action_count(harness) == before


def test_someone_gone_is_removed_only_when_a_read_an_hour_later_confirms_it(
    harness: Harness,
) -> None:
    harness.sync()
    company = harness.sandbox.company
    managers = {p.manager_id for p in company.people()}
    gone = next(
        p
        for p in company.people()
        if p.status is PersonStatus.ACTIVE and p.work_email and p.id not in managers
    )
    company.remove(gone.id)
    first_miss = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    noted = harness.sync(at=first_miss)
    assert (noted.actions, noted.counts["missing_unconfirmed"]) == ((), 1)
    too_soon = harness.sync(at=first_miss + timedelta(minutes=59))
    assert (too_soon.actions, too_soon.counts["missing_unconfirmed"]) == ((), 1)
    # A date check re-plans the stored snapshot: it is not a read, so it confirms nothing.
    checked = harness.sync(at=first_miss + timedelta(hours=3), from_store=True)
    assert checked.actions == ()
    confirmed = harness.sync(at=first_miss + timedelta(hours=1))
    assert [(a.kind, a.remote_id, a.rule) for a in confirmed.actions] == [
        (ActionKind.DEPROVISION, gone.id, "leaver.missing")
    ]
    assert confirmed.counts["missing_unconfirmed"] == 0


def test_someone_back_before_the_confirming_read_keeps_access_and_no_event(
    harness: Harness,
) -> None:
    harness.sync()
    company = harness.sandbox.company
    managers = {p.manager_id for p in company.people()}
    person = next(
        p for p in company.people() if p.status is PersonStatus.ACTIVE and p.id not in managers
    )
    hidden = company.remove(person.id)
    first_miss = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    assert harness.sync(at=first_miss).actions == ()
    company.restore(hidden)
    back = harness.sync(at=first_miss + timedelta(hours=2))
    assert (back.actions, back.counts["missing_unconfirmed"]) == ((), 0)
    assert harness.sync(at=first_miss + timedelta(hours=4)).actions == ()


def test_a_401_marks_the_connection_and_changes_nothing(harness: Harness) -> None:
    harness.sync()
    before = _action_count(harness)
    harness.sandbox.company.terminate(
        harness.sandbox.company.people()[0].id, on=TODAY - timedelta(days=1)
    )
    harness.sandbox.faults.revoke_credentials()
    report = harness.sync()
    assert report.status == "failed"
    assert report.error_code == "auth_revoked"
    assert report.actions == ()
    assert _action_count(harness) == before
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.status == "needs_reauth"
    # Restored credentials do not resume a connection that needs a person to reconnect it.
    harness.sandbox.faults.restore_credentials()
    assert harness.sync().error_code == "connection_not_active"


def test_a_failed_page_changes_nothing(harness: Harness) -> None:
    harness.sync()
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        before = people.load_state(session, harness.store.keyring, connection)
    company = harness.sandbox.company
    for person in company.people()[:10]:
        company.terminate(person.id, on=TODAY - timedelta(days=1))
    harness.sandbox.faults.fail_next(status=503, times=10, path="/v1/people/search")
    failed = harness.sync()
    assert failed.status == "failed"
    assert failed.error_code == "vendor_unavailable"
    harness.sandbox.faults.reset()
    harness.sandbox.faults.truncate_next(path="/v1/people/search")
    truncated = harness.sync()
    assert truncated.status == "failed"
    assert truncated.error_code == "bad_payload"
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert people.load_state(session, harness.store.keyring, connection) == before
        assert connection.status == "active"


def test_a_dry_run_shows_the_plan_and_stores_nothing(harness: Harness) -> None:
    preview = harness.sync(dry_run=True)
    assert preview.status == "previewed"
    assert preview.counts["provision"] > 0
    assert _action_count(harness) == 0
    with transaction(harness.store.sessions) as session:
        assert session.scalar(select(func.count()).select_from(OutboxEntry)) == 0
    real = harness.sync()
    assert [a.id for a in real.actions] == [a.id for a in preview.actions]
