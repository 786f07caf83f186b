"""The audit log: who did what, when. Ids and field names only, never personal values."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.store.tables import AuditEvent


def record(
    session: Session,
    *,
    tenant_id: str | None,
    actor: str,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            tenant_id=tenant_id, actor=actor, action=action, target=target, details=details or {}
        )
    )


def list_events(session: Session, *, tenant_id: str, limit: int = 100) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.tenant_id == tenant_id)
        .order_by(AuditEvent.at.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def latest_details(
    session: Session, *, tenant_id: str, action: str, targets: Collection[str]
) -> dict[str, dict[str, Any]]:
    """The details of the newest `action` entry of each of `targets`, in one query."""
    if not targets:
        return {}
    query = (
        select(AuditEvent.target, AuditEvent.details)
        .where(
            AuditEvent.tenant_id == tenant_id,
            AuditEvent.action == action,
            AuditEvent.target.in_(list(targets)),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    # Oldest first: each newer entry replaces the one before it.
    return {target: dict(details) for target, details in session.execute(query) if target}
