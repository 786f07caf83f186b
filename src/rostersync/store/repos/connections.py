"""Connections: one customer's HRIS account. Credentials are write-only ciphertext."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.model import ConnectionStatus, Environment
from rostersync.store.crypto import Keyring
from rostersync.store.errors import NotFound
from rostersync.store.tables import Connection, new_id

_CIPHER_CONTEXT = "connections.credentials"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_account_token(connection: Connection) -> str:
    """A new account token for the pull API (replacing any old one); only its hash is kept."""
    token = "acct_" + secrets.token_urlsafe(32)
    connection.account_token_hash = _token_hash(token)
    return token


def by_account_token(session: Session, token: str, *, tenant_id: str | None) -> Connection | None:
    query = select(Connection).where(Connection.account_token_hash == _token_hash(token))
    if tenant_id is not None:
        query = query.where(Connection.tenant_id == tenant_id)
    return session.scalars(query).one_or_none()


def create_connection(
    session: Session,
    keyring: Keyring,
    *,
    tenant_id: str,
    provider: str,
    credentials: dict[str, str],
    base_url: str | None = None,
    environment: str = Environment.PRODUCTION,
) -> Connection:
    connection = Connection(
        id=new_id("con"),
        tenant_id=tenant_id,
        provider=provider,
        credentials=keyring.encrypt(json.dumps(credentials), context=_CIPHER_CONTEXT),
        base_url=base_url,
        environment=environment,
        status=ConnectionStatus.ACTIVE,
    )
    session.add(connection)
    session.flush()
    return connection


def get_connection(session: Session, connection_id: str, *, tenant_id: str | None) -> Connection:
    """`tenant_id=None` is for operator tools only; tenant-facing code always passes one."""
    query = select(Connection).where(Connection.id == connection_id)
    if tenant_id is not None:
        query = query.where(Connection.tenant_id == tenant_id)
    connection = session.scalars(query).one_or_none()
    if connection is None:
        raise NotFound("connection", connection_id)
    return connection


def list_connections(session: Session, *, tenant_id: str | None) -> list[Connection]:
    query = select(Connection).order_by(Connection.created_at)
    if tenant_id is not None:
        query = query.where(Connection.tenant_id == tenant_id)
    return list(session.scalars(query))


def read_credentials(keyring: Keyring, connection: Connection) -> dict[str, str]:
    if connection.credentials is None:
        raise NotFound("credentials of connection", connection.id)
    values: dict[str, str] = json.loads(
        keyring.decrypt(connection.credentials, context=_CIPHER_CONTEXT)
    )
    return values


def replace_credentials(keyring: Keyring, connection: Connection, values: dict[str, str]) -> None:
    """Reconnect, or a token the vendor rotated during a read."""
    connection.credentials = keyring.encrypt(json.dumps(values), context=_CIPHER_CONTEXT)


def disconnect(connection: Connection) -> None:
    """Forget the credentials; the connection row stays so runs and audit keep their subject."""
    connection.credentials = None
    connection.status = ConnectionStatus.DISCONNECTED
    connection.status_reason = None


def mark_needs_reauth(connection: Connection, reason: str) -> None:
    connection.status = ConnectionStatus.NEEDS_REAUTH
    connection.status_reason = reason


def mark_synced(connection: Connection, at: datetime) -> None:
    connection.last_sync_at = at


def for_tenants(session: Session, tenant_ids: Collection[str]) -> list[Connection]:
    """The connections of several tenants in one query (a page of the tenant list)."""
    if not tenant_ids:
        return []
    query = select(Connection).where(Connection.tenant_id.in_(list(tenant_ids)))
    return list(session.scalars(query.order_by(Connection.created_at)))
