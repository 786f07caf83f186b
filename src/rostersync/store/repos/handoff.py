"""Hand-off codes: `rsc_<random>`, stored as SHA-256, minutes long, redeemed once.

The code is 32 random bytes, so a fast hash is enough and lookup is by the hash itself.
Redeeming is one conditional UPDATE, so two exchanges of the same code cannot both succeed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from rostersync.store.tables import HandoffCode, new_id

PREFIX = "rsc_"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue_code(
    session: Session, *, tenant_id: str, link_id: str, connection_id: str, expires_at: datetime
) -> str:
    """The code to hand to the browser once; only its hash is kept."""
    code = PREFIX + secrets.token_urlsafe(32)
    session.add(
        HandoffCode(
            id=new_id("hoc"),
            tenant_id=tenant_id,
            link_id=link_id,
            connection_id=connection_id,
            code_hash=_hash(code),
            expires_at=expires_at,
        )
    )
    session.flush()
    return code


class CodeState(StrEnum):
    REDEEMED = "redeemed"
    """Valid until now, and spent by this call."""
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    """Never issued, or another tenant's: the same answer, so a key learns nothing of them."""


@dataclass(frozen=True)
class Redeemed:
    state: CodeState
    connection_id: str | None = None


def redeem(session: Session, code: str, *, tenant_id: str | None, at: datetime) -> Redeemed:
    """Use a valid code of the tenant (`None`: any tenant) once. Another tenant's code is
    left unused, so a key cannot spend codes it may not exchange."""
    if not code.startswith(PREFIX):
        return Redeemed(CodeState.UNKNOWN)
    query = update(HandoffCode).where(
        HandoffCode.code_hash == _hash(code),
        HandoffCode.used_at.is_(None),
        HandoffCode.expires_at > at,
    )
    if tenant_id is not None:
        query = query.where(HandoffCode.tenant_id == tenant_id)
    result = cast("CursorResult[Any]", session.execute(query.values(used_at=at)))
    row = session.scalars(
        select(HandoffCode).where(HandoffCode.code_hash == _hash(code))
    ).one_or_none()
    if row is None or (tenant_id is not None and row.tenant_id != tenant_id):
        return Redeemed(CodeState.UNKNOWN)
    if result.rowcount == 1:
        return Redeemed(CodeState.REDEEMED, row.connection_id)
    return Redeemed(CodeState.USED if row.used_at is not None else CodeState.EXPIRED)


def purge_for_connection(session: Session, connection_id: str) -> None:
    """Disconnect: no code may hand out a disconnected connection's token."""
    session.execute(delete(HandoffCode).where(HandoffCode.connection_id == connection_id))
