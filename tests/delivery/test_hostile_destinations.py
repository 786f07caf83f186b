"""One tenant's destination, however it misbehaves, never stops the drain for the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from rostersync.delivery import deliver_due
from rostersync.net import retry_after_seconds
from rostersync.net.client import RETRY_AFTER_CEILING
from rostersync.store import Store
from rostersync.store.repos import destinations, outbox, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import Destination, OutboxEntry
from tests.conftest import hook_receiver


def _enqueue(store: Store, destination: Destination, count: int) -> None:
    with transaction(store.sessions) as session:
        for i in range(count):
            outbox.enqueue(
                session,
                store.keyring,
                destination,
                event_id=f"ev-{destination.id}-{i}",
                event_type="user.update",
                subject=f"person-{i}",
                payload={"type": "user.update", "data": {}},
                at=datetime.now(UTC),
            )


def _two_tenants(store: Store, bad_url: str, good_url: str) -> tuple[Destination, Destination]:
    with transaction(store.sessions) as session:
        mallory = tenants.create_tenant(session, "Mallory")
        acme = tenants.create_tenant(session, "Acme")
        bad, _ = destinations.create_webhook(
            session, store.keyring, tenant_id=mallory.id, url=bad_url
        )
        good, _ = destinations.create_webhook(
            session, store.keyring, tenant_id=acme.id, url=good_url
        )
    return bad, good


async def _accept(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)


def test_a_destination_the_guard_now_refuses_fails_alone(store: Store) -> None:
    """Its name passed the guard when it was created and now resolves to a private address."""
    with hook_receiver(_accept) as good_url:
        bad, good = _two_tenants(store, "https://10.0.0.1/hook", good_url)
        _enqueue(store, bad, 1)
        _enqueue(store, good, 3)
        result = deliver_due(store, allow_loopback=True)
    assert (result.delivered, result.retrying) == (3, 1)


def test_a_retry_after_past_any_date_is_taken_at_the_ceiling(store: Store) -> None:
    async def refuse(request: Request) -> Response:
        await request.body()
        return Response(status_code=503, headers={"retry-after": "300000000000"})

    with hook_receiver(refuse) as bad_url, hook_receiver(_accept) as good_url:
        bad, good = _two_tenants(store, bad_url, good_url)
        _enqueue(store, bad, 1)
        _enqueue(store, good, 3)
        result = deliver_due(store, allow_loopback=True)
    assert (result.delivered, result.retrying) == (3, 1)
    with store.sessions() as session:
        due = session.scalars(
            select(OutboxEntry.next_attempt_at).where(OutboxEntry.destination_id == bad.id)
        ).one()
    wait = due.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=23) < wait <= timedelta(seconds=RETRY_AFTER_CEILING * 1.1)


def test_retry_after_is_bounded_in_both_forms() -> None:
    assert retry_after_seconds("9" * 400) == RETRY_AFTER_CEILING
    assert retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT") == RETRY_AFTER_CEILING
    assert retry_after_seconds("120") == 120.0
