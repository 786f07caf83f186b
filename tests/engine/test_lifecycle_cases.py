"""Every lifecycle case HR produces, over real HTTP against the sandbox HiBob and the real store
(SQLite and PostgreSQL). Each test reads as the case it proves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from rostersync.engine import SyncOptions, SyncReport, run_sync
from rostersync.model import ActionKind
from rostersync.sandbox import PersonStatus, SyntheticPerson
from rostersync.services.accounts import AccountIn, import_accounts
from rostersync.services.approvals import decide
from rostersync.services.connections import set_policy
from rostersync.store.repos import destinations
from rostersync.store.session import transaction
from rostersync.store.tables import Action as ActionRow
from rostersync.store.tables import Destination, OutboxEntry, Tenant
from tests.conftest import TODAY, Harness

YESTERDAY = TODAY - timedelta(days=1)
NINE = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def rules(report: SyncReport) -> list[tuple[ActionKind, str, str]]:
    return sorted((a.kind, a.remote_id, a.rule) for a in report.actions)


def policy(harness: Harness, **values: Any) -> None:
    set_policy(harness.store, harness.connection_id, values, tenant_id=None, actor="test")


def active_people(harness: Harness, n: int) -> list[SyntheticPerson]:
    managers = {p.manager_id for p in harness.sandbox.company.people()}
    return [
        p
        for p in harness.sandbox.company.people()
        if p.status is PersonStatus.ACTIVE and p.work_email and p.id not in managers
    ][:n]


def events(harness: Harness) -> list[str]:
    with transaction(harness.store.sessions) as session:
        return [
            e.event_type
            for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.sequence))
        ]


def with_destination(harness: Harness) -> None:
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url="https://e.x/h"
        )


# --- joiners ---------------------------------------------------------------------------------


def test_new_hire_active_today_is_provisioned(harness: Harness) -> None:
    harness.sync()
    joiner = harness.sandbox.company.hire(start_date=TODAY)
    assert rules(harness.sync()) == [(ActionKind.PROVISION, joiner.id, "joiner.active")]


def test_future_hire_is_provisioned_on_the_start_date_by_the_date_check(harness: Harness) -> None:
    harness.sync()
    future = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=3))
    assert rules(harness.sync()) == []
    # No HRIS change and no vendor call at all: the stored snapshot is re-planned each day.
    harness.sandbox.faults.revoke_credentials()
    assert rules(harness.sync(as_of=TODAY + timedelta(days=2), from_store=True)) == []
    on_the_day = harness.sync(as_of=TODAY + timedelta(days=3), from_store=True)
    assert rules(on_the_day) == [(ActionKind.PROVISION, future.id, "joiner.lookahead")]


def test_lookahead_provisions_a_future_hire_days_ahead(harness: Harness) -> None:
    policy(harness, lookahead_days=7)
    harness.sync()
    future = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=5))
    assert rules(harness.sync()) == [(ActionKind.PROVISION, future.id, "joiner.lookahead")]


def test_a_start_date_that_slips_is_not_a_departure(harness: Harness) -> None:
    policy(harness, lookahead_days=7)
    future = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=5))
    harness.sync()
    harness.sandbox.company.reschedule(future.id, TODAY + timedelta(days=40))
    report = harness.sync()
    assert rules(report) == [(ActionKind.UPDATE, future.id, "mover")]
    assert report.actions[0].changed_fields == ("start_date",)


def test_a_hire_cancelled_before_the_start_is_deprovisioned_if_already_invited(
    harness: Harness,
) -> None:
    policy(harness, lookahead_days=7)
    invited = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=5))
    not_invited = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=30))
    harness.sync()
    harness.sandbox.company.terminate(invited.id, on=YESTERDAY)
    harness.sandbox.company.terminate(not_invited.id, on=YESTERDAY)
    report = harness.sync()
    assert rules(report) == [(ActionKind.DEPROVISION, invited.id, "leaver.terminated")]
    assert report.actions[0].cause == "hire cancelled before the start date"


# --- leavers and rehires ---------------------------------------------------------------------


def test_termination_deprovisions(harness: Harness) -> None:
    harness.sync()
    (leaver,) = active_people(harness, 1)
    harness.sandbox.company.terminate(leaver.id, on=YESTERDAY)
    report = harness.sync()
    assert rules(report) == [(ActionKind.DEPROVISION, leaver.id, "leaver.terminated")]
    assert (report.actions[0].from_status, report.actions[0].to_status) == ("ACTIVE", "TERMINATED")


def test_rehire_with_the_same_id_is_provisioned_again(harness: Harness) -> None:
    harness.sync()
    (person,) = active_people(harness, 1)
    harness.sandbox.company.terminate(person.id, on=YESTERDAY)
    harness.sync()
    harness.sandbox.company.rehire(person.id, start_date=TODAY)
    assert rules(harness.sync()) == [(ActionKind.PROVISION, person.id, "rehire")]


def test_rehire_under_a_new_id_with_the_same_email_links_the_old_account(harness: Harness) -> None:
    (person,) = active_people(harness, 1)
    import_accounts(
        harness.store, harness.tenant_id, [AccountIn("user-42", person.work_email)], actor="test"
    )
    first = harness.sync()
    assert next(a for a in first.actions if a.remote_id == person.id).account_id == "user-42"
    company = harness.sandbox.company
    company.terminate(person.id, on=YESTERDAY)
    harness.sync()
    company.remove(person.id)
    harness.sync()
    again = company.hire(
        first_name=person.first_name,
        last_name=person.last_name,
        work_email=person.work_email,
        start_date=TODAY,
    )
    report = harness.sync()
    (action,) = report.actions
    assert (action.kind, action.remote_id, action.rule) == (
        ActionKind.PROVISION,
        again.id,
        "rehire",
    )
    assert action.account_id == "user-42"
    assert person.id in action.cause


def test_leave_keeps_access_by_default_and_suspends_by_policy(harness: Harness) -> None:
    harness.sync()
    keep, suspend = active_people(harness, 2)
    harness.sandbox.company.set_status(keep.id, PersonStatus.ON_LEAVE)
    kept = harness.sync()
    assert rules(kept) == [(ActionKind.UPDATE, keep.id, "mover")]
    assert kept.actions[0].changed_fields == ("employment_status",)

    policy(harness, leave="suspend")
    harness.sandbox.company.set_status(suspend.id, PersonStatus.ON_LEAVE)
    on_leave = {p.id for p in harness.sandbox.company.people() if p.status is PersonStatus.ON_LEAVE}
    suspended = harness.sync()
    # The policy applies to everyone on leave who has access, not only to whoever just left.
    assert {(a.kind, a.rule) for a in suspended.actions} == {
        (ActionKind.DEPROVISION, "leave.suspend")
    }
    assert {keep.id, suspend.id} <= {a.remote_id for a in suspended.actions} <= on_leave
    harness.sandbox.company.set_status(suspend.id, PersonStatus.ACTIVE)
    assert rules(harness.sync()) == [(ActionKind.PROVISION, suspend.id, "leave.return")]


def test_gone_from_two_complete_reads_is_deprovisioned_unless_the_policy_says_no(
    harness: Harness,
) -> None:
    harness.sync()
    first, second = active_people(harness, 2)
    harness.sandbox.company.remove(first.id)
    assert rules(harness.sync(at=NINE)) == []
    assert rules(harness.sync(at=NINE + timedelta(hours=1))) == [
        (ActionKind.DEPROVISION, first.id, "leaver.missing")
    ]
    policy(harness, deprovision_missing=False)
    harness.sandbox.company.remove(second.id)
    assert rules(harness.sync(at=NINE + timedelta(hours=2))) == []
    assert rules(harness.sync(at=NINE + timedelta(hours=3))) == []


def test_access_given_back_after_any_removal_always_arrives(harness: Harness) -> None:
    """Issue 10, point 1: scope.out then back in scope was swallowed as a repeat."""
    with_destination(harness)
    harness.sync()
    department = active_people(harness, 1)[0].department_id
    policy(harness, scope={"exclude_group_ids": [department]})
    removed = harness.sync()
    if removed.status == "held":
        removed = decide(harness.store, removed.run_id, approve=True, tenant_id=None, actor="t")
    out = {a.remote_id for a in removed.actions if a.rule == "scope.out"}
    assert len(out) > 1
    policy(harness)
    before = len(events(harness))
    back = harness.sync()
    assert {a.remote_id for a in back.actions if a.kind is ActionKind.PROVISION} == out
    with transaction(harness.store.sessions) as session:
        recorded = session.scalars(select(ActionRow).where(ActionRow.run_id == back.run_id))
        assert {a.remote_id for a in recorded} == out
    provisioned = ActionKind.PROVISION.event_type
    assert events(harness)[before:].count(provisioned) == len(out)


def test_many_people_vanishing_at_once_is_held(harness: Harness) -> None:
    harness.sync()
    for person in active_people(harness, 6):
        harness.sandbox.company.remove(person.id)
    report = harness.sync()
    assert report.status == "held"
    assert report.hold is not None
    assert "vanished" in report.hold


def test_a_hard_delete_comes_only_after_the_grace_period_and_only_by_opt_in(
    harness: Harness,
) -> None:
    harness.sync()
    (leaver,) = active_people(harness, 1)
    harness.sandbox.company.terminate(leaver.id, on=YESTERDAY)
    assert rules(harness.sync()) == [(ActionKind.DEPROVISION, leaver.id, "leaver.terminated")]

    # Future hires start within these 60 days too; only deletions matter here.
    def deletions(days: int) -> list[tuple[ActionKind, str, str]]:
        report = harness.sync(as_of=TODAY + timedelta(days=days), from_store=True)
        return [r for r in rules(report) if r[0] is ActionKind.DELETE]

    assert deletions(60) == []
    policy(harness, hard_delete_after_days=30)
    assert deletions(29) == []
    assert deletions(30) == [(ActionKind.DELETE, leaver.id, "delete.grace")]
    assert deletions(31) == []


# --- movers ---------------------------------------------------------------------------------


def test_department_manager_location_name_and_email_changes_are_updates(harness: Harness) -> None:
    harness.sync()
    company = harness.sandbox.company
    dept, boss, site, name, email = active_people(harness, 5)
    other_dept = next(
        d.id for d in company.departments if d.id != dept.department_id and not d.archived
    )
    company.move(dept.id, department_id=other_dept)
    company.move(boss.id, manager_id=name.id)
    company.move(site.id, site_id=next(s.id for s in company.sites if s.id != site.site_id))
    company.rename(name.id, last_name="Renamed")
    company.rename(email.id, work_email=f"new.address@{company.domain}")
    report = harness.sync()
    changed = {a.remote_id: a.changed_fields for a in report.actions}
    assert changed == {
        dept.id: ("group_ids",),
        boss.id: ("manager_remote_id",),
        site.id: ("location_id",),
        name.id: ("last_name",),
        email.id: ("work_email",),
    }
    assert {a.kind for a in report.actions} == {ActionKind.UPDATE}


def test_a_manager_not_yet_in_the_product_never_blocks_the_report(harness: Harness) -> None:
    company = harness.sandbox.company
    manager = company.hire(start_date=TODAY + timedelta(days=2))
    report_person = company.hire(start_date=TODAY, manager_id=manager.id)
    first = harness.sync()
    assert (ActionKind.PROVISION, report_person.id, "joiner.active") in rules(first)
    assert first.status == "succeeded"
    assert first.counts["managers_unresolved"] >= 1
    later = harness.sync(as_of=TODAY + timedelta(days=2), from_store=True)
    assert rules(later) == sorted(
        [
            (ActionKind.PROVISION, manager.id, "joiner.lookahead"),
            (ActionKind.UPDATE, report_person.id, "manager.resolved"),
        ]
    )
    assert [a.remote_id for a in later.actions] == [manager.id, report_person.id]


# --- people a person must look at ------------------------------------------------------------


def test_duplicate_work_emails_and_missing_emails_are_reported_not_provisioned(
    harness: Harness,
) -> None:
    company = harness.sandbox.company
    harness.sync()
    one = company.hire(work_email=f"shared@{company.domain}", start_date=TODAY)
    two = company.hire(work_email=f"Shared@{company.domain}", start_date=TODAY)
    report = harness.sync()
    assert rules(report) == []
    assert set(report.needs_a_person["duplicate_work_email"]) == {one.id, two.id}
    assert report.needs_a_person["no_work_email"]


def test_matching_links_one_candidate_and_hands_a_dispute_to_a_person(harness: Harness) -> None:
    company = harness.sandbox.company
    linked, disputed, by_id = active_people(harness, 3)
    import_accounts(
        harness.store,
        harness.tenant_id,
        [
            AccountIn("acc-1", (linked.work_email or "").upper()),
            AccountIn("acc-2", disputed.work_email),
            AccountIn("acc-3", disputed.work_email),
            AccountIn("acc-4", "someone.else@example.com", external_id=by_id.id),
        ],
        actor="test",
    )
    report = harness.sync()
    accounts = {a.remote_id: a.account_id for a in report.actions}
    assert accounts[linked.id] == "acc-1"
    assert accounts[by_id.id] == "acc-4"
    assert disputed.id not in accounts
    assert report.needs_a_person["disputed_match"] == (disputed.id,)
    assert sum(1 for a in report.actions if a.account_id is None) == len(report.actions) - 2
    # Re-checked on every run: once the dispute is settled, the person is linked.
    import_accounts(
        harness.store, harness.tenant_id, [AccountIn("acc-3", "moved@example.com")], actor="test"
    )
    settled = harness.sync()
    assert [(a.remote_id, a.account_id) for a in settled.actions] == [(disputed.id, "acc-2")]
    assert company.get(disputed.id).status is PersonStatus.ACTIVE


# --- scope ------------------------------------------------------------------------------------


def test_scope_rules_leave_people_out_and_moving_out_of_scope_deprovisions(
    harness: Harness,
) -> None:
    company = harness.sandbox.company
    contractors = company.departments[1].id
    policy(harness, scope={"exclude_group_ids": [contractors]})
    first = harness.sync()
    in_contractors = {p.id for p in company.people() if p.department_id == contractors}
    assert in_contractors
    assert not in_contractors & {a.remote_id for a in first.actions}
    (mover,) = [p for p in active_people(harness, 10) if p.department_id != contractors][:1]
    company.move(mover.id, department_id=contractors)
    report = harness.sync()
    assert rules(report) == [(ActionKind.DEPROVISION, mover.id, "scope.out")]
    assert "exclude_group_ids" in report.actions[0].cause


# --- guards -----------------------------------------------------------------------------------


def test_a_mass_deprovision_is_held_until_approved(harness: Harness) -> None:
    with_destination(harness)
    harness.sync()
    before = len(events(harness))
    leavers = active_people(harness, 12)
    for person in leavers:
        harness.sandbox.company.terminate(person.id, on=YESTERDAY)
    held = harness.sync()
    assert held.status == "held"
    assert held.hold is not None
    assert "would deprovision 12" in held.hold
    assert events(harness)[before:] == ["sync.held"]
    blocked = harness.sync()
    assert blocked.error_code == "run_held"
    approved = decide(harness.store, held.run_id, approve=True, tenant_id=None, actor="admin@acme")
    assert approved.status == "succeeded"
    assert events(harness)[before + 1 :].count("user.deprovision") == 12
    assert harness.sync().actions == ()


def test_a_rejected_hold_delivers_nothing(harness: Harness) -> None:
    with_destination(harness)
    harness.sync()
    before = len(events(harness))
    for person in active_people(harness, 12):
        harness.sandbox.company.terminate(person.id, on=YESTERDAY)
    held = harness.sync()
    decide(harness.store, held.run_id, approve=False, tenant_id=None, actor="admin@acme")
    assert events(harness)[before:] == ["sync.held"]


def test_reading_nobody_where_there_were_people_is_held(harness: Harness) -> None:
    harness.sync()
    for person in harness.sandbox.company.people():
        harness.sandbox.company.remove(person.id)
    report = harness.sync()
    assert report.status == "held"
    assert report.hold is not None
    assert "returned nobody" in report.hold


def test_a_few_leavers_are_not_held(harness: Harness) -> None:
    harness.sync()
    for person in active_people(harness, 5):
        harness.sandbox.company.terminate(person.id, on=YESTERDAY)
    assert harness.sync().status == "succeeded"


# --- staging ------------------------------------------------------------------------------------


def test_staging_delivers_only_to_staging_destinations(harness: Harness) -> None:
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session,
            harness.store.keyring,
            tenant_id=harness.tenant_id,
            url="https://prod.example/h",
            environment="production",
        )
        destinations.create_webhook(
            session,
            harness.store.keyring,
            tenant_id=harness.tenant_id,
            url="https://staging.example/h",
            environment="staging",
        )
    staged = harness.another_connection(environment="staging")
    report = staged.sync()
    assert report.counts["provision"] > 0
    with transaction(harness.store.sessions) as session:
        rows = session.scalars(select(OutboxEntry)).all()
        targets = {session.get_one(Destination, r.destination_id).environment for r in rows}
    assert targets == {"staging"}


# --- dates and tenants ---------------------------------------------------------------------


def test_today_is_the_tenants_today(harness: Harness) -> None:
    harness.sync()
    starts_tomorrow = harness.sandbox.company.hire(start_date=TODAY + timedelta(days=1))
    # 12:30 UTC on TODAY is already tomorrow in Kiritimati (UTC+14), still today in UTC.
    noon = datetime(TODAY.year, TODAY.month, TODAY.day, 12, 30, tzinfo=UTC)

    def sync_at_noon() -> SyncReport:
        options = SyncOptions(allow_loopback=True, clock=lambda: noon, sleep=lambda _s: None)
        return run_sync(harness.store, harness.connection_id, options=options)

    assert rules(sync_at_noon()) == []
    with transaction(harness.store.sessions) as session:
        session.get_one(Tenant, harness.tenant_id).timezone = "Pacific/Kiritimati"
    assert rules(sync_at_noon()) == [(ActionKind.PROVISION, starts_tomorrow.id, "joiner.active")]


def test_a_work_email_another_connection_of_the_tenant_already_has_is_a_dispute(
    harness: Harness,
) -> None:
    harness.sync()
    (taken,) = active_people(harness, 1)
    other = harness.another_connection(environment="production")
    report = other.sync()
    assert taken.id in report.needs_a_person["duplicate_work_email"]
    assert taken.id not in {a.remote_id for a in report.actions}
