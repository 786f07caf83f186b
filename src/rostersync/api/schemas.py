"""Request and response bodies of the admin API. Credentials and secrets are write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Base64Bytes, BaseModel, ConfigDict, Field

from rostersync.model import EVENT_TYPES, Environment


class TenantIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    timezone: str = Field(
        default="UTC", max_length=64, description="IANA zone: 'today' for start dates."
    )


class TenantOut(BaseModel):
    id: str
    name: str
    timezone: str
    created_at: datetime


class BrandingIn(BaseModel):
    """A tenant's brand on its connect pages, replaced whole: a field left out (or null) is the
    deployment's. The rules are the deployment's: see services.branding."""

    model_config = ConfigDict(extra="forbid")

    product_name: str | None = Field(default=None, max_length=200)
    primary_colour: str | None = Field(
        default=None, max_length=20, description="#rrggbb, at least 4.5:1 against white."
    )
    accent_colour: str | None = Field(default=None, max_length=20, description="#rrggbb.")
    support_contact: str | None = Field(
        default=None, max_length=500, description="An e-mail address or https:// URL."
    )
    logo_base64: Base64Bytes | None = Field(
        default=None, description="A PNG, JPEG, WebP or SVG image of at most 128 KiB, base64."
    )


class BrandingOut(BaseModel):
    """What the tenant set; null is the deployment's."""

    tenant_id: str
    product_name: str | None
    primary_colour: str | None
    accent_colour: str | None
    support_contact: str | None
    logo_path: str | None = Field(description="Where the connect pages load the logo from.")
    modified_at: datetime | None


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(default=None, description="Required with an admin key.")
    provider: str
    credentials: dict[str, str] = Field(description="Write-only: never returned.")
    base_url: str | None = None
    environment: Environment = Environment.PRODUCTION


class ConnectionOut(BaseModel):
    id: str
    tenant_id: str
    provider: str
    environment: str
    status: str
    status_reason: str | None
    base_url: str | None
    created_at: datetime
    last_sync_at: datetime | None


class ConnectionCreated(ConnectionOut):
    account_token: str = Field(description="For the pull API's X-Account-Token; shown once.")


class DestinationIn(BaseModel):
    """A webhook endpoint or a SCIM 2.0 server: exactly one of `webhook_url`, `scim_url`."""

    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(default=None, description="Required with an admin key.")
    webhook_url: str | None = Field(
        default=None, description="HTTPS endpoint that receives signed events."
    )
    scim_url: str | None = Field(
        default=None, description="SCIM 2.0 base URL (the one /Users is under)."
    )
    scim_token: str | None = Field(
        default=None, description="Bearer token for the SCIM server. Write-only: never returned."
    )
    event_types: list[str] = Field(
        default_factory=list,
        description="Deliver only these event types (empty: all): " + ", ".join(EVENT_TYPES),
    )
    thin: bool = Field(default=False, description="Webhooks carry ids only; pull the rest.")
    scim_groups: bool = Field(default=False, description="Keep SCIM Groups for departments.")
    hard_delete: bool = Field(
        default=False, description="SCIM: DELETE users on user.delete (after the grace period)."
    )
    environment: Environment = Environment.PRODUCTION


class DestinationOut(BaseModel):
    id: str
    tenant_id: str
    kind: str
    url: str
    environment: str
    enabled: bool
    created_at: datetime
    options: dict[str, Any]


class DestinationCreated(DestinationOut):
    signing_secret: str | None = Field(
        description="A webhook's signing secret, shown once; null for a SCIM destination."
    )


class RunOut(BaseModel):
    id: str
    tenant_id: str
    connection_id: str
    status: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    report: dict[str, Any]
    error_code: str | None
    error_message: str | None


class ActionOut(BaseModel):
    id: str
    kind: str
    remote_id: str
    rule: str
    changed_fields: list[str]
    from_status: str | None
    to_status: str | None
    account_id: str | None
    cause: str


class RunDetail(RunOut):
    actions: list[ActionOut]


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(
        default=None, description="The key's tenant; required with an admin key, unless admin."
    )
    admin: bool = Field(default=False, description="A key for every tenant (admin keys only).")
    name: str = Field(default="api", min_length=1, max_length=200, description="What it is for.")


class ApiKeyOut(BaseModel):
    id: str
    tenant_id: str | None
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    token: str = Field(description="`Authorization: Bearer` value; shown once.")


class DeliveryOut(BaseModel):
    id: str = Field(description="The webhook-id.")
    tenant_id: str
    destination_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


class ReplayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(default=None, description="Required with an admin key.")
    ids: list[str] = Field(
        min_length=1, max_length=1000, description="webhook-ids of failed entries."
    )


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]


class AccountItem(BaseModel):
    account_id: str = Field(min_length=1)
    email: str | None = None
    external_id: str | None = Field(default=None, description="The HRIS id, if known.")


class AccountsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = None
    accounts: list[AccountItem]
