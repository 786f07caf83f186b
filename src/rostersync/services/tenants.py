"""Tenants: one per customer of the product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rostersync.connectors import BadInput
from rostersync.engine import check_timezone
from rostersync.store import Store
from rostersync.store.repos import audit, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import Tenant


@dataclass(frozen=True)
class TenantInfo:
    id: str
    name: str
    timezone: str
    created_at: datetime


def tenant_info(row: Tenant) -> TenantInfo:
    return TenantInfo(row.id, row.name, row.timezone, row.created_at)


def create_tenant(store: Store, name: str, *, actor: str, timezone: str = "UTC") -> TenantInfo:
    if not name.strip():
        raise BadInput("a tenant needs a name")
    check_timezone(timezone)
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, name.strip(), timezone=timezone)
        audit.record(
            session, tenant_id=tenant.id, actor=actor, action="tenant.created", target=tenant.id
        )
        return tenant_info(tenant)


def get_tenant(store: Store, tenant_id: str) -> TenantInfo:
    with transaction(store.sessions) as session:
        return tenant_info(tenants.get_tenant(session, tenant_id))


def list_tenants(store: Store, *, tenant_id: str | None = None) -> list[TenantInfo]:
    """Every tenant, or only `tenant_id` (a tenant key sees its own)."""
    with transaction(store.sessions) as session:
        rows = tenants.list_tenants(session)
        return [tenant_info(t) for t in rows if tenant_id is None or t.id == tenant_id]
