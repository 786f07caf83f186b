"""Tenants: one per customer of the product."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.store.errors import NotFound
from rostersync.store.tables import Tenant, new_id


def create_tenant(session: Session, name: str, *, timezone: str = "UTC") -> Tenant:
    tenant = Tenant(id=new_id("ten"), name=name, timezone=timezone)
    session.add(tenant)
    session.flush()
    return tenant


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound("tenant", tenant_id)
    return tenant


def list_tenants(session: Session) -> list[Tenant]:
    return list(session.scalars(select(Tenant).order_by(Tenant.created_at)))
