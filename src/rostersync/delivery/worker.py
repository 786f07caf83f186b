"""Drain the outbox once: claim due entries, send each to its webhook or SCIM server, record
the outcome and the attempt (status and timing, never the body).

Claim, send and record are three steps in three transactions on purpose: a worker that dies
after sending but before recording leaves the entry leased; when the lease expires it is sent
again with the same webhook-id, which receivers use to drop the duplicate (at-least-once).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from rostersync.delivery import scim_scope, webhooks
from rostersync.model import DestinationKind
from rostersync.store import Store
from rostersync.store.repos import audit, destinations, outbox
from rostersync.store.session import transaction
from rostersync.store.tables import DeliveryAttempt, Destination

if TYPE_CHECKING:
    from rostersync.delivery.scim import ScimTarget

log = logging.getLogger("rostersync.delivery")

RETRY_SCHEDULE = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
)
"""After the n-th failed attempt wait RETRY_SCHEDULE[n-1] (about three days in all)."""
LEASE = timedelta(minutes=2)
DELIVERED, RETRYING, FAILED, SKIPPED = "delivered", "retrying", "failed", "skipped"


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
    limit: int = 100,
    timeout: float = 15.0,
) -> DrainResult:
    """Send what is due now; a receiver slower than `timeout` seconds counts as a failure."""
    with transaction(store.sessions) as session:
        claimed = outbox.claim_due(session, store.keyring, now=clock(), lease=LEASE, limit=limit)
        # (destination, the URL with its decrypted query, signing secrets)
        targets: dict[str, tuple[Destination, str, list[str]]] = {}
        for entry in claimed:
            if entry.destination_id not in targets:
                destination = session.get_one(Destination, entry.destination_id)
                targets[entry.destination_id] = (
                    destination,
                    destinations.target_url(store.keyring, destination),
                    destinations.signing_secrets(store.keyring, destination, now=clock()),
                )
    tally = {DELIVERED: 0, RETRYING: 0, FAILED: 0, SKIPPED: 0}
    with (
        webhooks.webhook_client(allow_loopback=allow_loopback, timeout=timeout) as client,
        ExitStack() as round_scope,
    ):
        scim_targets: dict[str, ScimTarget] = {}

        def scim_target(destination: Destination, url: str, token: str) -> ScimTarget:
            if destination.id not in scim_targets:
                from rostersync.delivery import scim  # lazily: see scim_scope

                scim_targets[destination.id] = round_scope.enter_context(
                    scim.scim_target(
                        url,
                        token,
                        options=destination.options,
                        groups_of=_group_lookup(store, destination.tenant_id),
                        allow_loopback=allow_loopback,
                    )
                )
            return scim_targets[destination.id]

        for entry in claimed:
            destination, url, secrets = targets[entry.destination_id]
            if not destination.enabled:
                outcome = webhooks.Outcome(False, None, "the destination is disabled", final=True)
                tally[_record(store, entry, destination, outcome, clock(), None)] += 1
                continue
            if not _takes(destination, entry.event_type):
                tally[_skip(store, entry, clock())] += 1
                continue
            started = time.monotonic()
            if destination.kind == DestinationKind.SCIM:
                target = scim_target(destination, url, secrets[0])
                outcome = target.deliver(entry.event_type, entry.body)
            else:
                outcome = webhooks.post(
                    client,
                    url,
                    secrets=secrets,
                    message_id=entry.id,
                    body=webhook_body(destination, entry.body),
                )
            elapsed_ms = round((time.monotonic() - started) * 1000)
            tally[_record(store, entry, destination, outcome, clock(), elapsed_ms)] += 1
        for target in scim_targets.values():
            target.finish()
    return DrainResult(tally[DELIVERED], tally[RETRYING], tally[FAILED], tally[SKIPPED])


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


def _skip(store: Store, entry: outbox.ClaimedEntry, now: datetime) -> str:
    with transaction(store.sessions) as session:
        outbox.record_outcome(
            session,
            entry.sequence,
            delivered=True,
            at=now,
            status_code=None,
            error=None,
            retry_at=None,
        )
    return SKIPPED


def _record(
    store: Store,
    entry: outbox.ClaimedEntry,
    destination: Destination,
    outcome: webhooks.Outcome,
    now: datetime,
    elapsed_ms: int | None,
) -> str:
    retry_at = (
        None
        if outcome.delivered or outcome.gone or outcome.final
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
        # The delivery log: status and timing only; bodies carry personal data.
        session.add(
            DeliveryAttempt(
                tenant_id=destination.tenant_id,
                outbox_id=entry.id,
                destination_id=destination.id,
                at=now,
                status_code=outcome.status_code,
                duration_ms=elapsed_ms,
                error=outcome.error[:500] if outcome.error else None,
            )
        )
        if outcome.gone:
            _disable(session, destination.id, now, "the receiver answered 410 Gone")
        elif retry_at is None and not outcome.delivered and not outcome.final:
            _disable(session, destination.id, now, "every retry failed for about three days")
    log.info(
        "delivery %s to %s: %s", entry.id, destination.id, outcome.status_code or outcome.error
    )
    if outcome.delivered:
        return DELIVERED
    return RETRYING if retry_at is not None else FAILED


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
