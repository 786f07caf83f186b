"""The change feed and sync freshness, for consumers that pull rather than (only) receive.

`GET /api/v1/events` lists the tenant's outbox entries in the order they were written, with
the same body a webhook carries and its delivery state: a consumer that missed webhooks (or
prefers pulling) keeps the last `next_cursor` and asks for what came after it.
`GET /api/v1/connections/{id}/sync-status` says how fresh each model of a connection is, in
the vocabulary of Merge's sync status.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from rostersync.api.deps import PrincipalDep, SettingsDep, StoreDep
from rostersync.services import connections, deliveries
from rostersync.services.connections import SyncState

router = APIRouter(prefix="/api/v1")

_MAX_SEQUENCE = 2**31 - 1
_Id = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_-]*$")]


class EventBody(BaseModel):
    type: str
    timestamp: str
    data: dict[str, Any]


class FeedEvent(BaseModel):
    sequence: int = Field(description="Position in the feed; pass the last one as `cursor`.")
    webhook_id: str = Field(description="The `webhook-id` the event is (or was) delivered with.")
    destination_id: str
    type: str
    status: str = Field(description="pending, sending, delivered or failed.")
    attempts: int
    created_at: datetime
    delivered_at: datetime | None
    event: EventBody = Field(description="The webhook body: `{type, timestamp, data}`.")


class EventFeed(BaseModel):
    events: list[FeedEvent]
    next_cursor: int = Field(description="Send as `cursor` to get what comes after this page.")


@router.get("/events", response_model=EventFeed, tags=["events"])
def list_events(
    store: StoreDep,
    principal: PrincipalDep,
    cursor: Annotated[
        int, Query(ge=0, le=_MAX_SEQUENCE, description="The last sequence already seen.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    tenant_id: _Id = None,
    destination_id: _Id = None,
) -> EventFeed:
    """Events after `cursor`, oldest first, each with its webhook-id and delivery status."""
    entries = deliveries.feed(
        store,
        tenant_id=principal.scope(tenant_id),
        after=cursor,
        limit=limit,
        destination_id=destination_id,
    )
    events = [
        FeedEvent(
            sequence=e.sequence,
            webhook_id=e.id,
            destination_id=e.destination_id,
            type=e.event_type,
            status=e.status,
            attempts=e.attempts,
            created_at=e.created_at,
            delivered_at=e.delivered_at,
            event=EventBody.model_validate(e.body),
        )
        for e in entries
    ]
    return EventFeed(events=events, next_cursor=entries[-1].sequence if entries else cursor)


_MODELS = (("Employee", "hris.Employee"), ("Group", "hris.Group"), ("Location", "hris.Location"))


class ModelSyncStatus(BaseModel):
    """Merge's `SyncStatus` for one model, plus our reason in words."""

    model_name: str
    model_id: str
    status: SyncState
    last_sync_start: datetime | None
    last_sync_finished: datetime | None
    last_sync_result: SyncState | None
    next_sync_start: datetime | None
    data_fresh_as_of: datetime | None = Field(description="When the stored data was last read.")
    is_initial_sync: bool
    reason: str | None = Field(description="Why the status is what it is, when not DONE.")


class ConnectionSyncStatus(BaseModel):
    connection_id: str
    connection_status: str
    results: list[ModelSyncStatus] = Field(description="One entry per model served.")


@router.get(
    "/connections/{connection_id}/sync-status",
    response_model=ConnectionSyncStatus,
    tags=["connections"],
)
def sync_status(
    connection_id: str, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> ConnectionSyncStatus:
    """How fresh the connection's employees, groups and locations are, and when the next sync is.

    Dry runs are previews and do not count.
    """
    status = connections.sync_status(
        store,
        connection_id,
        tenant_id=principal.scope(None),
        sync_interval=timedelta(seconds=settings.sync_interval_seconds),
    )
    connection, latest, finished = status.connection, status.latest, status.last_finished
    results = [
        ModelSyncStatus(
            model_name=name,
            model_id=model_id,
            status=status.state,
            last_sync_start=latest.started_at if latest else None,
            last_sync_finished=finished.finished_at if finished else None,
            last_sync_result=status.last_result,
            next_sync_start=status.next_sync_start,
            data_fresh_as_of=connection.last_sync_at,
            is_initial_sync=connection.last_sync_at is None,
            reason=status.reason,
        )
        for name, model_id in _MODELS
    ]
    return ConnectionSyncStatus(
        connection_id=connection.id, connection_status=connection.status, results=results
    )
