"""The admin API: tenants, connections, destinations, runs and the audit log.

Every route checks the caller's tenant (deps.Principal.scope); objects of another tenant are
404, exactly like objects that do not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from rostersync.api.deps import PrincipalDep, SettingsDep, StoreDep
from rostersync.api.schemas import (
    AccountsIn,
    ActionOut,
    AuditOut,
    ConnectionCreated,
    ConnectionIn,
    ConnectionOut,
    DestinationCreated,
    DestinationIn,
    DestinationOut,
    RunDetail,
    RunOut,
    TenantIn,
    TenantOut,
)
from rostersync.delivery.validation import check_webhook_url
from rostersync.engine import setup
from rostersync.engine.approval import decide
from rostersync.engine.policy import Policy
from rostersync.engine.sync import SyncOptions, run_sync
from rostersync.errors import RostersyncError, Terminal
from rostersync.net import parse_url
from rostersync.store import NotFound
from rostersync.store.repos import audit, connections, destinations, runs, tenants
from rostersync.store.repos.accounts import AccountIn
from rostersync.store.session import transaction
from rostersync.store.tables import Destination

router = APIRouter(prefix="/api/v1")


class TenantRequired(RostersyncError, Terminal):
    code = "tenant_required"


def _owner(principal: PrincipalDep, requested: str | None) -> str:
    tenant_id = principal.scope(requested)
    if tenant_id is None:
        raise TenantRequired("an admin key must say which tenant: set tenant_id")
    return tenant_id


@router.get("/tenants", response_model=list[TenantOut], tags=["tenants"])
def list_tenants(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[TenantOut]:
    scope = principal.scope(tenant_id)
    with transaction(store.sessions) as session:
        rows = tenants.list_tenants(session)
        if scope is not None:
            rows = [t for t in rows if t.id == scope]
        return [TenantOut.model_validate(t, from_attributes=True) for t in rows]


@router.post("/tenants", response_model=TenantOut, status_code=201, tags=["tenants"])
def create_tenant(body: TenantIn, store: StoreDep, principal: PrincipalDep) -> TenantOut:
    principal.require_admin()
    created = setup.create_tenant(store, body.name, actor=principal.actor)
    with transaction(store.sessions) as session:
        return TenantOut.model_validate(
            tenants.get_tenant(session, created.id), from_attributes=True
        )


@router.get("/connections", response_model=list[ConnectionOut], tags=["connections"])
def list_connections(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[ConnectionOut]:
    with transaction(store.sessions) as session:
        rows = connections.list_connections(session, tenant_id=principal.scope(tenant_id))
        return [ConnectionOut.model_validate(c, from_attributes=True) for c in rows]


@router.post(
    "/connections", response_model=ConnectionCreated, status_code=201, tags=["connections"]
)
def create_connection(
    body: ConnectionIn, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> ConnectionCreated:
    if body.base_url is not None:
        parse_url(body.base_url, name="base URL")
    created = setup.create_connection(
        store,
        tenant_id=_owner(principal, body.tenant_id),
        provider=body.provider,
        credentials=body.credentials,
        base_url=body.base_url,
        environment=body.environment,
        allow_loopback=settings.allow_loopback,
        actor=principal.actor,
    )
    shown = get_connection(created.id, store, principal)
    return ConnectionCreated(**shown.model_dump(), account_token=created.account_token or "")


@router.get("/connections/{connection_id}", response_model=ConnectionOut, tags=["connections"])
def get_connection(connection_id: str, store: StoreDep, principal: PrincipalDep) -> ConnectionOut:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(
            session, connection_id, tenant_id=principal.scope(None)
        )
        return ConnectionOut.model_validate(connection, from_attributes=True)


@router.post("/connections/{connection_id}/sync", tags=["connections"])
def sync_connection(
    connection_id: str,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    dry_run: Annotated[bool, Query(description="Show the actions; deliver nothing.")] = False,
) -> dict[str, object]:
    report = run_sync(
        store,
        connection_id,
        tenant_id=principal.scope(None),
        options=SyncOptions(dry_run=dry_run, allow_loopback=settings.allow_loopback),
    )
    return report.as_dict()


@router.get("/connections/{connection_id}/policy", response_model=Policy, tags=["connections"])
def get_policy(connection_id: str, store: StoreDep, principal: PrincipalDep) -> Policy:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(
            session, connection_id, tenant_id=principal.scope(None)
        )
        return Policy.model_validate(connection.policy or {})


@router.put("/connections/{connection_id}/policy", response_model=Policy, tags=["connections"])
def put_policy(
    connection_id: str, body: dict[str, Any], store: StoreDep, principal: PrincipalDep
) -> Policy:
    """Replace the lifecycle policy: lookahead, leave, leavers, scope rules, hold thresholds."""
    return setup.set_policy(
        store, connection_id, body, tenant_id=principal.scope(None), actor=principal.actor
    )


@router.post("/accounts", status_code=200, tags=["accounts"])
def import_accounts(body: AccountsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, int]:
    """Existing product accounts to link joiners to (emails are kept as a blind index only)."""
    items = [AccountIn(a.account_id, a.email, a.external_id) for a in body.accounts]
    count = setup.import_accounts(
        store, _owner(principal, body.tenant_id), items, actor=principal.actor
    )
    return {"imported": count}


@router.post("/connections/{connection_id}/disconnect", status_code=204, tags=["connections"])
def disconnect_connection(connection_id: str, store: StoreDep, principal: PrincipalDep) -> None:
    """Delete the credentials and purge the connection's people, groups and locations."""
    setup.disconnect(store, connection_id, tenant_id=principal.scope(None), actor=principal.actor)


@router.get("/destinations", response_model=list[DestinationOut], tags=["destinations"])
def list_destinations(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[DestinationOut]:
    with transaction(store.sessions) as session:
        rows = destinations.list_destinations(session, tenant_id=principal.scope(tenant_id))
        return [DestinationOut.model_validate(d, from_attributes=True) for d in rows]


@router.post(
    "/destinations", response_model=DestinationCreated, status_code=201, tags=["destinations"]
)
def create_destination(
    body: DestinationIn, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> DestinationCreated:
    tenant_id = _owner(principal, body.tenant_id)
    check_webhook_url(body.webhook_url, allow_loopback=settings.allow_loopback)
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        destination, secret = destinations.create_webhook(
            session,
            store.keyring,
            tenant_id=tenant_id,
            url=body.webhook_url,
            environment=body.environment,
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=principal.actor,
            action="destination.created",
            target=destination.id,
        )
        out = DestinationOut.model_validate(destination, from_attributes=True)
    return DestinationCreated(**out.model_dump(), signing_secret=secret)


@router.post(
    "/destinations/{destination_id}/rotate-secret",
    response_model=DestinationCreated,
    tags=["destinations"],
)
def rotate_destination_secret(
    destination_id: str,
    store: StoreDep,
    principal: PrincipalDep,
    overlap_hours: Annotated[
        int, Query(ge=destinations.OVERLAP_HOURS[0], le=destinations.OVERLAP_HOURS[-1])
    ] = 24,
) -> DestinationCreated:
    """A new signing secret, shown once; the old one keeps signing during the overlap."""
    scope = principal.scope(None)
    with transaction(store.sessions) as session:
        destination = session.get(Destination, destination_id)
        if destination is None or (scope is not None and destination.tenant_id != scope):
            raise NotFound("destination", destination_id)
        secret = destinations.rotate_secret(
            store.keyring,
            destination,
            overlap=timedelta(hours=overlap_hours),
            now=datetime.now(UTC),
        )
        audit.record(
            session,
            tenant_id=destination.tenant_id,
            actor=principal.actor,
            action="destination.secret_rotated",
            target=destination_id,
            details={"overlap_hours": overlap_hours},
        )
        out = DestinationOut.model_validate(destination, from_attributes=True)
    return DestinationCreated(**out.model_dump(), signing_secret=secret)


@router.get("/runs", response_model=list[RunOut], tags=["runs"])
def list_runs(
    store: StoreDep,
    principal: PrincipalDep,
    tenant_id: str | None = None,
    connection_id: str | None = None,
) -> list[RunOut]:
    with transaction(store.sessions) as session:
        rows = runs.list_runs(
            session, tenant_id=principal.scope(tenant_id), connection_id=connection_id
        )
        return [RunOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/runs/{run_id}", response_model=RunDetail, tags=["runs"])
def get_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> RunDetail:
    with transaction(store.sessions) as session:
        run = runs.get_run(session, run_id, tenant_id=principal.scope(None))
        actions = [
            ActionOut.model_validate(a, from_attributes=True)
            for a in runs.run_actions(session, run)
        ]
        return RunDetail(
            **RunOut.model_validate(run, from_attributes=True).model_dump(), actions=actions
        )


@router.post("/runs/{run_id}/approve", tags=["runs"])
def approve_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, object]:
    """Apply a held run's plan as it was planned and deliver its events (audited)."""
    report = decide(
        store, run_id, approve=True, tenant_id=principal.scope(None), actor=principal.actor
    )
    return report.as_dict()


@router.post("/runs/{run_id}/reject", tags=["runs"])
def reject_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, object]:
    """Discard a held run's plan: nothing of it is delivered (audited)."""
    report = decide(
        store, run_id, approve=False, tenant_id=principal.scope(None), actor=principal.actor
    )
    return report.as_dict()


@router.get("/audit", response_model=list[AuditOut], tags=["audit"])
def list_audit(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[AuditOut]:
    scope = _owner(principal, tenant_id)
    with transaction(store.sessions) as session:
        return [
            AuditOut.model_validate(e, from_attributes=True)
            for e in audit.list_events(session, tenant_id=scope)
        ]
