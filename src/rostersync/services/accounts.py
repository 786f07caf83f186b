"""Existing product accounts, so joiners are linked to them instead of created twice."""

from __future__ import annotations

from collections.abc import Iterable

from rostersync.store import Store
from rostersync.store.repos import accounts, audit, tenants
from rostersync.store.repos.accounts import AccountIn
from rostersync.store.session import transaction

__all__ = ["AccountIn", "import_accounts"]


def import_accounts(store: Store, tenant_id: str, items: Iterable[AccountIn], *, actor: str) -> int:
    """Emails are kept only as a blind index; the count of accounts imported."""
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        count = accounts.upsert_accounts(
            session, store.keyring, tenant_id=tenant_id, accounts=items
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="accounts.imported",
            details={"count": count},
        )
    return count
