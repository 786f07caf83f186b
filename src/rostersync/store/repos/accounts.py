"""Accounts that already exist in the product, kept as (account id, HRIS id, email index).

The email itself is not stored: its blind index is enough to find the one account a person
matches, case-insensitively.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.model import AccountIndex
from rostersync.store.crypto import Keyring
from rostersync.store.tables import ProductAccount


@dataclass(frozen=True)
class AccountIn:
    account_id: str
    email: str | None = None
    external_id: str | None = None


def upsert_accounts(
    session: Session, keyring: Keyring, *, tenant_id: str, accounts: Iterable[AccountIn]
) -> int:
    existing = {
        row.account_id: row
        for row in session.scalars(
            select(ProductAccount).where(ProductAccount.tenant_id == tenant_id)
        )
    }
    count = 0
    for account in accounts:
        row = existing.get(account.account_id)
        if row is None:
            row = ProductAccount(tenant_id=tenant_id, account_id=account.account_id)
            session.add(row)
            existing[account.account_id] = row
        row.email_index = keyring.blind_index(account.email) if account.email else None
        row.external_id = account.external_id
        count += 1
    return count


def account_index(session: Session, *, tenant_id: str) -> AccountIndex:
    by_external: dict[str, list[str]] = defaultdict(list)
    by_email: dict[str, list[str]] = defaultdict(list)
    query = select(ProductAccount).where(ProductAccount.tenant_id == tenant_id)
    for row in session.scalars(query):
        if row.external_id:
            by_external[row.external_id].append(row.account_id)
        if row.email_index:
            by_email[row.email_index].append(row.account_id)
    return AccountIndex(
        {k: tuple(v) for k, v in by_external.items()}, {k: tuple(v) for k, v in by_email.items()}
    )
