"""Events in the outbox: deliver what is due, list entries, replay failed ones, and the
change feed that consumers pull."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from rostersync.delivery import DrainResult, deliver_due
from rostersync.store import Store
from rostersync.store.repos import audit, outbox
from rostersync.store.repos.outbox import FeedEntry
from rostersync.store.session import transaction

__all__ = [
    "DeliveryInfo",
    "DeliverySummary",
    "FeedEntry",
    "deliver_now",
    "feed",
    "list_deliveries",
    "replay",
]


@dataclass(frozen=True)
class DeliveryInfo:
    """An outbox entry's delivery state; never its body (it carries names and emails)."""

    id: str
    """The webhook-id."""
    tenant_id: str
    destination_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True)
class DeliverySummary(DrainResult):
    remaining: int = 0
    """Entries due now and not sent by this call (its limit was reached)."""


def deliver_now(
    store: Store,
    *,
    allow_loopback: bool,
    limit: int | None = None,
    on_round: Callable[[int], None] = lambda _handled: None,
) -> DeliverySummary:
    """Send every outbox entry that is due (a person's next one once the previous is sent),
    or at most `limit`; say how many are still due. `on_round` is told how many entries each
    recorded batch handled (a front-end's progress)."""
    result = deliver_due(store, allow_loopback=allow_loopback, limit=limit, on_recorded=on_round)
    with transaction(store.sessions) as session:
        remaining = outbox.count_due(session, now=datetime.now(UTC))
    return DeliverySummary(**asdict(result), remaining=remaining)


def list_deliveries(
    store: Store, *, tenant_id: str | None, status: str | None = None, limit: int = 100
) -> list[DeliveryInfo]:
    """Newest first."""
    with transaction(store.sessions) as session:
        return [
            DeliveryInfo(
                e.id,
                e.tenant_id,
                e.destination_id,
                e.event_type,
                e.status,
                e.attempts,
                e.last_status_code,
                e.last_error,
                e.created_at,
                e.delivered_at,
            )
            for e in outbox.list_entries(session, tenant_id=tenant_id, status=status, limit=limit)
        ]


def replay(store: Store, entry_ids: Iterable[str], *, tenant_id: str | None, actor: str) -> int:
    """Send failed entries again, with the same webhook-id; how many will be."""
    with transaction(store.sessions) as session:
        count = outbox.replay(
            session, tenant_id=tenant_id, entry_ids=list(entry_ids), now=datetime.now(UTC)
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="deliveries.replayed",
            details={"count": count},
        )
    return count


def feed(
    store: Store, *, tenant_id: str | None, after: int, limit: int, destination_id: str | None
) -> list[FeedEntry]:
    """Entries after a sequence number, oldest first, with their decrypted bodies."""
    with transaction(store.sessions) as session:
        return outbox.feed(
            session,
            store.keyring,
            tenant_id=tenant_id,
            after=after,
            limit=limit,
            destination_id=destination_id,
        )
