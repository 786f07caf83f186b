"""What every API route depends on: the store, the settings, and who is calling.

Every route takes a Principal. A tenant key sees its own tenant only: anything else is a 404,
so a key cannot even learn that another tenant's object exists. Admin keys act on any tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rostersync.errors import ExitCode, RostersyncError, Terminal
from rostersync.services.apikeys import authenticate
from rostersync.settings import Settings
from rostersync.store import Store

_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer rsk_…`")


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_link_base(request: Request) -> str:
    """The base of every URL we hand out (Settings.link_base, fixed when the app is built),
    never this request's Host header, which the caller chooses."""
    base: str = request.app.state.link_base
    return base


@dataclass(frozen=True)
class Principal:
    key_id: str
    tenant_id: str | None
    """None for an admin key."""

    @property
    def is_admin(self) -> bool:
        return self.tenant_id is None

    def scope(self, requested: str | None) -> str | None:
        """The tenant a query is limited to: the key's own, or what an admin asked for."""
        if self.tenant_id is None:
            return requested
        if requested is not None and requested != self.tenant_id:
            raise HTTPException(status_code=404, detail="not found")
        return self.tenant_id

    def require_admin(self) -> None:
        if not self.is_admin:
            raise HTTPException(status_code=403, detail="this route needs an admin key")

    @property
    def actor(self) -> str:
        return f"api-key:{self.key_id}"


def principal(
    store: Annotated[Store, Depends(get_store)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status_code=401, detail="an API key is required", headers={"WWW-Authenticate": "Bearer"}
        )
    key = authenticate(store, credentials.credentials)
    if key is None:
        raise HTTPException(
            status_code=401,
            detail="the API key is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Principal(key.id, key.tenant_id)


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[Principal, Depends(principal)]
LinkBaseDep = Annotated[str, Depends(get_link_base)]


class TenantRequired(RostersyncError, Terminal):
    code = "tenant_required"
    http_status = 422
    exit_code = ExitCode.BAD_INPUT


def owner(principal: Principal, requested: str | None) -> str:
    """The one tenant a write is for: the key's own, or the one an admin key names."""
    tenant_id = principal.scope(requested)
    if tenant_id is None:
        raise TenantRequired("an admin key must say which tenant: set tenant_id")
    return tenant_id
