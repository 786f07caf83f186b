"""Drain the outbox once: claim due entries, send each, record the outcome.

Claim, send and record are three steps in three transactions on purpose: a worker that dies
after sending but before recording leaves the entry leased; when the lease expires it is sent
again with the same webhook-id, which receivers use to drop the duplicate (at-least-once).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from rostersync.delivery import webhooks
from rostersync.store import Store
from rostersync.store.repos import audit, destinations, outbox
from rostersync.store.session import transaction
from rostersync.store.tables import Destination

log = logging.getLogger("rostersync.delivery")

RETRY_SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
)
"""After the n-th failed attempt wait RETRY_SCHEDULE[n-1] (about three days in all)."""
LEASE = timedelta(minutes=2)
DELIVERED, RETRYING, FAILED = "delivered", "retrying", "failed"


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


def deliver_due(
    store: Store,
    *,
    allow_loopback: bool,
    clock: Callable[[], datetime] = utcnow,
    limit: int = 100,
) -> DrainResult:
    with transaction(store.sessions) as session:
        claimed = outbox.claim_due(session, store.keyring, now=clock(), lease=LEASE, limit=limit)
        targets: dict[str, tuple[Destination, str]] = {}
        for entry in claimed:
            if entry.destination_id not in targets:
                destination = session.get_one(Destination, entry.destination_id)
                targets[entry.destination_id] = (
                    destination,
                    destinations.signing_secret(store.keyring, destination),
                )
    tally = {DELIVERED: 0, RETRYING: 0, FAILED: 0}
    with webhooks.webhook_client(allow_loopback=allow_loopback) as client:
        for entry in claimed:
            destination, secret = targets[entry.destination_id]
            outcome = webhooks.post(
                client, destination.url, secret=secret, message_id=entry.id, body=entry.body
            )
            tally[_record(store, entry, destination, outcome, clock())] += 1
    return DrainResult(tally[DELIVERED], tally[RETRYING], tally[FAILED])


def _record(
    store: Store,
    entry: outbox.ClaimedEntry,
    destination: Destination,
    outcome: webhooks.Outcome,
    now: datetime,
) -> str:
    retry_at = (
        None
        if outcome.delivered or outcome.gone
        else next_attempt(entry.attempts + 1, now, outcome.retry_after)
    )
    with transaction(store.sessions) as session:
        outbox.record_outcome(
            session,
            entry.sequence,
            delivered=outcome.delivered,
            at=now,
            status_code=outcome.status_code,
            error=outcome.error,
            retry_at=retry_at,
        )
        if outcome.gone:
            _disable(session, destination.id, now)
    log.info(
        "delivery %s to %s: %s", entry.id, destination.id, outcome.status_code or outcome.error
    )
    if outcome.delivered:
        return DELIVERED
    return RETRYING if retry_at is not None else FAILED


def _disable(session: Session, destination_id: str, at: datetime) -> None:
    destination = session.get_one(Destination, destination_id)
    destination.enabled = False
    audit.record(
        session,
        tenant_id=destination.tenant_id,
        actor="system",
        action="destination.disabled",
        target=destination_id,
        details={"reason": "receiver answered 410 Gone", "at": at.isoformat()},
    )
