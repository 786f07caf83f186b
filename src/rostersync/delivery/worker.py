"""Drain the outbox: claim due entries in batches, send them concurrently, record the
outcomes in batches, until nothing is due or a limit is reached.

Claim, send and record stay separate transactions on purpose: a worker that dies after
sending but before recording leaves the entries leased; when the lease expires they are sent
again with the same webhook-id, which receivers use to drop the duplicate (at-least-once).

Threads, not asyncio: the store's sessions, the guarded transport (it pins every connection
to the address the host guard approved, on httpcore's sync backend) and the SCIM client are
synchronous, and the time per event is mostly waiting on the receiver, which threads overlap
as well as an event loop would. Each destination is a lane: one keep-alive client, at most
CONNECTIONS runs in flight, a backlog of claimed entries. A run is up to SEND_RUN entries one
thread sends one after another on one connection: handing each request to a thread and its
outcome back cost more CPU than the request itself. A slow or failing destination fills its
own lane and at most CONNECTIONS of the WORKERS threads, so the others keep going.
Order per person needs nothing here: claim_due hands out a person's next entry only once the
previous one is delivered or failed, so no person ever has two entries in flight.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from rostersync.delivery import scim_scope, webhooks
from rostersync.model import DestinationKind
from rostersync.net import NetError
from rostersync.store import Store
from rostersync.store.repos import audit, destinations, outbox
from rostersync.store.session import transaction
from rostersync.store.tables import DeliveryAttempt, Destination

log = logging.getLogger("rostersync.delivery")

RETRY_SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
)
"""After the n-th failed attempt wait RETRY_SCHEDULE[n-1] (about three days in all)."""
LEASE = timedelta(minutes=2)
"""How long a claimed entry may wait in its lane before being sent; the lease itself is this
plus the longest one request may take."""
DELIVERED, RETRYING, FAILED, SKIPPED = "delivered", "retrying", "failed", "skipped"

WORKERS = 32
"""Requests in flight at once, all destinations together. A destination that has not yet
answered well has one, so many must be failing at once before a healthy one waits."""
CONNECTIONS = 8
"""Requests in flight to one webhook receiver: its keep-alive pool. SCIM servers get one, since
a SCIM round keeps state (discovery, managers to link later) and some servers serialise."""
SEND_RUN = 25
"""Entries a thread sends in a row to a lane that answers well (one to any other lane). A run
ends at its first entry not delivered; what is left of it goes back to the lane."""
CLAIM_BATCH = 1000
"""Entries one claim transaction leases; a lane holding this many is left out of the next. A
claim costs about the same whatever it finds (it reads every due entry), so claims are big,
and a lane is refilled once it has sent half of it."""
RECORD_BATCH = 1000
"""Outcomes one record transaction writes (each commit costs a sync to disk on SQLite)."""
TICK = 0.2
"""Seconds between records while requests are in flight: a person's next entry is claimable
only once the previous outcome is recorded."""
CLAIM_TICK = 1.0
"""Seconds between claims while every lane is stocked: other destinations may have come due."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def next_attempt(attempts_made: int, now: datetime, retry_after: float | None) -> datetime | None:
    """When to try again after `attempts_made` failures, or None when the schedule is spent."""
    if attempts_made > len(RETRY_SCHEDULE):
        return None
    wait = RETRY_SCHEDULE[attempts_made - 1]
    jittered = wait * random.uniform(0.9, 1.1)  # noqa: S311 - spreading load, not a secret
    if retry_after is not None:
        jittered = max(jittered, timedelta(seconds=retry_after))
    return now + jittered


@dataclass(frozen=True)
class DrainResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    """Entries the destination does not take: types outside its options.event_types, and
    connection events for a SCIM server."""


def deliver_due(
    store: Store,
    *,
    allow_loopback: bool,
    clock: Callable[[], datetime] = utcnow,
    limit: int | None = 100,
    timeout: float = 15.0,
    on_recorded: Callable[[int], None] = lambda _handled: None,
) -> DrainResult:
    """Send what is due now, a person's next entry as soon as the previous one is delivered,
    until nothing is due or `limit` entries were handled (None: no limit). A receiver slower
    than `timeout` seconds counts as a failure. `on_recorded` is told how many entries each
    recorded batch settled (a front-end's progress)."""
    with _Drain(
        store,
        allow_loopback=allow_loopback,
        clock=clock,
        timeout=timeout,
        on_recorded=on_recorded,
    ) as drain:
        return drain.run(limit)


_DISABLED = webhooks.Outcome(False, None, "the destination is disabled", final=True)


@dataclass
class _Lane:
    """One destination for one drain: where and how to send, and what is queued for it."""

    destination: Destination
    connections: int
    send: Callable[[outbox.ClaimedEntry], webhooks.Outcome]
    finish: Callable[[], None] | None = None
    """SCIM's second pass, once everything of the drain was sent."""
    queue: deque[_Claim] = field(default_factory=deque)
    runs: int = 0
    """Runs in flight: the connections in use."""
    in_flight: int = 0
    """Entries in those runs."""
    enabled: bool = True
    healthy: bool = False
    """Its last request was delivered. Until then (a new lane, or a receiver that fails or
    times out) one run of one request at a time: a receiver that is down holds one thread."""
    exhausted: bool = False
    """The last claim found nothing more for it; a record of its own may change that."""

    @property
    def load(self) -> int:
        return len(self.queue) + self.in_flight

    @property
    def has_room(self) -> bool:
        return self.runs < (self.connections if self.healthy else 1)


@dataclass(frozen=True, slots=True)
class _Claim:
    entry: outbox.ClaimedEntry
    send_by: float
    """time.monotonic() past which sending could outlast the lease: give it back instead."""


@dataclass(frozen=True, slots=True)
class _Done:
    entry: outbox.ClaimedEntry
    lane: _Lane
    outcome: webhooks.Outcome | None
    """None: released unsent, its lease too near its end."""
    at: datetime
    elapsed_ms: int | None = None
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class _Sent:
    """What one run did: an outcome per entry it got to, and the entries it left unsent."""

    done: list[_Done]
    unsent: list[_Claim]


class _Drain:
    def __init__(
        self,
        store: Store,
        *,
        allow_loopback: bool,
        clock: Callable[[], datetime],
        timeout: float,
        on_recorded: Callable[[int], None],
    ) -> None:
        self._store = store
        self._on_recorded = on_recorded
        self._allow_loopback = allow_loopback
        self._clock = clock
        self._timeout = timeout
        # Connect, write and read each have `timeout`: a request started by the lane's
        # deadline ends before its lease does, so no other worker sends it meanwhile.
        self._request_time = timedelta(seconds=3 * timeout)
        self._lanes: dict[str, _Lane] = {}
        self._running: dict[Future[_Sent], _Lane] = {}
        self._finished: list[_Done] = []
        self._tally = {DELIVERED: 0, RETRYING: 0, FAILED: 0, SKIPPED: 0}
        self._claimed = 0
        self._last_claim = self._last_record = time.monotonic()
        self._scope = ExitStack()
        self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="rostersync-deliver")

    def __enter__(self) -> _Drain:
        return self

    def __exit__(self, *exc: object) -> None:
        # Whatever is still running finishes; on an error its outcome is left unrecorded,
        # so the lease runs out and the entry is sent again with the same id.
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._scope.close()

    def run(self, limit: int | None) -> DrainResult:
        while True:
            if self._should_claim(limit):
                self._claim(limit)
            self._dispatch()
            if self._running:
                done, _ = wait(self._running, timeout=TICK, return_when=FIRST_COMPLETED)
                self._collect(done)
                if len(self._finished) >= RECORD_BATCH or self._since(self._last_record) >= TICK:
                    self._record()
                continue
            if self._finished:
                self._record()  # may make a person's next entry due
                continue
            if self._left(limit) == 0 or self._claim(limit) == 0:
                break
        for lane in self._lanes.values():
            if lane.finish is not None:
                lane.finish()
        return DrainResult(*(self._tally[k] for k in (DELIVERED, RETRYING, FAILED, SKIPPED)))

    # --- claiming -----------------------------------------------------------------------

    def _left(self, limit: int | None) -> int:
        return CLAIM_BATCH if limit is None else max(0, limit - self._claimed)

    def _should_claim(self, limit: int | None) -> bool:
        if self._left(limit) == 0:
            return False
        if self._since(self._last_claim) >= CLAIM_TICK:
            return True
        return any(_wants_more(lane) for lane in self._lanes.values())

    def _claim(self, limit: int | None) -> int:
        wanted = min(CLAIM_BATCH, self._left(limit))
        full = [d for d, lane in self._lanes.items() if lane.load >= CLAIM_BATCH]
        with transaction(self._store.sessions) as session:
            claimed = outbox.claim_due(
                session,
                self._store.keyring,
                now=self._clock(),
                lease=LEASE + self._request_time,
                limit=wanted,
                skip_destinations=full,
            )
            for entry in claimed:
                if entry.destination_id not in self._lanes:
                    self._lanes[entry.destination_id] = self._open_lane(session, entry)
        send_by = time.monotonic() + LEASE.total_seconds()
        for lane in self._lanes.values():
            # Below half and given nothing: no more is due for it until it records something.
            lane.exhausted = lane.exhausted or lane.load < CLAIM_BATCH // 2
        for entry in claimed:
            lane = self._lanes[entry.destination_id]
            lane.queue.append(_Claim(entry, send_by))
            lane.exhausted = False
        self._claimed += len(claimed)
        self._last_claim = time.monotonic()
        return len(claimed)

    def _open_lane(self, session: Session, entry: outbox.ClaimedEntry) -> _Lane:
        destination = session.get_one(Destination, entry.destination_id)
        keyring = self._store.keyring
        url = destinations.target_url(keyring, destination)
        secrets = destinations.signing_secrets(keyring, destination, now=self._clock())
        if destination.kind == DestinationKind.SCIM:
            from rostersync.delivery import scim  # lazily: see scim_scope

            target = self._scope.enter_context(
                scim.scim_target(
                    url,
                    secrets[0],
                    options=destination.options,
                    groups_of=_group_lookup(self._store, destination.tenant_id),
                    allow_loopback=self._allow_loopback,
                )
            )
            return _Lane(
                destination,
                connections=1,
                send=lambda claimed: target.deliver(claimed.event_type, claimed.body),
                finish=target.finish,
                enabled=destination.enabled,
            )
        try:
            client = self._scope.enter_context(
                webhooks.webhook_client(
                    url, allow_loopback=self._allow_loopback, timeout=self._timeout
                )
            )
        except NetError as exc:
            # The guard refuses the destination now (its name moved to a private address, or
            # no longer resolves): a failed delivery of that destination's own, retried on its
            # schedule, never an error that stops the drain for every other tenant.
            refused = webhooks.Outcome(False, None, str(exc))
            return _Lane(destination, 1, lambda _claimed: refused, enabled=destination.enabled)
        signer = webhooks.Signer(secrets)

        def post(claimed: outbox.ClaimedEntry) -> webhooks.Outcome:
            body = webhook_body(destination, claimed.body)
            return webhooks.post(client, signer=signer, message_id=claimed.id, body=body)

        return _Lane(destination, CONNECTIONS, post, enabled=destination.enabled)

    # --- sending ------------------------------------------------------------------------

    def _dispatch(self) -> None:
        for lane in self._lanes.values():
            while lane.queue and lane.has_room:
                run = self._next_run(lane)
                if run:
                    lane.runs += 1
                    lane.in_flight += len(run)
                    self._running[self._pool.submit(self._send, lane, run)] = lane

    def _next_run(self, lane: _Lane) -> list[_Claim]:
        """The lane's next entries to send, as many as it may have in a row; those it does not
        take (disabled, or a type it does not want) are settled on the way."""
        size = SEND_RUN if lane.healthy else 1
        run: list[_Claim] = []
        while lane.queue and len(run) < size:
            claim = lane.queue.popleft()
            if not lane.enabled:
                self._finished.append(_Done(claim.entry, lane, _DISABLED, self._clock()))
            elif not _takes(lane.destination, claim.entry.event_type):
                self._finished.append(_Done(claim.entry, lane, None, self._clock(), skipped=True))
            else:
                run.append(claim)
        return run

    def _send(self, lane: _Lane, run: list[_Claim]) -> _Sent:
        """On a pool thread: the run's requests one after another, no store access. It stops
        at the first not delivered, so a receiver that starts failing is sent no more than
        its lane now allows."""
        done: list[_Done] = []
        for index, claim in enumerate(run):
            entry = claim.entry
            if time.monotonic() > claim.send_by:
                done.append(_Done(entry, lane, None, self._clock()))
                continue
            started = time.monotonic()
            outcome = lane.send(entry)
            elapsed_ms = round((time.monotonic() - started) * 1000)
            done.append(_Done(entry, lane, outcome, self._clock(), elapsed_ms))
            if not outcome.delivered:
                return _Sent(done, run[index + 1 :])
        return _Sent(done, [])

    def _collect(self, finished: set[Future[_Sent]]) -> None:
        for future in finished:
            lane = self._running.pop(future)
            sent = future.result()
            lane.runs -= 1
            lane.in_flight -= len(sent.done) + len(sent.unsent)
            lane.queue.extendleft(reversed(sent.unsent))  # first in line again, in order
            outcomes = [done.outcome for done in sent.done if done.outcome is not None]
            if outcomes:
                lane.healthy = outcomes[-1].delivered
                if outcomes[-1].gone:
                    lane.enabled = False  # what is still queued for it is not sent
            self._finished.extend(sent.done)

    # --- recording ----------------------------------------------------------------------

    def _record(self) -> None:
        batch, self._finished = self._finished, []
        attempted: list[outbox.Attempted] = []
        attempts_log: list[dict[str, object]] = []
        released: list[int] = []
        disabled: dict[str, str] = {}
        for done in batch:
            entry, outcome = done.entry, done.outcome
            if done.skipped:
                attempted.append(
                    outbox.Attempted(
                        entry.sequence, entry.attempts + 1, done.at, True, None, None, None
                    )
                )
                self._tally[SKIPPED] += 1
                continue
            if outcome is None:
                released.append(entry.sequence)
                self._claimed -= 1
                continue
            retry_at = (
                None
                if outcome.delivered or outcome.gone or outcome.final
                else next_attempt(entry.attempts + 1, done.at, outcome.retry_after)
            )
            attempted.append(
                outbox.Attempted(
                    entry.sequence,
                    entry.attempts + 1,
                    done.at,
                    outcome.delivered,
                    outcome.status_code,
                    outcome.error,
                    retry_at,
                )
            )
            destination = done.lane.destination
            # The delivery log: status and timing only; bodies carry personal data.
            attempts_log.append(
                {
                    "tenant_id": destination.tenant_id,
                    "outbox_id": entry.id,
                    "destination_id": destination.id,
                    "at": done.at,
                    "status_code": outcome.status_code,
                    "duration_ms": done.elapsed_ms,
                    "error": outcome.error[:500] if outcome.error else None,
                }
            )
            if outcome.gone:
                disabled[destination.id] = "the receiver answered 410 Gone"
            elif retry_at is None and not outcome.delivered and not outcome.final:
                disabled[destination.id] = "every retry failed for about three days"
            log.info(
                "delivery %s to %s: %s",
                entry.id,
                destination.id,
                outcome.status_code or outcome.error,
            )
            if outcome.delivered:
                self._tally[DELIVERED] += 1
            else:
                self._tally[RETRYING if retry_at is not None else FAILED] += 1
        with transaction(self._store.sessions) as session:
            outbox.record_outcomes(session, attempted)
            outbox.release(session, released)
            if attempts_log:
                session.execute(insert(DeliveryAttempt), attempts_log)
            for destination_id, reason in disabled.items():
                _disable(session, destination_id, self._clock(), reason)
        for done in batch:
            done.lane.exhausted = False
        self._last_record = time.monotonic()
        if attempted:
            self._on_recorded(len(attempted))

    @staticmethod
    def _since(mark: float) -> float:
        return time.monotonic() - mark


def _wants_more(lane: _Lane) -> bool:
    return lane.load < CLAIM_BATCH // 2 and not lane.exhausted


def _takes(destination: Destination, event_type: str) -> bool:
    wanted = destination.options.get("event_types")
    if wanted and event_type not in wanted:
        return False
    return destination.kind != DestinationKind.SCIM or event_type in scim_scope.HANDLED_EVENTS


_THIN_IDS = ("action_id", "tenant_id", "connection_id", "run_id")


def webhook_body(destination: Destination, body: str) -> str:
    """The stored body, or with `options.thin` its ids only: the receiver pulls the rest."""
    if not destination.options.get("thin"):
        return body
    event = json.loads(body)
    data = event.get("data") or {}
    ids = {key: data[key] for key in _THIN_IDS if key in data}
    if isinstance(data.get("employee"), dict):
        ids["remote_id"] = data["employee"]["remote_id"]
    thin = {"type": event.get("type"), "timestamp": event.get("timestamp"), "data": ids}
    return json.dumps(thin)


def _group_lookup(store: Store, tenant_id: str) -> scim_scope.GroupLookup:
    def groups_of(connection_id: str) -> dict[str, scim_scope.OrgUnit]:
        with transaction(store.sessions) as session:
            return scim_scope.load_groups(session, tenant_id=tenant_id, connection_id=connection_id)

    return groups_of


def _disable(session: Session, destination_id: str, at: datetime, reason: str) -> None:
    """Stop sending to an endpoint; the tenant sees why in the dashboard's audit log."""
    destination = session.get_one(Destination, destination_id)
    if not destination.enabled:
        return
    destination.enabled = False
    audit.record(
        session,
        tenant_id=destination.tenant_id,
        actor="system",
        action="destination.disabled",
        target=destination_id,
        details={"reason": reason, "at": at.isoformat()},
    )
