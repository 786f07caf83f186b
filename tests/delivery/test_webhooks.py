"""Outbox to a real receiver over HTTP: Standard Webhooks signatures, retries, order, 410."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook
from starlette.requests import Request
from starlette.responses import Response

from rostersync.delivery import deliver_due
from rostersync.services import deliveries
from rostersync.store import Store
from rostersync.store.repos import audit, destinations, outbox, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import DeliveryAttempt, Destination, OutboxEntry
from tests.conftest import hook_receiver


@dataclass
class Receiver:
    """A product stand-in that verifies every delivery with the standardwebhooks library."""

    answers: list[int] = field(default_factory=list)
    """Statuses to answer, in order; 200 once they run out. 0 means: hang past the timeout."""
    received: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    secret: str = ""
    failure_headers: dict[str, str] = field(default_factory=dict)
    """Sent with every answer that is not a 200, e.g. Retry-After."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        body = Webhook(self.secret).verify(raw, dict(request.headers))
        with self.lock:
            status = self.answers.pop(0) if self.answers else 200
        if status == 0:
            await asyncio.sleep(1.5)
            return Response(status_code=200)  # too late: the sender has given up
        with self.lock:
            if status == 200:
                self.received.append((request.headers["webhook-id"], body))
                return Response(status_code=status)
        return Response(status_code=status, headers=self.failure_headers)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()
    with hook_receiver(state.handle) as url:
        yield state, url


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _setup(store: Store, url: str, receiver: Receiver, events: list[tuple[str, str]]) -> None:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        destination, secret = destinations.create_webhook(
            session, store.keyring, tenant_id=tenant.id, url=url
        )
        receiver.secret = secret
        for event_id, subject in events:
            outbox.enqueue(
                session,
                store.keyring,
                destination,
                event_id=event_id,
                event_type="user.update",
                subject=subject,
                payload={"type": "user.update", "data": {"event": event_id}},
                at=datetime.now(UTC),
            )


def test_events_arrive_signed_once_and_in_order_after_failures(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada"), ("b1", "bob"), ("a2", "ada"), ("a3", "ada")])
    state.answers = [503, 500, 503]
    clock = Clock()
    for _ in range(12):
        deliver_due(store, allow_loopback=True, clock=clock)
        clock.now += timedelta(hours=1)
    events = [body["data"]["event"] for _, body in state.received]  # type: ignore[index]
    assert sorted(events) == ["a1", "a2", "a3", "b1"]
    assert [e for e in events if e.startswith("a")] == ["a1", "a2", "a3"]
    ids = [webhook_id for webhook_id, _ in state.received]
    assert len(set(ids)) == len(ids)
    with transaction(store.sessions) as session:
        entries = session.query(OutboxEntry).all()
        assert {e.status for e in entries} == {"delivered"}
        assert sum(e.attempts for e in entries) == 4 + 3


@pytest.mark.parametrize("form", ["delta-seconds", "HTTP-date"])
def test_a_receivers_retry_after_is_honoured_in_either_form(
    store: Store, receiver: tuple[Receiver, str], form: str
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    clock = Clock()
    wait = timedelta(hours=3)  # well past the first retry of the schedule (5 s)
    state.answers = [503]
    state.failure_headers = {
        "Retry-After": str(int(wait.total_seconds()))
        if form == "delta-seconds"
        else format_datetime(datetime.now(UTC) + wait, usegmt=True)
    }
    assert deliver_due(store, allow_loopback=True, clock=clock).retrying == 1
    with transaction(store.sessions) as session:
        entry = session.query(OutboxEntry).one()
        assert entry.next_attempt_at >= clock.now + wait - timedelta(minutes=1)


def test_a_410_disables_the_destination(store: Store, receiver: tuple[Receiver, str]) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    state.answers = [410]
    result = deliver_due(store, allow_loopback=True)
    assert result.failed == 1
    with transaction(store.sessions) as session:
        assert session.query(Destination).one().enabled is False


def test_redelivery_after_a_crash_reuses_the_webhook_id(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    clock = Clock()
    with transaction(store.sessions) as session:
        # A worker claimed the entry, sent it, then died before recording the outcome.
        (claimed,) = outbox.claim_due(
            session, store.keyring, now=clock.now, lease=timedelta(minutes=2)
        )
    clock.now += timedelta(minutes=5)
    deliver_due(store, allow_loopback=True, clock=clock)
    assert [webhook_id for webhook_id, _ in state.received] == [claimed.id]
    assert json.loads(claimed.body)["data"]["event"] == "a1"


def test_during_a_rotation_both_secrets_verify(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    old_secret = state.secret
    with transaction(store.sessions) as session:
        destination = session.query(Destination).one()
        new_secret = destinations.rotate_secret(
            store.keyring, destination, overlap=timedelta(hours=24), now=datetime.now(UTC)
        )
    # The receiver still only knows the old secret: it keeps verifying during the overlap.
    assert deliver_due(store, allow_loopback=True).delivered == 1
    _enqueue_more(store, "a2", "ada")
    state.secret = new_secret
    assert deliver_due(store, allow_loopback=True).delivered == 1
    assert len(state.received) == 2
    assert old_secret != new_secret
    # After the overlap only the new secret signs.
    _enqueue_more(store, "a3", "ada")
    state.secret = old_secret
    later = Clock()
    later.now += timedelta(hours=25)
    deliver_due(store, allow_loopback=True, clock=later)
    assert len(state.received) == 2


def test_an_endpoint_failing_for_days_is_disabled_and_the_tenant_told(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    state.answers = [500] * 20
    clock = Clock()
    for _ in range(12):
        deliver_due(store, allow_loopback=True, clock=clock)
        clock.now += timedelta(days=1)
    with transaction(store.sessions) as session:
        assert session.query(Destination).one().enabled is False
        (entry,) = session.query(OutboxEntry).all()
        assert entry.status == "failed"
        assert entry.attempts == 10
        reasons = [
            e.details["reason"]
            for e in audit.list_events(session, tenant_id=entry.tenant_id)
            if e.action == "destination.disabled"
        ]
    assert reasons == ["every retry failed for about three days"]


def test_failed_entries_are_replayed_with_the_same_webhook_id(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada")])
    state.answers = [410]
    deliver_due(store, allow_loopback=True)
    with transaction(store.sessions) as session:
        (entry,) = session.query(OutboxEntry).all()
        entry_id = entry.id
        session.query(Destination).one().enabled = True
        assert (
            outbox.replay(session, tenant_id=None, entry_ids=[entry_id], now=datetime.now(UTC)) == 1
        )
    assert deliver_due(store, allow_loopback=True).delivered == 1
    assert [webhook_id for webhook_id, _ in state.received] == [entry_id]


def _enqueue_more(store: Store, event_id: str, subject: str) -> None:
    with transaction(store.sessions) as session:
        destination = session.query(Destination).one()
        outbox.enqueue(
            session,
            store.keyring,
            destination,
            event_id=event_id,
            event_type="user.update",
            subject=subject,
            payload={"type": "user.update", "data": {"event": event_id}},
            at=datetime.now(UTC),
        )


def test_a_receiver_that_times_out_gets_the_event_again_with_the_same_id(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    _setup(store, url, state, [("a1", "ada"), ("a2", "ada")])
    state.answers = [0]
    clock = Clock()
    first = deliver_due(store, allow_loopback=True, clock=clock, timeout=0.5)
    assert first.retrying == 1
    assert state.received == []
    for _ in range(3):
        clock.now += timedelta(minutes=10)
        deliver_due(store, allow_loopback=True, clock=clock, timeout=0.5)
    assert [body["data"]["event"] for _, body in state.received] == ["a1", "a2"]  # type: ignore[index]
    with transaction(store.sessions) as session:
        attempts = session.query(DeliveryAttempt).order_by(DeliveryAttempt.id).all()
        assert [a.status_code for a in attempts] == [None, 200, 200]
        assert "no answer within 0.5 s" in (attempts[0].error or "")


def test_deliver_now_sends_everything_due_past_one_round_or_stops_at_its_limit(
    store: Store, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    # 600 people, two events each: more than a round claims, and each person's second event
    # is due only once their first is sent.
    events = [(f"{who}-{n}", f"p{who}") for n in (1, 2) for who in range(600)]
    _setup(store, url, state, events)
    first = deliveries.deliver_now(store, allow_loopback=True, limit=250)
    assert (first.delivered, first.remaining) == (250, 950)
    rest = deliveries.deliver_now(store, allow_loopback=True)
    assert (rest.delivered, rest.failed, rest.remaining) == (950, 0, 0)
    assert len({webhook_id for webhook_id, _ in state.received}) == 1200
    order = [
        body["data"]["event"]
        for _, body in state.received
        if body["data"]["event"].startswith("7-")
    ]  # type: ignore[index]
    assert order == ["7-1", "7-2"]
