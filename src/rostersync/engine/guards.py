"""Pure: should this run be held for a person's approval before anything is delivered?"""

from __future__ import annotations

from collections.abc import Mapping

from rostersync.engine.lifecycle import Plan
from rostersync.engine.policy import Policy
from rostersync.model import ActionKind, StoredPerson


def hold_reason(
    previous: Mapping[str, StoredPerson], plan: Plan, employees_read: int, policy: Policy
) -> str | None:
    known = sum(1 for p in previous.values() if not p.remote_was_deleted)
    if employees_read == 0 and known > 0:
        return f"the read returned nobody where there were {known} people"
    vanished = len(plan.newly_missing)
    if vanished > policy.missing_hold_floor and vanished > policy.missing_hold_share * known:
        return (
            f"{vanished} of {known} people vanished from the read "
            f"(more than {policy.missing_hold_share:.0%} and more than {policy.missing_hold_floor})"
        )
    with_access = sum(1 for p in previous.values() if p.provisioned and not p.remote_was_deleted)
    leaving = plan.count(ActionKind.DEPROVISION)
    if leaving > policy.hold_floor and leaving > policy.hold_share * with_access:
        return (
            f"it would deprovision {leaving} of {with_access} people with access "
            f"(more than {policy.hold_share:.0%} and more than {policy.hold_floor})"
        )
    return None
