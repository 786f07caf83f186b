"""The demo's operator overview: tenants, connections, synced people, runs and deliveries.

Mounted by `rostersync demo` only: it shows every tenant, which is right for the operator of
a local demo and wrong anywhere else (the tenant dashboard comes with login).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rostersync.model import Employee, Group, Location
from rostersync.store import Store
from rostersync.store.repos import connections, destinations, outbox, people, runs, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, Destination, OutboxEntry, SyncRun, Tenant

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class ConnectionView:
    connection: Connection
    people: list[tuple[Employee, bool]]
    groups: dict[str, Group]
    locations: dict[str, Location]
    runs: list[SyncRun]


@dataclass(frozen=True)
class TenantView:
    tenant: Tenant
    connections: list[ConnectionView]
    destinations: list[Destination]
    deliveries: list[OutboxEntry]


def overview(store: Store) -> list[TenantView]:
    views = []
    with transaction(store.sessions) as session:
        for tenant in tenants.list_tenants(session):
            connection_views = []
            for connection in connections.list_connections(session, tenant_id=tenant.id):
                state = people.load_state(session, store.keyring, connection)
                listed = sorted(
                    (
                        (p.employee, p.provisioned)
                        for p in state.people.values()
                        if not p.remote_was_deleted
                    ),
                    key=lambda pair: (pair[0].last_name, pair[0].first_name),
                )
                connection_views.append(
                    ConnectionView(
                        connection,
                        listed,
                        state.groups,
                        state.locations,
                        runs.list_runs(session, tenant_id=tenant.id, connection_id=connection.id),
                    )
                )
            views.append(
                TenantView(
                    tenant,
                    connection_views,
                    destinations.list_destinations(session, tenant_id=tenant.id),
                    outbox.list_entries(session, tenant_id=tenant.id, limit=50),
                )
            )
    return views


def overview_router(store: Store, *, receiver_path: str | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request,
            "overview.html",
            {"tenants": overview(store), "receiver_path": receiver_path},
        )

    return router
