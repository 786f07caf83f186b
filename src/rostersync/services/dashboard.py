"""What the dashboard and the demo's overview show, read in one transaction each."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from rostersync.services.destinations import DestinationInfo, destination_info, list_destinations
from rostersync.services.runs import RunInfo, run_info
from rostersync.services.schedule import NextSync, next_sync
from rostersync.services.tenants import TenantInfo, tenant_info
from rostersync.store import Store
from rostersync.store.repos import audit, connections, destinations, outbox, people, runs, tenants
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
    next_sync: NextSync
    last_run: RunInfo | None
    field_gaps: list[FieldGap] = field(default_factory=list)
    """What the connection's last read (held, previewed or applied) lacked."""


def _field_gaps(last_read: RunInfo | None) -> list[FieldGap]:
    warnings: list[dict[str, Any]] = (
        list(last_read.report.get("field_warnings", ())) if last_read else []
    )
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
class DestinationHealth:
    """How delivery to one destination goes: no body, no secret."""

    destination: DestinationInfo
    backlog: int
    """Events not delivered yet."""
    last_success_at: datetime | None
    recent_failures: int
    """Failed attempts within RECENT_FAILURES."""
    disabled_reason: str | None
    """Why delivery stopped, when the destination was disabled."""


RECENT_FAILURES = timedelta(hours=24)
_READS = (RunStatus.SUCCEEDED, RunStatus.HELD, RunStatus.PREVIEWED)
"""The runs whose report says what a complete read had (a failed one read nothing)."""


@dataclass(frozen=True)
class Home:
    tenant: TenantInfo
    health: list[ConnectionHealth]
    runs: list[RunInfo]
    held: list[HeldRun]
    destinations: list[DestinationHealth]
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


def _connection_health(
    session: Session, tenant_id: str, *, sync_interval: timedelta, now: datetime
) -> list[ConnectionHealth]:
    rows = connections.list_connections(session, tenant_id=tenant_id)
    ids = [c.id for c in rows]
    blocked = runs.blocked_connections(session, connection_ids=ids)
    last = runs.latest_runs(session, connection_ids=ids)
    last_read = runs.latest_runs(session, connection_ids=ids, statuses=_READS)
    return [
        ConnectionHealth(
            connection_info(c),
            next_sync(
                ConnectionStatus(c.status),
                c.last_sync_at,
                blocked_by=blocked.get(c.id, ()),
                interval=sync_interval,
                now=now,
            ),
            run_info(last[c.id]) if c.id in last else None,
            _field_gaps(run_info(last_read[c.id]) if c.id in last_read else None),
        )
        for c in rows
    ]


def _destination_health(session: Session, tenant_id: str, now: datetime) -> list[DestinationHealth]:
    rows = [
        destination_info(d) for d in destinations.list_destinations(session, tenant_id=tenant_id)
    ]
    ids = [d.id for d in rows]
    loads = outbox.destination_loads(session, ids, since=now - RECENT_FAILURES)
    disabled = audit.latest_details(
        session, tenant_id=tenant_id, action="destination.disabled", targets=ids
    )
    return [
        DestinationHealth(
            d,
            loads[d.id].backlog,
            loads[d.id].last_success_at,
            loads[d.id].failures_since,
            None
            if d.enabled
            else str(disabled.get(d.id, {}).get("reason", "disabled by an operator")),
        )
        for d in rows
    ]


def home(
    store: Store, tenant_id: str, *, sync_interval: timedelta, now: datetime | None = None
) -> Home:
    """`sync_interval`: the scheduler's own, so the next sync shown is the one that comes."""
    now = now or datetime.now(UTC)
    with transaction(store.sessions) as session:
        tenant = tenant_info(tenants.get_tenant(session, tenant_id))
        recent = [run_info(r) for r in runs.list_runs(session, tenant_id=tenant_id, limit=20)]
        # Queried for themselves: a held run stays on the page however many runs follow it.
        held = [
            HeldRun(run_info(r), people_in_plan(store.keyring, r.held_plan or ""))
            for r in runs.held_runs(session, tenant_id=tenant_id)
        ]
        health = _connection_health(session, tenant_id, sync_interval=sync_interval, now=now)
        delivery = _destination_health(session, tenant_id, now)
        by_department, by_country = _headcount(session, tenant_id)
    entries = list_audit(store, tenant_id=tenant_id, limit=30)
    return Home(tenant, health, recent, held, delivery, entries, by_department, by_country)


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
