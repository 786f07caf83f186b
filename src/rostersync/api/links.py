"""Connect links through the admin API: the URL is in the answer once, only its hash is kept."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from rostersync.api.deps import PrincipalDep, StoreDep, owner
from rostersync.model import Environment
from rostersync.services.links import issue_link, parse_lifetime

router = APIRouter(prefix="/api/v1")


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(default=None, description="Required with an admin key.")
    environment: Environment = Environment.PRODUCTION
    expires: str = Field(default="7d", description="Lifetime: 30m, 12h, 7d (at most 30d).")
    reconnect: str | None = Field(
        default=None,
        description="A connection id: the link renews its credentials (people kept) and "
        "takes that connection's environment.",
    )


class LinkCreated(BaseModel):
    id: str
    tenant_id: str
    environment: str
    expires_at: datetime
    reconnect: str | None
    url: str = Field(description="Send it to the customer's HR admin; shown once.")


@router.post("/links", response_model=LinkCreated, status_code=201, tags=["connect links"])
def create_link(
    body: LinkIn, request: Request, store: StoreDep, principal: PrincipalDep
) -> LinkCreated:
    """A single-use connect link for one tenant and environment."""
    issued = issue_link(
        store,
        tenant_id=owner(principal, body.tenant_id),
        environment=body.environment,
        lifetime=parse_lifetime(body.expires),
        actor=principal.actor,
        reconnect=body.reconnect,
    )
    return LinkCreated(
        id=issued.id,
        tenant_id=issued.tenant_id,
        environment=issued.environment,
        expires_at=issued.expires_at,
        reconnect=issued.reconnect,
        url=issued.url(str(request.base_url)),
    )
