"""The outbox drained concurrently: many people in flight, each person's events in order, a
failing receiver that holds nobody else up, and two workers draining the same outbox."""

from __future__ import annotations

import asyncio
import json
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rostersync.delivery import deliver_due
from rostersync.delivery.worker import CONNECTIONS, WORKERS
from rostersync.model import DeliveryStatus
from rostersync.sandbox import ServerThread
from rostersync.services import deliveries
from rostersync.store import Store
from rostersync.store.repos import destinations, outbox, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import DeliveryAttempt, OutboxEntry
from tests.conftest import hook_receiver
from tests.net.support import one_read_receiver


@dataclass
class Arrivals:
    """What a receiver saw: every request, per person, and how many were in flight at once."""

    answers: dict[str, list[int]] = field(default_factory=dict)
    """Per event, the statuses to answer in turn; 200 once they run out."""
    seen: list[tuple[str, str, int]] = field(default_factory=list)
    """(webhook-id, event, status answered) in arrival order."""
    overlaps: list[str] = field(default_factory=list)
    """Events that arrived while an earlier one of the same person was still in flight."""
    most_in_flight: int = 0
    in_flight: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def events_of(self, person: str, status: int = 200) -> list[str]:
        return [e for _, e, s in self.seen if e.split("-")[0] == person and s == status]

    async def handle(self, request: Request) -> Response:
        event = json.loads(await request.body())["data"]["event"]
        person = event.split("-")[0]
        with self.lock:
            if person in self.in_flight:
                self.overlaps.append(event)
            self.in_flight.add(person)
            self.most_in_flight = max(self.most_in_flight, len(self.in_flight))
            queued = self.answers.get(event, [])
            status = queued.pop(0) if queued else 200
        # Some requests are slow, so later people overtake earlier ones on the wire.
        await asyncio.sleep((zlib.crc32(event.encode()) % 4) * 0.01)
        with self.lock:
            self.in_flight.discard(person)
            self.seen.append((request.headers["webhook-id"], event, status))
        return Response(status_code=status)


@pytest.fixture
def arrivals() -> Iterator[tuple[Arrivals, str]]:
    state = Arrivals()
    with hook_receiver(state.handle) as url:
        yield state, url


def _enqueue(store: Store, url: str, people: int, per_person: int) -> None:
    """Events p<who>-<n>, interleaved the way a sync writes them: person after person."""
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        destination, _ = destinations.create_webhook(
            session, store.keyring, tenant_id=tenant.id, url=url
        )
        events = [
            outbox.NewEvent(f"p{who}-{n}", "user.update", f"conn:p{who}", _payload(f"p{who}-{n}"))
            for n in range(1, per_person + 1)
            for who in range(people)
        ]
        outbox.enqueue_many(session, store.keyring, [destination], events, at=datetime.now(UTC))


def _payload(event: str) -> dict[str, object]:
    return {"type": "user.update", "data": {"event": event}}


def _in_order(per_person: int, who: int) -> list[str]:
    return [f"p{who}-{n}" for n in range(1, per_person + 1)]


def test_many_people_are_in_flight_and_each_persons_events_arrive_in_order(
    store: Store, arrivals: tuple[Arrivals, str]
) -> None:
    state, url = arrivals
    _enqueue(store, url, people=40, per_person=3)
    result = deliveries.deliver_now(store, allow_loopback=True)
    assert (result.delivered, result.remaining) == (120, 0)
    assert state.most_in_flight > 1
    assert state.overlaps == []
    for who in range(40):
        assert state.events_of(f"p{who}") == _in_order(3, who)
    assert len({webhook_id for webhook_id, _, _ in state.seen}) == 120


def test_a_round_keeps_its_connections_alive_and_sends_each_request_whole(store: Store) -> None:
    # Requests written in two parts stalled each POST on a delayed ACK (Nagle's algorithm):
    # a round of 1,000 idled about 5 s though every request was answered at once.
    with one_read_receiver() as receiver:
        _enqueue(store, receiver.url, people=100, per_person=2)
        result = deliveries.deliver_now(store, allow_loopback=True)
    assert (result.delivered, result.remaining) == (200, 0)
    assert len(receiver.bodies) == 200
    assert receiver.split == 0
    assert receiver.connections <= CONNECTIONS


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_drains_at_once_never_share_a_lease_nor_reorder_a_person(
    store: Store, arrivals: tuple[Arrivals, str]
) -> None:
    state, url = arrivals
    people, per_person = 30, 3
    _enqueue(store, url, people, per_person)
    # Some first attempts fail, so a person's later events wait behind a retry.
    state.answers = {f"p{who}-1": [503] for who in range(0, people, 4)}
    state.answers |= {f"p{who}-2": [500] for who in range(1, people, 5)}
    clock = Clock()
    for _ in range(4):
        start = threading.Barrier(2)

        def drain(start: threading.Barrier) -> None:
            start.wait()
            deliver_due(store, allow_loopback=True, clock=clock, limit=None)

        workers = [threading.Thread(target=drain, args=(start,)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        clock.now += timedelta(minutes=10)  # past the first retry, well within every lease

    assert state.overlaps == []
    delivered = [webhook_id for webhook_id, _, status in state.seen if status == 200]
    assert len(delivered) == len(set(delivered)) == people * per_person
    for who in range(people):
        assert state.events_of(f"p{who}") == _in_order(per_person, who)
    with transaction(store.sessions) as session:
        attempts = session.scalars(select(DeliveryAttempt)).all()
        assert len(attempts) == len(state.seen)  # each request was one worker's attempt
        statuses = set(session.scalars(select(OutboxEntry.status)))
    assert statuses == {DeliveryStatus.DELIVERED}


@pytest.mark.parametrize(
    "store", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_an_entry_another_worker_holds_still_keeps_its_persons_next_one_back(
    store: Store, arrivals: tuple[Arrivals, str]
) -> None:
    _, url = arrivals
    _enqueue(store, url, people=1, per_person=2)
    now = datetime.now(UTC)
    with store.engine.connect() as other_worker:
        # Another worker is in the middle of a transaction on p0-1 (recording its outcome).
        other_worker.execute(
            text("SELECT sequence FROM outbox ORDER BY sequence LIMIT 1 FOR UPDATE")
        )
        with transaction(store.sessions) as session:
            claimed = outbox.claim_due(session, store.keyring, now=now, lease=timedelta(minutes=2))
        assert claimed == []
        other_worker.rollback()
    with transaction(store.sessions) as session:
        claimed = outbox.claim_due(session, store.keyring, now=now, lease=timedelta(minutes=2))
    assert [json.loads(entry.body)["data"]["event"] for entry in claimed] == ["p0-1"]


@dataclass
class Stalling:
    """Receivers that hold every request until the healthy one has had all its events."""

    healthy_done: threading.Event = field(default_factory=threading.Event)
    answered_after_healthy: list[bool] = field(default_factory=list)

    async def handle(self, request: Request) -> Response:
        await request.body()
        for _ in range(500):  # at most 5 s
            if self.healthy_done.is_set():
                break
            await asyncio.sleep(0.01)
        self.answered_after_healthy.append(self.healthy_done.is_set())
        return Response(status_code=503)


def test_stalling_destinations_hold_no_other_and_their_retries_keep_their_schedule(
    store: Store,
) -> None:
    healthy = Arrivals()
    stalling = Stalling()
    events, stalled_destinations, stalled_events = 30, 5, CONNECTIONS
    # More stalled requests than the pool has threads, were each destination sent its fill.
    assert stalled_destinations * stalled_events > WORKERS

    async def healthy_handle(request: Request) -> Response:
        response = await healthy.handle(request)
        if len(healthy.seen) == events:
            stalling.healthy_done.set()
        return response

    app = Starlette(
        routes=[
            Route("/stalls", stalling.handle, methods=["POST"]),
            Route("/hook", healthy_handle, methods=["POST"]),
        ]
    )
    with ServerThread(app, probe_path="/") as server:
        clock = Clock()
        with transaction(store.sessions) as session:
            tenant = tenants.create_tenant(session, "Acme")
            # The stalling destinations' events come first in the outbox.
            targets = [("/stalls", f"s{d}", stalled_events) for d in range(stalled_destinations)]
            for path, prefix, count in [*targets, ("/hook", "p", events)]:
                destination, _ = destinations.create_webhook(
                    session, store.keyring, tenant_id=tenant.id, url=f"{server.base_url}{path}"
                )
                batch = [
                    outbox.NewEvent(f"{prefix}-{n}", "user.update", f"c:{n}", _payload(f"p{n}-1"))
                    for n in range(count)
                ]
                outbox.enqueue_many(session, store.keyring, [destination], batch, at=clock.now)
        result = deliver_due(store, allow_loopback=True, clock=clock, limit=None, timeout=10)
    stalled = stalled_destinations * stalled_events
    assert (result.delivered, result.retrying) == (events, stalled)
    assert stalling.answered_after_healthy == [True] * stalled
    with transaction(store.sessions) as session:
        waiting = session.scalars(
            select(OutboxEntry).where(OutboxEntry.status == DeliveryStatus.PENDING)
        ).all()
    assert len(waiting) == stalled
    # The first retry of the schedule is 5 s away, jittered by a tenth.
    assert all(entry.next_attempt_at >= clock.now + timedelta(seconds=4.5) for entry in waiting)
