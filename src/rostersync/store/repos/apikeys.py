"""API keys: `rsk_<id>_<secret>`, shown once; only a SHA-256 of the secret is stored.

The secret is 32 random bytes, so a fast hash is enough (there is nothing to brute-force);
lookup is by id and the comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.store.errors import NotFound
from rostersync.store.tables import ApiKey, new_id

PREFIX = "rsk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, *, tenant_id: str | None, name: str) -> tuple[ApiKey, str]:
    """The key row and the token to hand over once (`tenant_id=None`: an admin key)."""
    key_id = new_id("key").removeprefix("key_")
    secret = secrets.token_urlsafe(32)
    key = ApiKey(id=key_id, tenant_id=tenant_id, name=name, secret_hash=_hash(secret))
    session.add(key)
    session.flush()
    return key, f"{PREFIX}_{key_id}_{secret}"


def authenticate(session: Session, token: str, *, at: datetime) -> ApiKey | None:
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    key = session.get(ApiKey, key_id)
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    key.last_used_at = at
    return key


def list_keys(session: Session, *, tenant_id: str | None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at)
    if tenant_id is not None:
        query = query.where(ApiKey.tenant_id == tenant_id)
    return list(session.scalars(query))


def get_key(session: Session, key_id: str, *, tenant_id: str | None) -> ApiKey:
    """`tenant_id=None` is for operator tools only; another tenant's key is NotFound."""
    key = session.get(ApiKey, key_id)
    if key is None or (tenant_id is not None and key.tenant_id != tenant_id):
        raise NotFound("api key", key_id)
    return key


def revoke_key(session: Session, key_id: str, *, tenant_id: str | None, at: datetime) -> ApiKey:
    key = get_key(session, key_id, tenant_id=tenant_id)
    key.revoked_at = at
    return key
