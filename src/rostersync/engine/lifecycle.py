"""Pure: a complete read plus the stored state plus today -> the plan (actions and next state).

The rules (DESIGN.md section 5):
- joiner: a person who should have access and has not got it gets `provision` (ACTIVE, or
  PENDING with a start date within the lookahead; INACTIVE keeps access);
- leaver: TERMINATED, or gone from a complete read (policy), gets `deprovision`;
- a date that moves a hire out of the lookahead is "not yet", never a departure;
- a person with access whose allowlisted fields changed gets `update`;
- nobody without a work email is provisioned: they are counted as not provisionable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from rostersync.engine.diff import changed_fields
from rostersync.model import Action, ActionKind, Employee, EmploymentStatus
from rostersync.store.repos.people import StoredPerson


@dataclass(frozen=True)
class Policy:
    lookahead_days: int = 0
    """Provision a future hire this many days before the start date (0: on the day)."""
    deprovision_missing: bool = True
    """Deprovision people who disappear from a complete read."""


@dataclass(frozen=True)
class PlannedAction:
    action: Action
    employee: Employee
    """The person as the action's event describes them (last known state for leavers)."""


@dataclass(frozen=True)
class Plan:
    actions: tuple[PlannedAction, ...]
    next_state: dict[str, StoredPerson]
    """Only the people whose stored row must change."""
    not_provisionable: tuple[str, ...] = field(default=())
    """Remote ids of people who should have access but have no work email."""

    def count(self, kind: ActionKind) -> int:
        return sum(1 for planned in self.actions if planned.action.kind is kind)


def should_have_access(employee: Employee, today: date, policy: Policy) -> bool:
    status = employee.employment_status
    if status is EmploymentStatus.PENDING:
        start = employee.start_date
        return start is not None and start <= today + timedelta(days=policy.lookahead_days)
    return status in (EmploymentStatus.ACTIVE, EmploymentStatus.INACTIVE)


def action_id(connection_id: str, kind: ActionKind, employee: Employee, reason: str) -> str:
    """Same connection, person, kind and resulting state: same id, so replays are no-ops."""
    state = employee.model_dump_json()
    digest = hashlib.sha256(
        json.dumps([connection_id, employee.remote_id, kind.value, reason, state]).encode()
    ).hexdigest()
    return f"act_{digest[:32]}"


def plan(
    *,
    connection_id: str,
    previous: Mapping[str, StoredPerson],
    current: Mapping[str, Employee],
    today: date,
    policy: Policy,
) -> Plan:
    actions: list[PlannedAction] = []
    next_state: dict[str, StoredPerson] = {}
    not_provisionable: list[str] = []

    def emit(
        kind: ActionKind, employee: Employee, cause: str, changed: tuple[str, ...] = ()
    ) -> None:
        action = Action(
            id=action_id(connection_id, kind, employee, cause),
            kind=kind,
            remote_id=employee.remote_id,
            changed_fields=changed,
            cause=cause,
        )
        actions.append(PlannedAction(action, employee))

    for remote_id, employee in current.items():
        before = previous.get(remote_id)
        had_access = before is not None and before.provisioned and not before.remote_was_deleted
        wants_access = should_have_access(employee, today, policy)
        status = employee.employment_status.value
        provisioned = had_access
        if not had_access and wants_access:
            if employee.work_email is None:
                not_provisionable.append(remote_id)
            else:
                was_leaver = (
                    before is not None
                    and before.employee.employment_status is EmploymentStatus.TERMINATED
                )
                emit(
                    ActionKind.PROVISION,
                    employee,
                    f"{'rehire' if was_leaver else 'joiner'}: {status}",
                )
                provisioned = True
        elif had_access and employee.employment_status is EmploymentStatus.TERMINATED:
            emit(ActionKind.DEPROVISION, employee, "leaver: TERMINATED")
            provisioned = False
        elif had_access and before is not None:
            changed = changed_fields(before.employee, employee)
            if changed:
                emit(ActionKind.UPDATE, employee, f"changed: {', '.join(changed)}", changed)
        after = StoredPerson(employee, provisioned, remote_was_deleted=False)
        if before != after:
            next_state[remote_id] = after

    for remote_id, before in previous.items():
        if remote_id in current or before.remote_was_deleted:
            continue
        provisioned = before.provisioned
        if before.provisioned and policy.deprovision_missing:
            emit(ActionKind.DEPROVISION, before.employee, "leaver: gone from a complete read")
            provisioned = False
        next_state[remote_id] = StoredPerson(before.employee, provisioned, remote_was_deleted=True)

    return Plan(tuple(actions), next_state, tuple(not_provisionable))
