"""Which product account a person is: linked, unlinked (one candidate), unmatched, disputed.

Candidates are looked up by HRIS id first and, failing that, by work email through its blind
index (case-insensitive). One candidate links; none means create; two or more is a dispute that
a person must settle: we never create an account on a dispute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from rostersync.model import AccountIndex, Employee


class Situation(StrEnum):
    LINKED = "linked"
    UNLINKED = "unlinked"
    UNMATCHED = "unmatched"
    DISPUTED = "disputed"


@dataclass(frozen=True)
class Match:
    situation: Situation
    account_id: str | None = None
    candidates: int = 0


def match(
    employee: Employee,
    linked_account: str | None,
    accounts: AccountIndex,
    email_key: Callable[[str], str],
) -> Match:
    if linked_account is not None:
        return Match(Situation.LINKED, linked_account, 1)
    found = accounts.by_external_id.get(employee.remote_id, ())
    if not found and employee.work_email:
        found = accounts.by_email_index.get(email_key(employee.work_email), ())
    if len(found) == 1:
        return Match(Situation.UNLINKED, found[0], 1)
    if not found:
        return Match(Situation.UNMATCHED)
    return Match(Situation.DISPUTED, None, len(found))
