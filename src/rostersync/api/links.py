"""Connect links through the admin API: the URL is in the answer once, only its hash is kept;
and the exchange of a finished link's one-time code for the connection's account token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from rostersync.api.deps import LinkBaseDep, PrincipalDep, StoreDep, owner
from rostersync.model import Environment
from rostersync.services.handoff import exchange_code
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
    redirect_url: str | None = Field(
        default=None,
        description="Where the finish page sends the HR admin back to, with `code` (and "
        "`state`) in its query; https (http only for localhost), no #fragment.",
    )
    allowed_origin: str | None = Field(
        default=None,
        description="Your app's origin (https://app.example.com): it may embed the flow "
        "(modal or popup, /static/connect-embed.js) and is the only origin sent the code.",
    )
    state: str | None = Field(
        default=None, max_length=500, description="Opaque; given back beside the code."
    )


class LinkCreated(BaseModel):
    id: str
    tenant_id: str
    environment: str
    expires_at: datetime
    reconnect: str | None
    redirect_url: str | None
    allowed_origin: str | None
    url: str = Field(description="Send it to the customer's HR admin; shown once.")


@router.post("/links", response_model=LinkCreated, status_code=201, tags=["connect links"])
def create_link(
    body: LinkIn, store: StoreDep, principal: PrincipalDep, link_base: LinkBaseDep
) -> LinkCreated:
    """A single-use connect link for one tenant and environment."""
    issued = issue_link(
        store,
        tenant_id=owner(principal, body.tenant_id),
        environment=body.environment,
        lifetime=parse_lifetime(body.expires),
        actor=principal.actor,
        reconnect=body.reconnect,
        redirect_url=body.redirect_url,
        allowed_origin=body.allowed_origin,
        state=body.state,
    )
    return LinkCreated(
        id=issued.id,
        tenant_id=issued.tenant_id,
        environment=issued.environment,
        expires_at=issued.expires_at,
        reconnect=issued.reconnect,
        redirect_url=issued.handoff.redirect_url,
        allowed_origin=issued.handoff.allowed_origin,
        url=issued.url(link_base),
    )


class ExchangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=200, description="The `code` the finish page handed over.")
    tenant_id: str | None = Field(
        default=None, description="With an admin key: the code must be this tenant's."
    )


class Exchanged(BaseModel):
    connection_id: str
    tenant_id: str
    vendor: str
    environment: Environment
    account_token: str = Field(
        description="For the pull API's X-Account-Token; shown once, and any token issued "
        "before for this connection stops working."
    )


@router.post("/links/exchange", response_model=Exchanged, tags=["connect links"])
def exchange(body: ExchangeIn, store: StoreDep, principal: PrincipalDep) -> Exchanged:
    """Exchange a finished link's one-time code (valid 10 minutes, once) for its connection's
    account token. A used or expired code is a 410; an unknown or another tenant's, a 404."""
    done = exchange_code(
        store, body.code, tenant_id=principal.scope(body.tenant_id), actor=principal.actor
    )
    return Exchanged(
        connection_id=done.connection_id,
        tenant_id=done.tenant_id,
        vendor=done.vendor,
        environment=done.environment,
        account_token=done.account_token,
    )
