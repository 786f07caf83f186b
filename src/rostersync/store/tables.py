"""Every table, in one module so Alembic sees them all.

People columns are exactly the allowlist (model.fields); the personal ones hold AES-GCM
ciphertexts (store.crypto), the work email also an HMAC blind index for matching. Every row that
belongs to a customer carries its tenant_id, and every repository filters on it.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from rostersync.model import ConnectionStatus, DeliveryStatus, DestinationKind, Environment


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    """IANA zone: "today" for start dates and lookahead is the tenant's today."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TenantBranding(Base):
    """A tenant's own brand on its connect pages (a product reselling to several brands);
    a None column falls back to the deployment's (Settings.branding)."""

    __tablename__ = "tenant_branding"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    product_name: Mapped[str | None] = mapped_column(String(60))
    primary_colour: Mapped[str | None] = mapped_column(String(7))
    accent_colour: Mapped[str | None] = mapped_column(String(7))
    support_contact: Mapped[str | None] = mapped_column(String(500))
    logo: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The uploaded image itself, type- and size-checked: served from our origin, so the
    pages' CSP (images from 'self') holds and nothing is fetched while a page renders."""
    logo_type: Mapped[str | None] = mapped_column(String(32))
    logo_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    """SHA-256 of the logo: its address (/static/logos/<digest>), so no tenant id is shown."""
    modified_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Connection(Base):
    __tablename__ = "connections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    environment: Mapped[str] = mapped_column(String(16), default=Environment.PRODUCTION)
    base_url: Mapped[str | None] = mapped_column(String(500))
    credentials: Mapped[str | None] = mapped_column(Text)
    """AES-GCM ciphertext of the credential JSON; write-only; None once disconnected."""
    status: Mapped[str] = mapped_column(String(32), default=ConnectionStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """engine.policy.Policy as JSON; {} is the default policy."""
    account_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the connection's account token (pull API `X-Account-Token`), shown once."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sync_at: Mapped[datetime | None]


class Person(Base):
    """One employee of a connection: the allowlisted fields, personal ones encrypted."""

    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("connection_id", "remote_id"),
        Index("ix_people_email_index", "tenant_id", "work_email_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    remote_id: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(Text)
    last_name: Mapped[str] = mapped_column(Text)
    work_email: Mapped[str | None] = mapped_column(Text)
    work_email_index: Mapped[str | None] = mapped_column(String(64))
    fingerprint: Mapped[str | None] = mapped_column(String(80))
    """Keyring.fingerprint of the stored employee: a re-sync decrypts only who differs."""
    employment_status: Mapped[str] = mapped_column(String(16))
    group_ids: Mapped[list[str]]
    manager_remote_id: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    location_id: Mapped[str | None] = mapped_column(String(200))
    on_garden_leave: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    provisioned: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether the product should have this person as an active user (our last action)."""
    account_id: Mapped[str | None] = mapped_column(String(200))
    """The product account this person is linked to (matching), if any."""
    deprovisioned_on: Mapped[date | None] = mapped_column(Date)
    account_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    remote_was_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    access_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times access was granted or removed: part of every action id."""
    missing_since: Mapped[datetime | None]
    """When a complete read first missed this person (removal waits for a confirming read)."""
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgGroup(Base):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    remote_id: Mapped[str] = mapped_column(String(200))
    group_type: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(500))
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkLocation(Base):
    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("connection_id", "remote_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    remote_id: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    modified_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(String(500))
    """Rendered by RostersyncError: never a secret or a personal field."""
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    report: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Remote ids needing a person (no email, disputed matches), hold reason: no personal values."""
    held_plan: Mapped[str | None] = mapped_column(Text)
    """AES-GCM ciphertext of a held run's plan, applied as it is if an admin approves."""
    decided_by: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None]
    """Touched while a run reads or applies; a running run whose heartbeat stopped is failed
    as dead."""
    applying_since: Mapped[datetime | None]
    """Set once a running run starts writing its plan, a chunk per transaction, into the staged
    tables; until it finishes, nothing of it is in the tables the product reads."""


class Action(Base):
    """A planned lifecycle action and its cause. No personal values: ids and field names only."""

    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("sync_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    remote_id: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(64))
    changed_fields: Mapped[list[str]] = mapped_column(default=list)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    account_id: Mapped[str | None] = mapped_column(String(200))
    cause: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Destination(Base):
    __tablename__ = "destinations"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=DestinationKind.WEBHOOK)
    url: Mapped[str] = mapped_column(String(1000))
    """Safe to show: every query value is `***` (repos.destinations.target_url rebuilds it)."""
    url_query: Mapped[str | None] = mapped_column(Text)
    """AES-GCM ciphertext of the URL's query string, which often holds the receiver's token."""
    secret: Mapped[str] = mapped_column(Text)
    """AES-GCM ciphertext of the signing secret; shown once at creation."""
    previous_secret: Mapped[str | None] = mapped_column(Text)
    """After a rotation, the old secret (ciphertext): events carry both signatures until..."""
    previous_secret_until: Mapped[datetime | None]
    environment: Mapped[str] = mapped_column(String(16), default=Environment.PRODUCTION)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Kind-specific settings without secrets (event-type filter, thin payloads, SCIM options)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxEntry(Base):
    """One event for one destination. Its id is the webhook-id: stable across retries."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # A person's line: claim_due asks whether an earlier entry of it is undelivered.
        Index("ix_outbox_line", "destination_id", "subject", "sequence"),
    )

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    """Insertion order; events for one person are sent in this order."""
    id: Mapped[str] = mapped_column(String(64), unique=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    destination_id: Mapped[str] = mapped_column(ForeignKey("destinations.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(300))
    """Ordering key: connection and remote id of the person (no personal value)."""
    payload: Mapped[str] = mapped_column(Text)
    """AES-GCM ciphertext of the JSON body: it carries names and emails."""
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    lease_until: Mapped[datetime | None]
    """A worker that claimed the entry owns it until then; after a crash it is due again."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One try at delivering an outbox entry: status and timing, never the body."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    outbox_id: Mapped[str] = mapped_column(String(64), index=True)
    destination_id: Mapped[str] = mapped_column(ForeignKey("destinations.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    duration_ms: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))


class ConnectLink(Base):
    """A connect link for a customer's HR admin: random token stored hashed, single use."""

    __tablename__ = "connect_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    environment: Mapped[str] = mapped_column(String(16), default=Environment.PRODUCTION)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    connection_id: Mapped[str | None] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    """Set by disconnect: the link no longer works, whatever its expiry."""
    redirect_url: Mapped[str | None] = mapped_column(String(2000))
    """Where the finish page sends the admin back to, with the hand-off code."""
    allowed_origin: Mapped[str | None] = mapped_column(String(300))
    """The product's origin: it may frame the flow and is the only one told the code."""
    return_state: Mapped[str | None] = mapped_column(String(500))
    """The product's opaque `state`, given back beside the code."""


class HandoffCode(Base):
    """A one-time code the product exchanges for a link-made connection's account token
    (Merge's public-token pattern): random, stored hashed, minutes long, single use."""

    __tablename__ = "handoff_codes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), index=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("connect_links.id"), index=True)
    connection_id: Mapped[str] = mapped_column(ForeignKey("connections.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OAuthGrant(Base):
    """One OAuth consent under way from a connect link: its `state`, stored hashed, good once
    and for a few minutes (RFC 6749 10.12). The PKCE verifier stays in the admin's browser."""

    __tablename__ = "oauth_grants"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("connect_links.id"), index=True)
    provider: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProductAccount(Base):
    """An account that already exists in the product, for matching people to it."""

    __tablename__ = "product_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "account_id"),
        Index("ix_product_accounts_email_index", "tenant_id", "email_index"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    account_id: Mapped[str] = mapped_column(String(200))
    email_index: Mapped[str | None] = mapped_column(String(64))
    """HMAC blind index of the account's email: matching without keeping the email."""
    external_id: Mapped[str | None] = mapped_column(String(200))
    """The HRIS id the product already knows for this account, if any."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key for the API: admin (tenant_id None) or scoped to one tenant. Only a hash is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str | None] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class EndedSession(Base):
    """A dashboard session signed out of: its cookie stops working before it expires."""

    __tablename__ = "ended_sessions"

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    """The random value that makes each sign-in's cookie its own; no secret once ended."""
    expires_at: Mapped[datetime]
    """The cookie's own expiry: past it the cookie is refused anyway and the row is deleted."""


class KeyCheck(Base):
    """A known value sealed under each master key version the database has been written with.

    Not in ENCRYPTED_COLUMNS: a rotation must not re-seal it, since it proves its own version.
    """

    __tablename__ = "key_checks"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tenant_id: Mapped[str | None] = mapped_column(String(32), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


def _staged(live: Table, name: str) -> Table:
    """The twin of a live table holding one applying run's rows until the run is published.

    Same columns, types and defaults, without the live table's keys and unique constraints (a
    staged action id may be in `actions` already: publishing skips it), plus the run (an
    action row names it already) and the order rows were staged in, which publishing keeps.
    Ciphertexts are sealed for the live column (`people.first_name`), so publishing copies
    them as they are.
    """
    copies = [
        Column(column.name, column.type, nullable=column.nullable, default=column.default)
        for column in live.columns
        if column.name != "run_id" and not (column.primary_key and column.autoincrement is True)
    ]
    return Table(
        name,
        Base.metadata,
        Column("staged_seq", Integer, primary_key=True, autoincrement=True),
        Column("run_id", String(32), nullable=False, index=True),
        *copies,
    )


STAGED_PEOPLE = _staged(Base.metadata.tables[Person.__tablename__], "staged_people")
STAGED_ACTIONS = _staged(Base.metadata.tables[Action.__tablename__], "staged_actions")
STAGED_OUTBOX = _staged(Base.metadata.tables[OutboxEntry.__tablename__], "staged_outbox")


ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "connections": ("credentials",),
    "people": ("first_name", "last_name", "work_email"),
    "destinations": ("secret", "previous_secret", "url_query"),
    "outbox": ("payload",),
    "sync_runs": ("held_plan",),
}
"""Every ciphertext column; its AES-GCM associated data is `"<table>.<column>"`."""

STAGED_CIPHERTEXTS: dict[str, str] = {
    STAGED_PEOPLE.name: Person.__tablename__,
    STAGED_OUTBOX.name: OutboxEntry.__tablename__,
}
"""Staged copies of ciphertext columns, each sealed for the live table it is published into
(publishing copies ciphertexts as they are): a rotation must re-seal them too, or an old key
removed once `keys status` shows it unused would leave an applying run's people unreadable."""
