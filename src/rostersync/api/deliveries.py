"""The outbox through the API: delivery states, replaying failed entries, and (admin keys)
sending what is due now."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from rostersync.api.deps import PrincipalDep, SettingsDep, StoreDep
from rostersync.api.schemas import DeliveryOut, ReplayIn
from rostersync.model import DeliveryStatus
from rostersync.services import deliveries

router = APIRouter(prefix="/api/v1", tags=["deliveries"])


@router.get("/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    store: StoreDep,
    principal: PrincipalDep,
    status: Annotated[
        DeliveryStatus, Query(description="Entries in this state.")
    ] = DeliveryStatus.FAILED,
    tenant_id: str | None = None,
) -> list[DeliveryOut]:
    """Outbox entries by status, newest first, with their last HTTP status (never bodies)."""
    listed = deliveries.list_deliveries(store, tenant_id=principal.scope(tenant_id), status=status)
    return [DeliveryOut.model_validate(d, from_attributes=True) for d in listed]


@router.post("/deliveries/replay")
def replay(body: ReplayIn, store: StoreDep, principal: PrincipalDep) -> dict[str, int]:
    """Send failed entries again, with the same webhook-id (receivers dedupe on it)."""
    count = deliveries.replay(
        store, body.ids, tenant_id=principal.scope(body.tenant_id), actor=principal.actor
    )
    return {"replayed": count}


@router.post("/deliveries/send")
def send_due(
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    limit: Annotated[int | None, Query(ge=1, description="Send at most this many.")] = None,
) -> dict[str, int]:
    """Send every outbox entry that is due, for every tenant (an admin key's job); `remaining`
    says how many are still due."""
    principal.require_admin()
    result = deliveries.deliver_now(store, allow_loopback=settings.allow_loopback, limit=limit)
    return asdict(result)
