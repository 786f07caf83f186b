"""The outbox: events written in the same transaction as the state change that caused them.

Workers claim due entries under a lease; an entry whose worker died before recording the
outcome becomes due again when the lease runs out, and is sent again with the same id.
Per destination and subject (one person), only the oldest undelivered entry is ever due, so a
person's events arrive in order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rostersync.model import DeliveryStatus
from rostersync.store.crypto import Keyring
from rostersync.store.repos.batches import batched, insert_rows
from rostersync.store.tables import Destination, OutboxEntry

_CIPHER_CONTEXT = "outbox.payload"


def entry_id(event_id: str, destination_id: str) -> str:
    """The webhook-id: the same event to the same destination always gets the same id."""
    digest = hashlib.sha256(f"{event_id}|{destination_id}".encode()).hexdigest()
    return f"msg_{digest[:32]}"


@dataclass(frozen=True, slots=True)
class NewEvent:
    event_id: str
    event_type: str
    subject: str
    """Ordering key: the connection and remote id of a person, or the connection."""
    payload: dict[str, Any]


_CHUNK = 500
"""Events per round trip: one SELECT of the ids already stored, one multi-row INSERT."""


def enqueue_many(
    session: Session,
    keyring: Keyring,
    destinations: Sequence[Destination],
    events: Iterable[NewEvent],
    *,
    at: datetime,
) -> int:
    """Each event for each destination, in order and in bulk; an entry already stored (a
    retried run) is not stored twice. Returns how many entries were added."""
    added = 0
    if not destinations:
        return added
    for chunk in batched(events, _CHUNK):
        wanted = [(entry_id(e.event_id, d.id), e, d) for e in chunk for d in destinations]
        ids = [message_id for message_id, _, _ in wanted]
        stored = set(session.scalars(select(OutboxEntry.id).where(OutboxEntry.id.in_(ids))))
        rows = []
        for message_id, event, destination in wanted:
            if message_id in stored:
                continue
            stored.add(message_id)
            rows.append(
                {
                    "id": message_id,
                    "tenant_id": destination.tenant_id,
                    "destination_id": destination.id,
                    "event_type": event.event_type,
                    "subject": event.subject,
                    "payload": keyring.encrypt(json.dumps(event.payload), context=_CIPHER_CONTEXT),
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                }
            )
        added += insert_rows(session, OutboxEntry, rows)
    return added


def enqueue(
    session: Session,
    keyring: Keyring,
    destination: Destination,
    *,
    event_id: str,
    event_type: str,
    subject: str,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    event = NewEvent(event_id, event_type, subject, payload)
    enqueue_many(session, keyring, (destination,), (event,), at=at)


@dataclass(frozen=True, slots=True)
class ClaimedEntry:
    sequence: int
    id: str
    destination_id: str
    event_type: str
    body: str
    attempts: int


def claim_due(
    session: Session, keyring: Keyring, *, now: datetime, lease: timedelta, limit: int = 100
) -> list[ClaimedEntry]:
    """Take the entries that are due now and first in line for their person."""
    undelivered = session.scalars(
        select(OutboxEntry)
        .where(OutboxEntry.status.in_((DeliveryStatus.PENDING, DeliveryStatus.SENDING)))
        .order_by(OutboxEntry.sequence)
        .with_for_update(skip_locked=True)
    )
    claimed: list[ClaimedEntry] = []
    waiting: set[tuple[str, str]] = set()
    for entry in undelivered:
        line = (entry.destination_id, entry.subject)
        if line in waiting:
            continue
        waiting.add(line)
        leased = (
            entry.status == DeliveryStatus.SENDING
            and entry.lease_until is not None
            and entry.lease_until > now
        )
        if leased or entry.next_attempt_at > now:
            continue
        entry.status, entry.lease_until = DeliveryStatus.SENDING, now + lease
        claimed.append(
            ClaimedEntry(
                entry.sequence,
                entry.id,
                entry.destination_id,
                entry.event_type,
                keyring.decrypt(entry.payload, context=_CIPHER_CONTEXT),
                entry.attempts,
            )
        )
        if len(claimed) >= limit:
            break
    return claimed


def count_due(session: Session, *, now: datetime) -> int:
    """Entries waiting to be sent whose time has come (a person's later ones included)."""
    query = select(func.count()).where(
        OutboxEntry.status == DeliveryStatus.PENDING, OutboxEntry.next_attempt_at <= now
    )
    return session.scalar(query) or 0


def record_outcome(
    session: Session,
    sequence: int,
    *,
    delivered: bool,
    at: datetime,
    status_code: int | None,
    error: str | None,
    retry_at: datetime | None,
) -> None:
    """Delivered, due again at `retry_at`, or failed for good when `retry_at` is None."""
    entry = session.get_one(OutboxEntry, sequence)
    entry.attempts += 1
    entry.last_status_code = status_code
    entry.last_error = error
    entry.lease_until = None
    if delivered:
        entry.status, entry.delivered_at = DeliveryStatus.DELIVERED, at
    elif retry_at is None:
        entry.status = DeliveryStatus.FAILED
    else:
        entry.status, entry.next_attempt_at = DeliveryStatus.PENDING, retry_at


def list_entries(
    session: Session, *, tenant_id: str | None, status: str | None = None, limit: int = 100
) -> list[OutboxEntry]:
    query = select(OutboxEntry).order_by(OutboxEntry.sequence.desc()).limit(limit)
    if tenant_id is not None:
        query = query.where(OutboxEntry.tenant_id == tenant_id)
    if status is not None:
        query = query.where(OutboxEntry.status == status)
    return list(session.scalars(query))


def purge_subject_prefix(session: Session, prefix: str) -> None:
    """Drop every event about the people of one connection (their bodies hold personal data)."""
    session.execute(
        delete(OutboxEntry).where(OutboxEntry.subject.startswith(prefix, autoescape=True))
    )


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """An outbox entry as the change feed shows it: delivery state and the decrypted body."""

    sequence: int
    id: str
    destination_id: str
    event_type: str
    status: str
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    body: dict[str, Any]


def feed(
    session: Session,
    keyring: Keyring,
    *,
    tenant_id: str | None,
    after: int,
    limit: int,
    destination_id: str | None = None,
) -> list[FeedEntry]:
    """Entries after a sequence number, oldest first: a consumer's cursor is the last one seen."""
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.sequence > after)
        .order_by(OutboxEntry.sequence)
        .limit(limit)
    )
    if tenant_id is not None:
        query = query.where(OutboxEntry.tenant_id == tenant_id)
    if destination_id is not None:
        query = query.where(OutboxEntry.destination_id == destination_id)
    return [
        FeedEntry(
            entry.sequence,
            entry.id,
            entry.destination_id,
            entry.event_type,
            entry.status,
            entry.attempts,
            entry.created_at,
            entry.delivered_at,
            json.loads(keyring.decrypt(entry.payload, context=_CIPHER_CONTEXT)),
        )
        for entry in session.scalars(query)
    ]


def replay(session: Session, *, tenant_id: str | None, entry_ids: list[str], now: datetime) -> int:
    """Send failed entries again from now, with the same webhook-id (receivers dedupe on it)."""
    query = select(OutboxEntry).where(
        OutboxEntry.id.in_(entry_ids), OutboxEntry.status == DeliveryStatus.FAILED
    )
    if tenant_id is not None:
        query = query.where(OutboxEntry.tenant_id == tenant_id)
    count = 0
    for entry in session.scalars(query):
        entry.status, entry.next_attempt_at, entry.lease_until = DeliveryStatus.PENDING, now, None
        count += 1
    return count
