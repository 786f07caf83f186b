"""The change feed (`/api/v1/events`) and a connection's sync status, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from rostersync.delivery import deliver_due
from rostersync.sandbox import PersonStatus
from rostersync.store.repos import destinations
from rostersync.store.session import transaction
from rostersync.store.tables import OutboxEntry
from tests.api.conftest import Api
from tests.conftest import TODAY, hook_receiver


async def _accept(_request: Request) -> Response:
    return Response(status_code=204)


@pytest.fixture
def receiver_url() -> Iterator[str]:
    with hook_receiver(_accept) as url:
        yield url


def _synced_and_delivered(api: Api, url: str) -> list[str]:
    harness = api.harness
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url=url
        )
    assert harness.sync().status == "succeeded"
    deliver_due(harness.store, allow_loopback=True, limit=20)
    with transaction(harness.store.sessions) as session:
        return [e.id for e in session.scalars(select(OutboxEntry).order_by(OutboxEntry.sequence))]


def test_the_feed_lists_events_in_order_with_their_delivery_state(
    api: Api, receiver_url: str
) -> None:
    written = _synced_and_delivered(api, receiver_url)
    assert len(written) > 20
    seen: list[dict[str, object]] = []
    cursor = 0
    with api.client(api.tenant_key) as client:
        while True:
            page = client.get("/api/v1/events", params={"cursor": cursor, "limit": 7}).json()
            if not page["events"]:
                assert page["next_cursor"] == cursor
                break
            seen.extend(page["events"])
            cursor = page["next_cursor"]
            assert cursor == page["events"][-1]["sequence"]
    assert [e["webhook_id"] for e in seen] == written
    sequences = [e["sequence"] for e in seen]
    assert sequences == sorted(set(sequences))
    first = seen[0]
    assert first["type"] == first["event"]["type"]  # type: ignore[index]
    assert first["event"]["data"]["tenant_id"] == api.harness.tenant_id  # type: ignore[index]
    statuses = [e["status"] for e in seen]
    assert statuses[:20] == ["delivered"] * 20
    assert set(statuses[20:]) == {"pending"}
    assert all(e["delivered_at"] for e in seen[:20])
    assert all(e["delivered_at"] is None for e in seen[20:])


def test_the_feed_is_tenant_scoped(api: Api, receiver_url: str) -> None:
    written = _synced_and_delivered(api, receiver_url)
    with api.client(api.other_key) as other:
        own = other.get("/api/v1/events")
        assert own.status_code == 200
        assert own.json()["events"] == []
        assert api.harness.tenant_id not in own.text
        aimed = other.get("/api/v1/events", params={"tenant_id": api.harness.tenant_id})
        assert aimed.status_code == 404
    with api.client(api.admin_key) as admin:
        everything = admin.get("/api/v1/events", params={"limit": 500}).json()["events"]
        assert [e["webhook_id"] for e in everything] == written
        only_b = admin.get("/api/v1/events", params={"tenant_id": api.other_tenant_id})
        assert only_b.json()["events"] == []


def _status(api: Api, key: str) -> dict[str, object]:
    with api.client(key) as client:
        answer = client.get(f"/api/v1/connections/{api.harness.connection_id}/sync-status")
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _model(body: dict[str, object], name: str = "Employee") -> dict[str, object]:
    results = body["results"]
    assert isinstance(results, list)
    assert [r["model_name"] for r in results] == ["Employee", "Group", "Location"]
    found: dict[str, object] = next(r for r in results if r["model_name"] == name)
    return found


def test_sync_status_follows_the_connection(api: Api) -> None:
    harness = api.harness
    before = _model(_status(api, api.tenant_key))
    assert before["status"] == "SYNCING"
    assert before["is_initial_sync"] is True
    assert before["last_sync_start"] is None

    assert harness.sync(dry_run=True).status == "previewed"
    assert _model(_status(api, api.tenant_key))["last_sync_start"] is None  # previews do not count

    assert harness.sync().status == "succeeded"
    done = _model(_status(api, api.tenant_key), "Location")
    assert done["status"] == "DONE"
    assert done["last_sync_result"] == "DONE"
    assert done["is_initial_sync"] is False
    assert done["reason"] is None
    finished = datetime.fromisoformat(str(done["last_sync_finished"]))
    fresh = datetime.fromisoformat(str(done["data_fresh_as_of"]))
    next_start = datetime.fromisoformat(str(done["next_sync_start"]))
    assert next_start == fresh + timedelta(seconds=900)
    assert finished >= datetime.fromisoformat(str(done["last_sync_start"]))

    harness.sandbox.faults.revoke_credentials()
    assert harness.sync().status == "failed"
    failed = _model(_status(api, api.tenant_key))
    assert failed["status"] == "FAILED"
    assert "401" in str(failed["reason"])
    assert failed["next_sync_start"] is None

    with api.client(api.tenant_key) as client:
        client.post(f"/api/v1/connections/{harness.connection_id}/disconnect")
    disabled = _status(api, api.tenant_key)
    assert disabled["connection_status"] == "disconnected"
    assert _model(disabled)["status"] == "DISABLED"


def test_sync_status_of_another_tenants_connection_is_404(api: Api) -> None:
    with api.client(api.other_key) as other:
        answer = other.get(f"/api/v1/connections/{api.harness.connection_id}/sync-status")
    assert answer.status_code == 404


def test_a_held_connection_promises_no_next_sync(api: Api) -> None:
    """The scheduler starts nothing while a run is held, even after a later run failed on it."""
    harness = api.harness
    assert harness.sync().status == "succeeded"
    company = harness.sandbox.company
    active = [p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email]
    for person in active[:12]:
        company.terminate(person.id, on=TODAY - timedelta(days=1))
    assert harness.sync().status == "held"
    assert harness.sync().error_code == "run_held"
    blocked = _model(_status(api, api.tenant_key))
    assert blocked["next_sync_start"] is None
