"""What the planner remembers between reads: each person's access, and the product's accounts.

The store persists these values and the planner reads and writes them, so they live below
both: the planner stays pure and never sees a row (DESIGN.md section 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from rostersync.model.people import Employee


@dataclass(frozen=True, slots=True)
class StoredPerson:
    employee: Employee
    provisioned: bool
    remote_was_deleted: bool = False
    account_id: str | None = None
    deprovisioned_on: date | None = None
    account_deleted: bool = False
    access_seq: int = 0
    """How many times access was granted or removed: a new grant after a removal is a new
    action, never a repeat of the first one."""
    missing_since: datetime | None = None
    """When a complete read first missed this person; cleared when they are read again."""


@dataclass(frozen=True)
class AccountIndex:
    """The product's existing accounts, by HRIS id and by email key (a blind index in the
    store, whatever `Inputs.email_key` computes in the planner)."""

    by_external_id: dict[str, tuple[str, ...]]
    by_email_index: dict[str, tuple[str, ...]]


def normalise_email(email: str) -> str:
    """The form two emails are compared in: the blind index and the planner both use it."""
    return email.strip().lower()
