"""Request and response bodies of the admin API. Credentials and secrets are write-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TenantIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class TenantOut(BaseModel):
    id: str
    name: str
    created_at: datetime


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = Field(default=None, description="Required with an admin key.")
    provider: str
    credentials: dict[str, str] = Field(description="Write-only: never returned.")
    base_url: str | None = None
    environment: Literal["production", "staging"] = "production"


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
    model_config = ConfigDict(extra="forbid")

    tenant_id: str | None = None
    webhook_url: str
    environment: Literal["production", "staging"] = "production"


class DestinationOut(BaseModel):
    id: str
    tenant_id: str
    kind: str
    url: str
    environment: str
    enabled: bool
    created_at: datetime


class DestinationCreated(DestinationOut):
    signing_secret: str = Field(description="Shown once, at creation.")


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
