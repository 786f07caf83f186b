"""What the dashboard and the demo's overview show, read in one transaction each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from rostersync.model import (
    ALLOWLIST,
    ConnectionStatus,
    Employee,
    Group,
    Location,
    RecordType,
    RunStatus,
)
from rostersync.services.approvals import HeldPerson, people_in_plan
from rostersync.services.audit import AuditEntry, list_audit
from rostersync.services.connections import ConnectionInfo, connection_info
from rostersync.services.deliveries import DeliveryInfo, list_deliveries
from rostersync.services.destinations import DestinationInfo, list_destinations
from rostersync.services.runs import RunInfo, run_info
from rostersync.services.tenants import TenantInfo, tenant_info
from rostersync.store import Store
from rostersync.store.repos import connections, people, runs, tenants
from rostersync.store.session import transaction

_CHART_BARS = 12
_LABELS = {f.name: f.label for f in ALLOWLIST if f.record is RecordType.EMPLOYEE}


@dataclass(frozen=True)
class FieldGap:
    """A field the HR system should send that the last read had for nobody ("empty") or for
    far fewer people than the run before ("dropped"): most often a permission the service user
    lacks. Counts only."""

    field: str
    label: str
    gap: str
    people: int
    before: int | None
    known: int | None


@dataclass(frozen=True)
class ConnectionHealth:
    connection: ConnectionInfo
    next_sync: datetime | None
    last_run: RunInfo | None
    field_gaps: list[FieldGap] = field(default_factory=list)
    """What the connection's last read (held, previewed or applied) lacked."""


def _field_gaps(runs_newest_first: list[RunInfo], connection_id: str) -> list[FieldGap]:
    last_read = next(
        (
            r
            for r in runs_newest_first
            if r.connection_id == connection_id and "field_warnings" in r.report
        ),
        None,
    )
    warnings: list[dict[str, Any]] = list(last_read.report["field_warnings"]) if last_read else []
    return [
        FieldGap(
            str(w["field"]),
            _LABELS.get(str(w["field"]), str(w["field"])),
            str(w["gap"]),
            int(w["people"]),
            w.get("before"),
            w.get("known"),
        )
        for w in warnings
    ]


@dataclass(frozen=True)
class HeldRun:
    run: RunInfo
    people: list[HeldPerson]


@dataclass(frozen=True)
class Home:
    tenant: TenantInfo
    health: list[ConnectionHealth]
    runs: list[RunInfo]
    held: list[HeldRun]
    audit: list[AuditEntry]
    by_department: list[tuple[str, int]]
    """People with access per department, the largest first."""
    by_country: list[tuple[str, int]]


def _headcount(
    session: Session, tenant_id: str
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    by_department: Counter[str] = Counter()
    by_country: Counter[str] = Counter()
    groups, countries = people.org_names(session, tenant_id=tenant_id)
    for place in people.placements(session, tenant_id=tenant_id):
        for group_id in place.group_ids or ("",):
            by_department[groups.get((place.connection_id, group_id), "No department")] += 1
        country = countries.get((place.connection_id, place.location_id or ""))
        by_country[country or "Unknown"] += 1
    return by_department.most_common(_CHART_BARS), by_country.most_common(_CHART_BARS)


def home(store: Store, tenant_id: str, *, sync_interval: timedelta) -> Home:
    with transaction(store.sessions) as session:
        tenant = tenant_info(tenants.get_tenant(session, tenant_id))
        recent_rows = runs.list_runs(session, tenant_id=tenant_id, limit=20)
        recent = [run_info(r) for r in recent_rows]
        held = [
            HeldRun(run_info(r), people_in_plan(store.keyring, r.held_plan))
            for r in recent_rows
            if r.status == RunStatus.HELD and r.held_plan is not None
        ]
        health = [
            ConnectionHealth(
                connection_info(c),
                c.last_sync_at + sync_interval
                if c.last_sync_at and c.status == ConnectionStatus.ACTIVE
                else None,
                next((r for r in recent if r.connection_id == c.id), None),
                _field_gaps(recent, c.id),
            )
            for c in connections.list_connections(session, tenant_id=tenant_id)
        ]
        by_department, by_country = _headcount(session, tenant_id)
    audit = list_audit(store, tenant_id=tenant_id, limit=30)
    return Home(tenant, health, recent, held, audit, by_department, by_country)


@dataclass(frozen=True)
class ConnectionOverview:
    connection: ConnectionInfo
    people: list[tuple[Employee, bool]]
    """Each person the HRIS still has, and whether they have access; by last name."""
    groups: dict[str, Group]
    locations: dict[str, Location]
    runs: list[RunInfo]


@dataclass(frozen=True)
class TenantOverview:
    tenant: TenantInfo
    connections: list[ConnectionOverview]
    destinations: list[DestinationInfo]
    deliveries: list[DeliveryInfo]


def _connections(session: Session, store: Store, tenant_id: str) -> list[ConnectionOverview]:
    views = []
    for connection in connections.list_connections(session, tenant_id=tenant_id):
        state = people.load_state(session, store.keyring, connection)
        listed = sorted(
            (
                (p.employee, p.provisioned)
                for p in state.people.values()
                if not p.remote_was_deleted
            ),
            key=lambda pair: (pair[0].last_name, pair[0].first_name),
        )
        history = runs.list_runs(session, tenant_id=tenant_id, connection_id=connection.id)
        views.append(
            ConnectionOverview(
                connection_info(connection),
                listed,
                state.groups,
                state.locations,
                [run_info(r) for r in history],
            )
        )
    return views


def overview(store: Store) -> list[TenantOverview]:
    """Every tenant, with names and emails in clear: for the operator of a local demo only."""
    with transaction(store.sessions) as session:
        found = [
            (tenant_info(t), _connections(session, store, t.id))
            for t in tenants.list_tenants(session)
        ]
    return [
        TenantOverview(
            tenant,
            connection_views,
            list_destinations(store, tenant_id=tenant.id),
            list_deliveries(store, tenant_id=tenant.id, limit=50),
        )
        for tenant, connection_views in found
    ]
