"""The admin API: tenants, connections, destinations, runs, accounts and the audit log.

Every route checks the caller's tenant (deps.Principal.scope); objects of another tenant are
404, exactly like objects that do not exist.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from rostersync.api.deps import PrincipalDep, SettingsDep, StoreDep, owner
from rostersync.api.schemas import (
    AccountsIn,
    AuditOut,
    BrandingIn,
    BrandingOut,
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
from rostersync.engine import Policy
from rostersync.services import (
    accounts,
    approvals,
    audit,
    branding,
    connections,
    destinations,
    runs,
    tenants,
)

router = APIRouter(prefix="/api/v1")


@router.get("/tenants", response_model=list[TenantOut], tags=["tenants"])
def list_tenants(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[TenantOut]:
    listed = tenants.list_tenants(store, tenant_id=principal.scope(tenant_id))
    return [TenantOut.model_validate(t, from_attributes=True) for t in listed]


@router.post("/tenants", response_model=TenantOut, status_code=201, tags=["tenants"])
def create_tenant(body: TenantIn, store: StoreDep, principal: PrincipalDep) -> TenantOut:
    principal.require_admin()
    created = tenants.create_tenant(store, body.name, actor=principal.actor, timezone=body.timezone)
    return TenantOut.model_validate(created, from_attributes=True)


@router.get("/tenants/{tenant_id}/branding", response_model=BrandingOut, tags=["tenants"])
def get_branding(tenant_id: str, store: StoreDep, principal: PrincipalDep) -> BrandingOut:
    shown = branding.get_branding(store, owner(principal, tenant_id))
    return BrandingOut.model_validate(shown, from_attributes=True)


@router.put("/tenants/{tenant_id}/branding", response_model=BrandingOut, tags=["tenants"])
def put_branding(
    tenant_id: str, body: BrandingIn, store: StoreDep, principal: PrincipalDep
) -> BrandingOut:
    """The brand this tenant's connect pages show. A tenant key may set its own tenant's."""
    saved = branding.set_branding(
        store,
        owner(principal, tenant_id),
        product_name=body.product_name,
        primary_colour=body.primary_colour,
        accent_colour=body.accent_colour,
        support_contact=body.support_contact,
        logo=body.logo_base64,
        actor=principal.actor,
    )
    return BrandingOut.model_validate(saved, from_attributes=True)


@router.delete("/tenants/{tenant_id}/branding", status_code=204, tags=["tenants"])
def delete_branding(tenant_id: str, store: StoreDep, principal: PrincipalDep) -> None:
    """The tenant's connect pages show the deployment's brand again."""
    branding.clear_branding(store, owner(principal, tenant_id), actor=principal.actor)


@router.get("/connections", response_model=list[ConnectionOut], tags=["connections"])
def list_connections(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[ConnectionOut]:
    listed = connections.list_connections(store, tenant_id=principal.scope(tenant_id))
    return [ConnectionOut.model_validate(c, from_attributes=True) for c in listed]


@router.post(
    "/connections", response_model=ConnectionCreated, status_code=201, tags=["connections"]
)
def create_connection(
    body: ConnectionIn, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> ConnectionCreated:
    created = connections.create_connection(
        store,
        tenant_id=owner(principal, body.tenant_id),
        provider=body.provider,
        credentials=body.credentials,
        base_url=body.base_url,
        environment=body.environment,
        allow_loopback=settings.allow_loopback,
        actor=principal.actor,
    )
    return ConnectionCreated.model_validate(created, from_attributes=True)


@router.get("/connections/{connection_id}", response_model=ConnectionOut, tags=["connections"])
def get_connection(connection_id: str, store: StoreDep, principal: PrincipalDep) -> ConnectionOut:
    shown = connections.get_connection(store, connection_id, tenant_id=principal.scope(None))
    return ConnectionOut.model_validate(shown, from_attributes=True)


@router.post("/connections/{connection_id}/sync", tags=["connections"])
def sync_connection(
    connection_id: str,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    dry_run: Annotated[bool, Query(description="Show the actions; deliver nothing.")] = False,
    as_of: Annotated[
        date | None, Query(description="The day statuses are read against (default: today).")
    ] = None,
) -> dict[str, object]:
    report = runs.sync_now(
        store,
        connection_id,
        tenant_id=principal.scope(None),
        allow_loopback=settings.allow_loopback,
        dry_run=dry_run,
        as_of=as_of,
    )
    return report.as_dict()


@router.post(
    "/connections/{connection_id}/promote", response_model=ConnectionOut, tags=["connections"]
)
def promote_connection(
    connection_id: str, store: StoreDep, principal: PrincipalDep
) -> ConnectionOut:
    """A staging connection goes to production: from now on it delivers to production."""
    promoted = connections.promote(
        store, connection_id, tenant_id=principal.scope(None), actor=principal.actor
    )
    return ConnectionOut.model_validate(promoted, from_attributes=True)


@router.get("/connections/{connection_id}/policy", response_model=Policy, tags=["connections"])
def get_policy(connection_id: str, store: StoreDep, principal: PrincipalDep) -> Policy:
    return connections.get_policy(store, connection_id, tenant_id=principal.scope(None))


@router.put("/connections/{connection_id}/policy", response_model=Policy, tags=["connections"])
def put_policy(
    connection_id: str, body: dict[str, Any], store: StoreDep, principal: PrincipalDep
) -> Policy:
    """Replace the lifecycle policy: lookahead, leave, leavers, scope rules, hold thresholds."""
    return connections.set_policy(
        store, connection_id, body, tenant_id=principal.scope(None), actor=principal.actor
    )


@router.post("/accounts", status_code=200, tags=["accounts"])
def import_accounts(body: AccountsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, int]:
    """Existing product accounts to link joiners to (emails are kept as a blind index only)."""
    items = [accounts.AccountIn(a.account_id, a.email, a.external_id) for a in body.accounts]
    count = accounts.import_accounts(
        store, owner(principal, body.tenant_id), items, actor=principal.actor
    )
    return {"imported": count}


@router.post("/connections/{connection_id}/disconnect", status_code=204, tags=["connections"])
def disconnect_connection(connection_id: str, store: StoreDep, principal: PrincipalDep) -> None:
    """Delete the credentials and purge the connection's people, groups and locations."""
    connections.disconnect(
        store, connection_id, tenant_id=principal.scope(None), actor=principal.actor
    )


@router.get("/destinations", response_model=list[DestinationOut], tags=["destinations"])
def list_destinations(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[DestinationOut]:
    listed = destinations.list_destinations(store, tenant_id=principal.scope(tenant_id))
    return [DestinationOut.model_validate(d, from_attributes=True) for d in listed]


@router.post(
    "/destinations", response_model=DestinationCreated, status_code=201, tags=["destinations"]
)
def create_destination(
    body: DestinationIn, store: StoreDep, settings: SettingsDep, principal: PrincipalDep
) -> DestinationCreated:
    """A webhook destination (its signing secret is in the answer, once) or a SCIM one."""
    spec = destinations.DestinationSpec(**body.model_dump(exclude={"tenant_id"}))
    created = destinations.create_destination(
        store,
        owner(principal, body.tenant_id),
        spec,
        allow_loopback=settings.allow_loopback,
        actor=principal.actor,
    )
    return DestinationCreated.model_validate(created, from_attributes=True)


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
    rotated = destinations.rotate_secret(
        store,
        destination_id,
        tenant_id=principal.scope(None),
        overlap_hours=overlap_hours,
        actor=principal.actor,
    )
    return DestinationCreated.model_validate(rotated, from_attributes=True)


@router.get("/runs", response_model=list[RunOut], tags=["runs"])
def list_runs(
    store: StoreDep,
    principal: PrincipalDep,
    tenant_id: str | None = None,
    connection_id: str | None = None,
) -> list[RunOut]:
    listed = runs.list_runs(
        store, tenant_id=principal.scope(tenant_id), connection_id=connection_id
    )
    return [RunOut.model_validate(r, from_attributes=True) for r in listed]


@router.get("/runs/{run_id}", response_model=RunDetail, tags=["runs"])
def get_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> RunDetail:
    run = runs.get_run(store, run_id, tenant_id=principal.scope(None))
    return RunDetail.model_validate(asdict(run))


@router.post("/runs/{run_id}/approve", tags=["runs"])
def approve_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, object]:
    """Apply a held run's plan as it was planned and deliver its events (audited)."""
    report = approvals.decide(
        store, run_id, approve=True, tenant_id=principal.scope(None), actor=principal.actor
    )
    return report.as_dict()


@router.post("/runs/{run_id}/reject", tags=["runs"])
def reject_run(run_id: str, store: StoreDep, principal: PrincipalDep) -> dict[str, object]:
    """Discard a held run's plan: nothing of it is delivered (audited)."""
    report = approvals.decide(
        store, run_id, approve=False, tenant_id=principal.scope(None), actor=principal.actor
    )
    return report.as_dict()


@router.get("/audit", response_model=list[AuditOut], tags=["audit"])
def list_audit(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[AuditOut]:
    entries = audit.list_audit(store, tenant_id=owner(principal, tenant_id))
    return [AuditOut.model_validate(e, from_attributes=True) for e in entries]
