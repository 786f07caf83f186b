"""API keys through the API: a tenant key manages its own tenant's keys; only an admin key
may create admin keys or act on any tenant's."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from rostersync.api.deps import PrincipalDep, StoreDep, owner
from rostersync.api.schemas import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from rostersync.services import apikeys

router = APIRouter(prefix="/api/v1", tags=["api keys"])


@router.get("/apikeys", response_model=list[ApiKeyOut])
def list_keys(
    store: StoreDep, principal: PrincipalDep, tenant_id: str | None = None
) -> list[ApiKeyOut]:
    listed = apikeys.list_keys(store, tenant_id=principal.scope(tenant_id))
    return [ApiKeyOut.model_validate(k, from_attributes=True) for k in listed]


@router.post("/apikeys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyIn, store: StoreDep, principal: PrincipalDep) -> ApiKeyCreated:
    """A new key, in the answer once (only a hash of it is stored)."""
    if body.admin:
        principal.require_admin()
        if body.tenant_id is not None:
            raise HTTPException(status_code=422, detail="an admin key has no tenant_id")
        tenant_id = None
    else:
        tenant_id = owner(principal, body.tenant_id)
    created = apikeys.create_key(store, tenant_id=tenant_id, name=body.name, actor=principal.actor)
    return ApiKeyCreated.model_validate(created, from_attributes=True)


@router.post("/apikeys/{key_id}/revoke", response_model=ApiKeyOut)
def revoke_key(key_id: str, store: StoreDep, principal: PrincipalDep) -> ApiKeyOut:
    """The key stops working at once, for the API and for dashboard sessions signed in with it."""
    revoked = apikeys.revoke_key(
        store, key_id, tenant_id=principal.scope(None), actor=principal.actor
    )
    return ApiKeyOut.model_validate(revoked, from_attributes=True)
