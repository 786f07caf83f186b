"""Tenants: one per customer of the product."""

from __future__ import annotations

from sqlalchemy import func, select
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


def search_tenants(
    session: Session, *, name: str = "", limit: int, offset: int = 0
) -> tuple[list[Tenant], int]:
    """A page of the tenants whose name contains `name` (any case), by name, and how many
    match in all: two queries, whatever the number of tenants."""
    match = Tenant.name.icontains(name, autoescape=True) if name else None
    query = select(Tenant).order_by(func.lower(Tenant.name), Tenant.id)
    counted = select(func.count()).select_from(Tenant)
    if match is not None:
        query, counted = query.where(match), counted.where(match)
    rows = list(session.scalars(query.limit(limit).offset(offset)))
    return rows, session.scalar(counted) or 0
