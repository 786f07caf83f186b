"""API keys (admin, or scoped to one tenant) and the dashboard sign-ins made with them.

A key's token is shown once, at creation; only a hash of its secret is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rostersync.store import Store
from rostersync.store.repos import apikeys, audit, ended_sessions, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import ApiKey


@dataclass(frozen=True)
class ApiKeyInfo:
    id: str
    tenant_id: str | None
    """None for an admin key."""
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedKey(ApiKeyInfo):
    token: str
    """`rsk_<id>_<secret>`: shown this once."""

    def __repr__(self) -> str:
        return f"CreatedKey(id={self.id!r}, tenant_id={self.tenant_id!r})"


def _info(row: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        row.id, row.tenant_id, row.name, row.created_at, row.last_used_at, row.revoked_at
    )


def create_key(store: Store, *, tenant_id: str | None, name: str, actor: str) -> CreatedKey:
    """`tenant_id=None` makes an admin key: the caller must be allowed to."""
    with transaction(store.sessions) as session:
        if tenant_id is not None:
            tenants.get_tenant(session, tenant_id)
        key, token = apikeys.create_key(session, tenant_id=tenant_id, name=name)
        audit.record(
            session, tenant_id=tenant_id, actor=actor, action="apikey.created", target=key.id
        )
        return CreatedKey(**vars(_info(key)), token=token)


def list_keys(store: Store, *, tenant_id: str | None) -> list[ApiKeyInfo]:
    with transaction(store.sessions) as session:
        return [_info(k) for k in apikeys.list_keys(session, tenant_id=tenant_id)]


def revoke_key(store: Store, key_id: str, *, tenant_id: str | None, actor: str) -> ApiKeyInfo:
    with transaction(store.sessions) as session:
        key = apikeys.revoke_key(session, key_id, tenant_id=tenant_id, at=datetime.now(UTC))
        audit.record(
            session, tenant_id=key.tenant_id, actor=actor, action="apikey.revoked", target=key_id
        )
        return _info(key)


def authenticate(store: Store, token: str) -> ApiKeyInfo | None:
    """The key a token belongs to, if it is known and not revoked (its last use is noted)."""
    with transaction(store.sessions) as session:
        key = apikeys.authenticate(session, token, at=datetime.now(UTC))
        return _info(key) if key is not None else None


def signed_in_key(store: Store, key_id: str, nonce: str) -> ApiKeyInfo | None:
    """The key of a dashboard session that was not signed out of, if the key is not revoked."""
    with transaction(store.sessions) as session:
        if ended_sessions.is_ended(session, nonce):
            return None
        key = session.get(ApiKey, key_id)
        return _info(key) if key is not None and key.revoked_at is None else None


def sign_out(store: Store, nonce: str, *, expires_at: datetime) -> None:
    """A copy of the session cookie must stop working too, not only this browser's."""
    with transaction(store.sessions) as session:
        ended_sessions.end(session, nonce, expires_at=expires_at, at=datetime.now(UTC))
