"""OAuth consents under way: a random `state` per consent, stored as SHA-256, used once.

Like a connect link's token, the state is 32 random bytes, so a fast hash is enough and the
lookup is by the hash. Using it is one conditional UPDATE: a replayed callback finds it spent.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.orm import Session

from rostersync.store.tables import OAuthGrant


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def create_grant(session: Session, *, link_id: str, provider: str, expires_at: datetime) -> str:
    """A new state for one consent from `link_id`, replacing the link's earlier ones.

    One consent per link at a time: the browser keeps only its latest state anyway, and a
    page reloaded in a loop cannot fill the table.
    """
    session.execute(delete(OAuthGrant).where(OAuthGrant.link_id == link_id))
    state = secrets.token_urlsafe(32)
    session.add(
        OAuthGrant(
            state_hash=_hash(state), link_id=link_id, provider=provider, expires_at=expires_at
        )
    )
    session.flush()
    return state


def claim_grant(session: Session, state: str, *, link_id: str, provider: str, at: datetime) -> bool:
    """Spend the state if it is this link's and vendor's, unused and unexpired."""
    result = cast(
        "CursorResult[Any]",
        session.execute(
            update(OAuthGrant)
            .where(
                OAuthGrant.state_hash == _hash(state),
                OAuthGrant.link_id == link_id,
                OAuthGrant.provider == provider,
                OAuthGrant.used_at.is_(None),
                OAuthGrant.expires_at > at,
            )
            .values(used_at=at)
        ),
    )
    return result.rowcount == 1
