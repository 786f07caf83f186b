"""A leaver's deprovision event keeps the department, manager and location the vendor blanked
on termination: the product can still tell whose team and office lost a person."""

from __future__ import annotations

from datetime import timedelta

from rostersync.model import ActionKind
from rostersync.sandbox import PersonStatus
from rostersync.store.repos import destinations, outbox
from rostersync.store.session import transaction
from tests.conftest import TODAY, Harness


def test_a_leaver_keeps_their_last_department_in_the_deprovision_event(harness: Harness) -> None:
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url="https://e.x/h"
        )
    harness.sync()
    company = harness.sandbox.company
    managers = {p.manager_id for p in company.people()}
    leaver = next(
        p
        for p in company.people()
        if p.status is PersonStatus.ACTIVE
        and p.work_email
        and p.manager_id
        and p.id not in managers
    )
    # One step: terminated, and the vendor blanks their department, manager and site on it.
    company.terminate(leaver.id, on=TODAY - timedelta(days=1))
    harness.sandbox.faults.hide_fields(
        "work.department", "work.manager", "work.siteId", record_ids=[leaver.id]
    )
    report = harness.sync()

    assert [(a.kind, a.remote_id) for a in report.actions] == [(ActionKind.DEPROVISION, leaver.id)]
    with transaction(harness.store.sessions) as session:
        entries = outbox.feed(
            session, harness.store.keyring, tenant_id=harness.tenant_id, after=0, limit=1000
        )
    (body,) = [e.body for e in entries if e.event_type == "user.deprovision"]
    employee = body["data"]["employee"]
    assert employee["group_ids"] == [leaver.department_id]
    assert employee["manager_remote_id"] == leaver.manager_id
    assert employee["location_id"] == leaver.site_id
