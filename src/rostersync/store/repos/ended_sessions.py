"""Dashboard sessions ended by signing out, kept until their cookies would expire anyway.

A session cookie is signed and carries its own expiry, so it needs no row while it lives;
signing out records its nonce, and a cookie whose nonce is recorded is refused. Past the
cookie's expiry the row has nothing left to refuse, so each sign-out deletes those rows: the
table holds only the sign-outs of the last session lifetime.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from rostersync.store.tables import EndedSession


def end(session: Session, nonce: str, *, expires_at: datetime, at: datetime) -> None:
    session.execute(delete(EndedSession).where(EndedSession.expires_at <= at))
    # merge: signing out twice with the same cookie (two tabs) ends it once.
    session.merge(EndedSession(nonce=nonce, expires_at=expires_at))


def is_ended(session: Session, nonce: str) -> bool:
    return session.get(EndedSession, nonce) is not None
