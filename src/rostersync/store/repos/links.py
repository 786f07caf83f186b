"""Connect links: `cl_<random>` tokens, stored as SHA-256, expiring, used once.

The token is 32 random bytes, so a fast hash is enough (nothing to brute-force) and lookup is
by the hash itself. Using a link is one conditional UPDATE, so two tabs confirming at the same
moment cannot both create a connection.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from rostersync.store.tables import ConnectLink, new_id

PREFIX = "cl_"


class LinkState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Resolved:
    state: LinkState
    link: ConnectLink | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    session: Session,
    *,
    tenant_id: str,
    environment: str,
    expires_at: datetime,
    created_by: str,
    reconnect: str | None = None,
    redirect_url: str | None = None,
    allowed_origin: str | None = None,
    return_state: str | None = None,
) -> tuple[ConnectLink, str]:
    """The link row and the token to hand over once; `reconnect` binds it to an existing
    connection, whose credentials it will replace. The hand-off fields are checked by the
    caller (services.handoff)."""
    token = PREFIX + secrets.token_urlsafe(32)
    link = ConnectLink(
        id=new_id("lnk"),
        tenant_id=tenant_id,
        environment=environment,
        token_hash=token_hash(token),
        expires_at=expires_at,
        created_by=created_by,
        connection_id=reconnect,
        redirect_url=redirect_url,
        allowed_origin=allowed_origin,
        return_state=return_state,
    )
    session.add(link)
    session.flush()
    return link, token


def resolve(session: Session, token: str, *, at: datetime) -> Resolved:
    """What a token is worth now. A used link stays `used` even after its expiry passes."""
    if not token.startswith(PREFIX):
        return Resolved(LinkState.UNKNOWN, None)
    query = select(ConnectLink).where(ConnectLink.token_hash == token_hash(token))
    link = session.scalars(query).one_or_none()
    if link is None:
        return Resolved(LinkState.UNKNOWN, None)
    if link.revoked_at is not None:
        return Resolved(LinkState.REVOKED, link)
    if link.used_at is not None:
        return Resolved(LinkState.USED, link)
    if link.expires_at <= at:
        return Resolved(LinkState.EXPIRED, link)
    return Resolved(LinkState.VALID, link)


def claim(session: Session, link_id: str, *, at: datetime) -> ConnectLink | None:
    """Mark a valid link used; None if it was used, expired or revoked in the meantime."""
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(ConnectLink)
            .where(
                ConnectLink.id == link_id,
                ConnectLink.used_at.is_(None),
                ConnectLink.revoked_at.is_(None),
                ConnectLink.expires_at > at,
            )
            .values(used_at=at)
        ),
    )
    return session.get(ConnectLink, link_id) if result.rowcount == 1 else None


def revoke_for_connection(session: Session, connection_id: str, *, at: datetime) -> int:
    """Disconnect: every link of the connection not used yet stops working; how many."""
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(ConnectLink)
            .where(
                ConnectLink.connection_id == connection_id,
                ConnectLink.used_at.is_(None),
                ConnectLink.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        ),
    )
    return result.rowcount


def release(session: Session, link_id: str) -> None:
    """Give a claimed link back when the connection could not be created after all."""
    session.execute(
        update(ConnectLink)
        .where(ConnectLink.id == link_id, ConnectLink.connection_id.is_(None))
        .values(used_at=None)
    )


def attach(session: Session, link_id: str, connection_id: str) -> None:
    session.execute(
        update(ConnectLink).where(ConnectLink.id == link_id).values(connection_id=connection_id)
    )
