"""Revocation from both sides: the vendor's 401, and our disconnect with a purge."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rostersync.engine import NotHeld
from rostersync.sandbox import PersonStatus
from rostersync.services import links as connect_links
from rostersync.services.approvals import decide
from rostersync.store.repos import audit, connections, destinations, runs
from rostersync.store.session import transaction
from rostersync.store.tables import OrgGroup, OutboxEntry, Person, WorkLocation
from tests.api.conftest import Api
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, database_text


def _count(api: Api, table: type) -> int:
    with transaction(api.harness.store.sessions) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_disconnect_deletes_credentials_and_purges_people_data(api: Api) -> None:
    harness = api.harness
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url="https://e.x/h"
        )
    assert harness.sync().status == "succeeded"
    assert _count(api, Person) > 0
    assert _count(api, OutboxEntry) > 0

    with api.client(api.tenant_key) as client:
        answer = client.post(f"/api/v1/connections/{harness.connection_id}/disconnect")
        assert answer.status_code == 204
        shown = client.get(f"/api/v1/connections/{harness.connection_id}").json()
        assert shown["status"] == "disconnected"

    for table in (Person, OrgGroup, WorkLocation):
        assert _count(api, table) == 0, table.__tablename__
    with transaction(harness.store.sessions) as session:
        # Events about people are gone; connection events (ids and counts only) stay.
        left = session.scalars(select(OutboxEntry.subject)).all()
    assert left
    assert all(subject == harness.connection_id for subject in left)
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.credentials is None
        (event,) = [
            e
            for e in audit.list_events(session, tenant_id=harness.tenant_id)
            if e.action == "connection.disconnected"
        ]
        assert event.actor.startswith("api-key:")
        assert event.target == harness.connection_id
    again = harness.sync()
    assert again.status == "failed"
    assert again.error_code == "connection_not_active"


def test_a_401_tells_the_product_and_deprovisions_nobody(api: Api) -> None:
    harness = api.harness
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url="https://e.x/h"
        )
    harness.sync()
    harness.sandbox.faults.revoke_credentials()
    report = harness.sync()
    assert report.error_code == "auth_revoked"
    with transaction(harness.store.sessions) as session:
        events = [e.event_type for e in session.scalars(select(OutboxEntry))]
    assert events.count("connection.needs_reauth") == 1
    assert "user.deprovision" not in events
    with api.client(api.tenant_key) as client:
        shown = client.get(f"/api/v1/connections/{harness.connection_id}").json()
    assert shown["status"] == "needs_reauth"
    assert "401" in shown["status_reason"]


def test_disconnect_revokes_links_and_discards_held_runs(api: Api) -> None:
    """Issue 10, point 3: a reconnect link issued before a disconnect kept working after it,
    and held runs kept their plans (names) and could be approved back into the database."""
    harness, store = api.harness, api.harness.store
    harness.sync()
    leavers = [p for p in harness.sandbox.company.people() if p.status is PersonStatus.ACTIVE]
    for person in leavers[:12]:
        harness.sandbox.company.terminate(person.id, on=TODAY - timedelta(days=1))
    held = harness.sync()
    assert held.status == "held"
    link = connect_links.issue_link(
        store,
        tenant_id=harness.tenant_id,
        environment="production",
        lifetime=timedelta(days=1),
        actor="test",
        reconnect=harness.connection_id,
    )
    with api.client(api.tenant_key) as client:
        answer = client.post(f"/api/v1/connections/{harness.connection_id}/disconnect")
        assert answer.status_code == 204
        page = client.get(f"/connect/{link.token}")
    assert page.status_code == 410
    assert "withdrawn" in page.text
    with pytest.raises(connect_links.LinkUnavailable):
        connect_links.complete(
            store,
            link_id=link.id,
            provider="hibob",
            credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
            base_url=harness.sandbox.base_url,
            allow_loopback=True,
        )
    with pytest.raises(NotHeld):
        decide(store, held.run_id, approve=True, tenant_id=None, actor="admin")
    assert _count(api, Person) == 0
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.status == "disconnected"
        run = runs.get_run(session, held.run_id, tenant_id=None)
        assert (run.status, run.held_plan) == ("rejected", None)
    everything = database_text(store)
    names = {p.last_name for p in harness.sandbox.company.people() if len(p.last_name) >= 8}
    assert names
    assert not [name for name in names if name in everything]
