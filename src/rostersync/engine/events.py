"""The events a sync puts in the outbox: `{"type", "timestamp", "data"}` bodies.

Built here, in the transaction that changes the state, so an event exists if and only if its
change was committed (transactional outbox). Delivery only signs and sends what is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rostersync.engine.lifecycle import PlannedAction
from rostersync.store import Keyring
from rostersync.store.repos import destinations, outbox
from rostersync.store.repos.outbox import NewEvent
from rostersync.store.tables import Connection


def _body(event_type: str, at: datetime, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def publish(
    session: Session,
    keyring: Keyring,
    connection: Connection,
    stream: Iterable[NewEvent],
    at: datetime,
    *,
    run_id: str | None = None,
) -> int:
    """The events for every enabled destination of the connection's tenant and environment,
    looked up once for the whole stream; given a run, staged until the run is published."""
    targets = destinations.active_destinations(
        session, tenant_id=connection.tenant_id, environment=connection.environment
    )
    return outbox.enqueue_many(session, keyring, targets, stream, at=at, run_id=run_id)


def action_event(connection: Connection, planned: PlannedAction, at: datetime) -> NewEvent:
    action = planned.action
    data: dict[str, Any] = {
        "action_id": action.id,
        "tenant_id": connection.tenant_id,
        "connection_id": connection.id,
        "environment": connection.environment,
        "rule": action.rule,
        "cause": action.cause,
        "from_status": action.from_status,
        "to_status": action.to_status,
        "account_id": action.account_id,
        "employee": planned.employee.model_dump(mode="json", exclude={"type"}),
    }
    if action.changed_fields:
        data["changed_fields"] = list(action.changed_fields)
    event_type = action.kind.event_type
    return NewEvent(
        event_id=action.id,
        event_type=event_type,
        subject=f"{connection.id}:{action.remote_id}",
        payload=_body(event_type, at, data),
    )


def connection_event(
    connection: Connection,
    *,
    event_type: str,
    event_id: str,
    details: dict[str, Any],
    at: datetime,
) -> NewEvent:
    data = {"tenant_id": connection.tenant_id, "connection_id": connection.id, **details}
    return NewEvent(
        event_id=event_id,
        event_type=event_type,
        subject=connection.id,
        payload=_body(event_type, at, data),
    )
