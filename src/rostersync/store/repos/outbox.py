"""The outbox: events written in the same transaction as the state change that caused them.

Workers claim due entries under a lease; an entry whose worker died before recording the
outcome becomes due again when the lease runs out, and is sent again with the same id.
Per destination and subject (one person), only the oldest undelivered entry is ever due, so a
person's events arrive in order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from rostersync.model import DeliveryStatus
from rostersync.store.crypto import Keyring
from rostersync.store.repos.batches import batched, insert_rows
from rostersync.store.tables import STAGED_OUTBOX, DeliveryAttempt, Destination, OutboxEntry

_CIPHER_CONTEXT = "outbox.payload"
_V = TypeVar("_V")


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
    run_id: str | None = None,
) -> int:
    """Each event for each destination, in order and in bulk; an entry already stored (a
    retried run) is not stored twice. Returns how many entries were added. Given a run, the
    entries are staged for it: nobody can claim or read them before the run is published."""
    added = 0
    staged = {"run_id": run_id} if run_id is not None else {}
    target = STAGED_OUTBOX if run_id is not None else OutboxEntry
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
                | staged
            )
        added += insert_rows(session, target, rows)
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


_UNDELIVERED = (DeliveryStatus.PENDING, DeliveryStatus.SENDING)


def claim_due(
    session: Session,
    keyring: Keyring,
    *,
    now: datetime,
    lease: timedelta,
    limit: int = 100,
    skip_destinations: Collection[str] = (),
) -> list[ClaimedEntry]:
    """Lease up to `limit` entries that are due now and first in line for their person.

    First in line: no earlier entry of the same destination and subject is undelivered
    (pending, retrying or leased), so a person has at most one entry in flight, whichever
    worker holds it. Once true this stays true (only delivery or failure ends an entry, and
    only a replay revives a failed one), so a stale snapshot can only hold an entry back.
    That test reads rows without locking them; only the candidates are locked, and those
    another worker is claiming right now are skipped (SKIP LOCKED, PostgreSQL; SQLite has
    one writer). A candidate another worker claimed after this statement's snapshot is
    re-checked on its new version under READ COMMITTED, and its fresh lease excludes it.
    """
    earlier = aliased(OutboxEntry)
    ahead = (
        select(earlier.sequence)
        .where(
            earlier.destination_id == OutboxEntry.destination_id,
            earlier.subject == OutboxEntry.subject,
            earlier.sequence < OutboxEntry.sequence,
            earlier.status.in_(_UNDELIVERED),
        )
        .exists()
    )
    query = (
        select(
            OutboxEntry.sequence,
            OutboxEntry.id,
            OutboxEntry.destination_id,
            OutboxEntry.event_type,
            OutboxEntry.payload,
            OutboxEntry.attempts,
        )
        .where(
            OutboxEntry.status.in_(_UNDELIVERED),
            OutboxEntry.next_attempt_at <= now,
            or_(
                OutboxEntry.status == DeliveryStatus.PENDING,
                OutboxEntry.lease_until.is_(None),
                OutboxEntry.lease_until <= now,
            ),
            ~ahead,
        )
        .order_by(OutboxEntry.sequence)
        .limit(limit)
        .with_for_update(skip_locked=True, of=OutboxEntry)
    )
    if skip_destinations:
        query = query.where(OutboxEntry.destination_id.not_in(list(skip_destinations)))
    rows = session.execute(query).all()
    if not rows:
        return []
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.sequence.in_([row.sequence for row in rows]))
        .values(status=DeliveryStatus.SENDING, lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return [
        ClaimedEntry(
            row.sequence,
            row.id,
            row.destination_id,
            row.event_type,
            keyring.decrypt(row.payload, context=_CIPHER_CONTEXT),
            row.attempts,
        )
        for row in rows
    ]


def count_due(session: Session, *, now: datetime) -> int:
    """Entries waiting to be sent whose time has come (a person's later ones included)."""
    query = select(func.count()).where(
        OutboxEntry.status == DeliveryStatus.PENDING, OutboxEntry.next_attempt_at <= now
    )
    return session.scalar(query) or 0


@dataclass(frozen=True, slots=True)
class Attempted:
    """What became of one claimed entry."""

    sequence: int
    attempts: int
    """Attempts made, this one included."""
    at: datetime
    delivered: bool
    status_code: int | None
    error: str | None
    retry_at: datetime | None
    """Due again then; None with `delivered` False means failed for good."""


_outbox = cast(Table, OutboxEntry.__table__)
"""The table itself: executemany updates go through Core, one statement for many rows."""
_by_sequence = _outbox.c.sequence == bindparam("b_sequence")


def _settled(attempt: Attempted) -> DeliveryStatus:
    if attempt.delivered:
        return DeliveryStatus.DELIVERED
    return DeliveryStatus.PENDING if attempt.retry_at is not None else DeliveryStatus.FAILED


_WHEN: dict[DeliveryStatus, tuple[str, Callable[[Attempted], datetime | None]]] = {
    DeliveryStatus.DELIVERED: ("delivered_at", lambda a: a.at),
    DeliveryStatus.PENDING: ("next_attempt_at", lambda a: a.retry_at),
}
"""The time column each outcome sets, and its value; failed for good sets none."""


def record_outcomes(session: Session, attempted: Sequence[Attempted]) -> None:
    """Delivered, due again at `retry_at`, or failed for good: one statement per kind."""
    for status in (DeliveryStatus.DELIVERED, DeliveryStatus.PENDING, DeliveryStatus.FAILED):
        settled = [a for a in attempted if _settled(a) is status]
        if not settled:
            continue
        values: dict[str, object] = {
            "attempts": bindparam("b_attempts"),
            "last_status_code": bindparam("b_status_code"),
            "last_error": bindparam("b_error"),
            "lease_until": None,
            "status": status,
        }
        rows = [_params(a) for a in settled]
        if status in _WHEN:
            column, when = _WHEN[status]
            values[column] = bindparam("b_when")
            rows = [{**row, "b_when": when(a)} for row, a in zip(rows, settled, strict=True)]
        session.execute(_outbox.update().where(_by_sequence).values(values), rows)


def _params(attempt: Attempted) -> dict[str, object]:
    return {
        "b_sequence": attempt.sequence,
        "b_attempts": attempt.attempts,
        "b_status_code": attempt.status_code,
        "b_error": attempt.error,
    }


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
    outcome = Attempted(sequence, entry.attempts + 1, at, delivered, status_code, error, retry_at)
    record_outcomes(session, [outcome])
    session.expire(entry)


def release(session: Session, sequences: Sequence[int]) -> None:
    """Give leased entries back unsent: due again at once, no attempt counted."""
    if sequences:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.sequence.in_(list(sequences)))
            .values(status=DeliveryStatus.PENDING, lease_until=None)
            .execution_options(synchronize_session=False)
        )


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


@dataclass(frozen=True, slots=True)
class DestinationLoad:
    """How delivery to one destination goes: counts and times, never a body."""

    backlog: int
    """Entries not delivered yet (waiting, retrying or being sent)."""
    last_success_at: datetime | None
    failures_since: int
    """Attempts that failed since the `since` asked for."""


def _pairs(session: Session, query: Select[str, _V]) -> dict[str, _V]:
    return dict(session.execute(query).all())


def destination_loads(
    session: Session, destination_ids: Collection[str], *, since: datetime
) -> dict[str, DestinationLoad]:
    """Each destination's load in three grouped queries, however many destinations."""
    ids = list(destination_ids)
    if not ids:
        return {}
    backlog = _pairs(
        session,
        select(OutboxEntry.destination_id, func.count())
        .where(OutboxEntry.destination_id.in_(ids), OutboxEntry.status.in_(_UNDELIVERED))
        .group_by(OutboxEntry.destination_id),
    )
    code = DeliveryAttempt.status_code
    succeeded = code.is_not(None) & (code >= 200) & (code < 300)
    last_success = _pairs(
        session,
        select(DeliveryAttempt.destination_id, func.max(DeliveryAttempt.at))
        .where(DeliveryAttempt.destination_id.in_(ids), succeeded)
        .group_by(DeliveryAttempt.destination_id),
    )
    failures = _pairs(
        session,
        select(DeliveryAttempt.destination_id, func.count())
        .where(DeliveryAttempt.destination_id.in_(ids), DeliveryAttempt.at >= since, ~succeeded)
        .group_by(DeliveryAttempt.destination_id),
    )
    return {
        i: DestinationLoad(backlog.get(i, 0), last_success.get(i), failures.get(i, 0)) for i in ids
    }
