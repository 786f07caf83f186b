"""Tenants: one per customer of the product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rostersync.connectors import BadInput
from rostersync.engine import check_timezone
from rostersync.model import ConnectionStatus, RunStatus
from rostersync.store import Store
from rostersync.store.repos import audit, connections, runs, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, Tenant


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


class TenantHealth(StrEnum):
    """A tenant's worst connection state, worst first."""

    NEEDS_REAUTH = "needs_reauth"
    HELD = "held"
    FAILING = "failing"
    """A connection's last run failed."""
    HEALTHY = "healthy"
    NOT_CONNECTED = "not_connected"
    """No connection that syncs (none yet, or all disconnected)."""


_WORST_FIRST = list(TenantHealth)


@dataclass(frozen=True)
class TenantRow:
    tenant: TenantInfo
    health: TenantHealth
    connections: int
    """Connections that are not disconnected."""


@dataclass(frozen=True)
class TenantPage:
    rows: list[TenantRow]
    total: int
    """Tenants matching the search, on every page."""
    page: int
    pages: int
    search: str


TENANT_PAGE_SIZE = 50


def _health(
    connection: Connection, blocked: set[RunStatus], last: RunStatus | None
) -> TenantHealth:
    if connection.status == ConnectionStatus.NEEDS_REAUTH:
        return TenantHealth.NEEDS_REAUTH
    if RunStatus.HELD in blocked:
        return TenantHealth.HELD
    return TenantHealth.FAILING if last == RunStatus.FAILED else TenantHealth.HEALTHY


def tenant_page(store: Store, *, search: str = "", page: int = 1) -> TenantPage:
    """A page of tenants by name, each with its worst connection state: a fixed handful of
    queries for the page, however many tenants there are."""
    search, page = search.strip()[:200], max(page, 1)
    with transaction(store.sessions) as session:
        rows, total = tenants.search_tenants(
            session, name=search, limit=TENANT_PAGE_SIZE, offset=(page - 1) * TENANT_PAGE_SIZE
        )
        live = [
            c
            for c in connections.for_tenants(session, [t.id for t in rows])
            if c.status != ConnectionStatus.DISCONNECTED
        ]
        ids = [c.id for c in live]
        blocked = runs.blocked_connections(session, connection_ids=ids)
        real = (RunStatus.SUCCEEDED, RunStatus.HELD, RunStatus.FAILED, RunStatus.REJECTED)
        last = runs.latest_runs(session, connection_ids=ids, statuses=real)
        states: dict[str, list[TenantHealth]] = {}
        for c in live:
            latest = RunStatus(last[c.id].status) if c.id in last else None
            states.setdefault(c.tenant_id, []).append(_health(c, blocked.get(c.id, set()), latest))
        listed = [
            TenantRow(
                tenant_info(t),
                min(states.get(t.id, [TenantHealth.NOT_CONNECTED]), key=_WORST_FIRST.index),
                len(states.get(t.id, [])),
            )
            for t in rows
        ]
    pages = max(1, -(-total // TENANT_PAGE_SIZE))
    return TenantPage(listed, total, page, pages, search)
