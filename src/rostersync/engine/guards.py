"""Pure: should this run be held for a person's approval before anything is delivered?"""

from __future__ import annotations

from collections.abc import Mapping

from rostersync.engine.coverage import LEAVERS_FLOOR, SHARP_DROP, leavers_came_back
from rostersync.engine.lifecycle import Plan
from rostersync.engine.policy import Policy
from rostersync.model import ActionKind, Employee, StoredPerson


def hold_reason(
    previous: Mapping[str, StoredPerson],
    plan: Plan,
    employees_read: int,
    policy: Policy,
    current: Mapping[str, Employee] | None = None,
) -> str | None:
    known = sum(1 for p in previous.values() if not p.remote_was_deleted)
    if employees_read == 0 and known > 0:
        return f"the read returned nobody where there were {known} people"
    leavers, came_back = leavers_came_back(previous, current or {})
    if came_back >= LEAVERS_FLOOR and leavers - came_back < SHARP_DROP * leavers:
        # A vanished status or termination date reads as a rehire: applied, every leaver
        # would get access back. One rehire is ordinary; most leavers at once is a gap.
        return (
            f"{came_back} of {leavers} known leavers are no longer terminated in this read: "
            "the service user may have lost sight of employment status or termination dates"
        )
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
