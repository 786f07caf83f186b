"""The audit log, as a tenant reads it: ids and field names, never personal values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rostersync.store import Store
from rostersync.store.repos import audit
from rostersync.store.session import transaction


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]


def list_audit(store: Store, *, tenant_id: str, limit: int = 100) -> list[AuditEntry]:
    """Newest first."""
    with transaction(store.sessions) as session:
        return [
            AuditEntry(e.at, e.actor, e.action, e.target, dict(e.details or {}))
            for e in audit.list_events(session, tenant_id=tenant_id, limit=limit)
        ]
