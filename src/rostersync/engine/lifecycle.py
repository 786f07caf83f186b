"""Pure: a complete read + the stored state + today + policy -> the plan (actions, next state).

The rules (DESIGN.md section 5), each named by the `rule` it writes on its action:

- `joiner.active`, `joiner.lookahead`: a person who should have access and has not got it:
  ACTIVE, INACTIVE under the "keep" leave policy, or PENDING once the start date is within the
  lookahead. `rehire` when they were a leaver before (same HRIS id, or same work email under a
  new id); `leave.return` when access was suspended for leave.
- `leaver.terminated`, `leaver.missing` (gone from two complete reads at least the policy's
  interval apart: the first read that misses someone only notes when, by policy),
  `leave.suspend` (leave, by policy), `leaver.garden_leave` (garden leave started: removed at
  its start by policy, else kept until the termination date), `scope.out` (moved out of scope,
  by policy):
  `deprovision`, which disables; `delete.grace` deletes, opt-in, a grace period later.
- `mover`: someone with access whose allowlisted fields changed (`changed_fields` says which);
  `manager.resolved` when their manager gets access after them; `match.linked` when an
  existing product account is found for them.
- Every action id carries the person's access sequence (grants and removals so far), so access
  given back after it was taken is a new action that a product deduplicating by id still gets.
- Dates are not departures: a start date that moves later keeps whatever access was given.
- Never provisioned, but reported: people without a work email, people whose email is already
  another person's in the tenant, and disputed matches (two or more candidate accounts).
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import chain

from rostersync.engine.diff import changed_fields
from rostersync.engine.matching import Situation, match
from rostersync.engine.policy import Policy
from rostersync.model import (
    AccountIndex,
    Action,
    ActionKind,
    Employee,
    EmploymentStatus,
    Location,
    StoredPerson,
    normalise_email,
)

NO_ACCOUNTS = AccountIndex({}, {})


@dataclass(frozen=True, slots=True)
class PlannedAction:
    action: Action
    employee: Employee
    """The person as the action's event describes them (last known state for leavers)."""


@dataclass(frozen=True)
class Plan:
    actions: tuple[PlannedAction, ...]
    next_state: dict[str, StoredPerson]
    """Only the people whose stored row must change."""
    needs_a_person: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Reason -> remote ids left alone for a person to settle (no email, disputes...)."""
    managers_unresolved: int = 0
    newly_missing: tuple[str, ...] = ()
    """Known people this complete read missed for the first time (nothing done to them yet)."""
    awaiting_confirmation: tuple[str, ...] = ()
    """People missed before and again, too soon for the read to confirm their absence."""

    def count(self, kind: ActionKind) -> int:
        return sum(1 for planned in self.actions if planned.action.kind is kind)


@dataclass(frozen=True)
class Inputs:
    """Everything the planner reads besides the two snapshots."""

    connection_id: str
    today: date
    now: datetime
    """When this read happened: absences are confirmed against it."""
    complete_read: bool = True
    """A full read of the vendor; only a full read may note or confirm an absence."""
    policy: Policy = field(default_factory=Policy)
    locations: Mapping[str, Location] = field(default_factory=dict)
    accounts: AccountIndex = NO_ACCOUNTS
    email_key: Callable[[str], str] = normalise_email
    taken_emails: Mapping[str, str] = field(default_factory=dict)
    """email_key -> who in another connection of the tenant already has that email."""


def action_id(
    connection_id: str, kind: ActionKind, employee: Employee, rule: str, access_seq: int
) -> str:
    """Same connection, person, kind, rule, resulting state and access sequence: same id, so a
    replay is a no-op; a grant after a removal has a higher sequence, so it is a new action."""
    state = employee.model_dump_json()
    digest = hashlib.sha256(
        json.dumps(
            [connection_id, employee.remote_id, kind.value, rule, state, access_seq]
        ).encode()
    ).hexdigest()
    return f"act_{digest[:32]}"


def last_known(employee: Employee, before: StoredPerson | None) -> Employee:
    """A leaver as their deprovision event shows them: where the vendor blanked the
    department, manager or location on termination, the ones stored from before, so the
    product can still tell whose team and office lost a person."""
    if before is None:
        return employee
    was = before.employee
    return employee.model_copy(
        update={
            "group_ids": employee.group_ids or was.group_ids,
            "manager_remote_id": employee.manager_remote_id or was.manager_remote_id,
            "location_id": employee.location_id or was.location_id,
        }
    )


def wants_access(employee: Employee, today: date, policy: Policy) -> bool:
    if employee.on_garden_leave and policy.garden_leave == "remove_at_start":
        return False
    status = employee.employment_status
    if status is EmploymentStatus.PENDING:
        start = employee.start_date
        return start is not None and start <= today + timedelta(days=policy.lookahead_days)
    if status is EmploymentStatus.INACTIVE:
        return policy.leave == "keep"
    return status is EmploymentStatus.ACTIVE


class _Planner:
    def __init__(
        self, previous: Mapping[str, StoredPerson], current: Mapping[str, Employee], inputs: Inputs
    ) -> None:
        self.previous = previous
        self.current = current
        self.inputs = inputs
        self.policy = inputs.policy
        self.actions: list[PlannedAction] = []
        self.next_state: dict[str, StoredPerson] = {}
        self.needs_a_person: dict[str, list[str]] = {}
        self.newly_missing: list[str] = []
        self.awaiting_confirmation: list[str] = []
        emails = Counter(inputs.email_key(e.work_email) for e in current.values() if e.work_email)
        self.duplicate_emails = {key for key, n in emails.items() if n > 1}
        # Former people by email, hashed once here rather than once per joiner (rehire lookup).
        self.leavers_by_email: dict[str, list[StoredPerson]] = {}
        for p in previous.values():
            gone = (
                p.employee.remote_id not in current
                or p.remote_was_deleted
                or p.employee.employment_status is EmploymentStatus.TERMINATED
            )
            if p.employee.work_email and not p.provisioned and gone:
                key = inputs.email_key(p.employee.work_email)
                self.leavers_by_email.setdefault(key, []).append(p)

    def emit(
        self,
        kind: ActionKind,
        employee: Employee,
        rule: str,
        cause: str,
        *,
        access_seq: int,
        before: StoredPerson | None = None,
        changed: tuple[str, ...] = (),
        account_id: str | None = None,
        shown: Employee | None = None,
    ) -> None:
        """`access_seq` is the person's sequence once this action is applied; `shown` is the
        person as the event describes them, when that is not `employee` (a leaver)."""
        action = Action(
            id=action_id(self.inputs.connection_id, kind, employee, rule, access_seq),
            kind=kind,
            remote_id=employee.remote_id,
            rule=rule,
            # A first sync plans one action per person and most share a cause: one string.
            cause=sys.intern(cause),
            changed_fields=changed,
            from_status=before.employee.employment_status if before else None,
            to_status=employee.employment_status,
            account_id=account_id,
        )
        self.actions.append(PlannedAction(action, shown or employee))

    def hold_for_a_person(self, reason: str, remote_id: str) -> None:
        self.needs_a_person.setdefault(reason, []).append(remote_id)

    def _rehired_from(self, employee: Employee) -> StoredPerson | None:
        """A leaver of this connection with the same work email under another HRIS id."""
        if not employee.work_email:
            return None
        candidates = self.leavers_by_email.get(self.inputs.email_key(employee.work_email), [])
        return next((p for p in candidates if p.employee.remote_id != employee.remote_id), None)

    def _grant(self, employee: Employee, before: StoredPerson | None) -> StoredPerson | None:
        """Provision if nothing stands in the way; None (and a report) when something does."""
        remote_id = employee.remote_id
        if employee.work_email is None:
            self.hold_for_a_person("no_work_email", remote_id)
            return None
        key = self.inputs.email_key(employee.work_email)
        if key in self.duplicate_emails or key in self.inputs.taken_emails:
            self.hold_for_a_person("duplicate_work_email", remote_id)
            return None
        previous_leaver = self._rehired_from(employee)
        linked = before.account_id if before else None
        if linked is None and previous_leaver is not None:
            linked = previous_leaver.account_id
        found = match(employee, linked, self.inputs.accounts, self.inputs.email_key)
        if found.situation is Situation.DISPUTED:
            self.hold_for_a_person("disputed_match", remote_id)
            return None
        status = employee.employment_status
        if before is not None and before.employee.employment_status is EmploymentStatus.TERMINATED:
            rule, cause = "rehire", f"rehire: {before.employee.employment_status} -> {status}"
        elif previous_leaver is not None:
            rule = "rehire"
            old_id = previous_leaver.employee.remote_id
            cause = f"rehire under a new HRIS id, same work email as {old_id}"
        elif before is not None and before.employee.employment_status is EmploymentStatus.INACTIVE:
            rule, cause = "leave.return", f"back from leave: INACTIVE -> {status}"
        elif status is EmploymentStatus.PENDING:
            rule = "joiner.lookahead"
            cause = f"future hire within the {self.policy.lookahead_days}-day lookahead"
        else:
            rule, cause = "joiner.active", f"joiner: {status}"
        if found.situation is Situation.UNLINKED:
            cause += "; linked to an existing product account"
        access_seq = (before.access_seq if before else 0) + 1
        self.emit(
            ActionKind.PROVISION,
            employee,
            rule,
            cause,
            access_seq=access_seq,
            before=before,
            account_id=found.account_id,
        )
        return StoredPerson(employee, True, False, found.account_id, access_seq=access_seq)

    def _revoke_rule(self, employee: Employee, scope_rule: str | None) -> tuple[str, str] | None:
        status = employee.employment_status
        if status is EmploymentStatus.TERMINATED:
            start = employee.start_date
            if start is not None and start > self.inputs.today:
                return "leaver.terminated", "hire cancelled before the start date"
            return "leaver.terminated", "leaver: TERMINATED"
        if employee.on_garden_leave and self.policy.garden_leave == "remove_at_start":
            return "leaver.garden_leave", "garden leave started: removed at its start by policy"
        if status is EmploymentStatus.INACTIVE and self.policy.leave == "suspend":
            return "leave.suspend", "on leave: suspended by policy"
        if scope_rule is not None and self.policy.deprovision_out_of_scope:
            return "scope.out", f"moved out of scope ({scope_rule})"
        return None

    def person(self, employee: Employee) -> None:
        remote_id = employee.remote_id
        before = self.previous.get(remote_id)
        had = before is not None and before.provisioned and not before.remote_was_deleted
        scope_rule = self.policy.scope.rule_excluding(employee, dict(self.inputs.locations))
        wants = scope_rule is None and wants_access(employee, self.inputs.today, self.policy)
        after = before or StoredPerson(employee, False)
        after = replace(after, employee=employee, remote_was_deleted=False, missing_since=None)
        if not had and wants:
            granted = self._grant(employee, before)
            after = granted or after
        elif had and not wants and (revoke := self._revoke_rule(employee, scope_rule)):
            after = self._revoke(after, revoke, before=before)
        elif had and before is not None:
            changed = changed_fields(before.employee, employee)
            if changed:
                self.emit(
                    ActionKind.UPDATE,
                    employee,
                    "mover",
                    f"changed: {', '.join(changed)}",
                    access_seq=after.access_seq,
                    before=before,
                    changed=changed,
                    account_id=after.account_id,
                )
            if after.account_id is None:
                found = match(employee, None, self.inputs.accounts, self.inputs.email_key)
                if found.situation is Situation.UNLINKED:
                    self.emit(
                        ActionKind.UPDATE,
                        employee,
                        "match.linked",
                        "linked to an existing product account",
                        access_seq=after.access_seq,
                        before=before,
                        changed=("account_id",),
                        account_id=found.account_id,
                    )
                    after = replace(after, account_id=found.account_id)
        if before != after:
            self.next_state[remote_id] = after

    def _revoke(
        self, after: StoredPerson, rule: tuple[str, str], *, before: StoredPerson | None
    ) -> StoredPerson:
        access_seq = after.access_seq + 1
        self.emit(
            ActionKind.DEPROVISION,
            after.employee,
            rule[0],
            rule[1],
            access_seq=access_seq,
            before=before,
            account_id=after.account_id,
            shown=last_known(after.employee, before),
        )
        return replace(
            after, provisioned=False, deprovisioned_on=self.inputs.today, access_seq=access_seq
        )

    def missing(self, before: StoredPerson) -> None:
        """Gone from a complete read: noted the first time, acted on once a later read at least
        the policy's interval after the first confirms it."""
        remote_id = before.employee.remote_id
        first_missed = before.missing_since
        if first_missed is None:
            self.newly_missing.append(remote_id)
            self.next_state[remote_id] = replace(before, missing_since=self.inputs.now)
            return
        if self.inputs.now - first_missed < timedelta(
            minutes=self.policy.missing_confirm_after_minutes
        ):
            self.awaiting_confirmation.append(remote_id)
            return
        after = replace(before, remote_was_deleted=True)
        if before.provisioned and self.policy.deprovision_missing:
            after = self._revoke(
                after, ("leaver.missing", "gone from two complete reads"), before=before
            )
        self.next_state[remote_id] = after

    def hard_deletes(self) -> None:
        grace = self.policy.hard_delete_after_days
        if grace is None:
            return
        for remote_id, before in self.previous.items():
            state = self.next_state.get(remote_id, before)
            gone_on = state.deprovisioned_on
            if state.provisioned or state.account_deleted or gone_on is None:
                continue
            if self.inputs.today >= gone_on + timedelta(days=grace):
                self.emit(
                    ActionKind.DELETE,
                    state.employee,
                    "delete.grace",
                    f"deleted {grace} days after the deprovision (policy)",
                    access_seq=state.access_seq,
                    before=before,
                    account_id=state.account_id,
                )
                self.next_state[remote_id] = replace(state, account_deleted=True)

    def _has_access(self, remote_id: str) -> bool:
        """Whether the person holds an account once this plan is applied."""
        state = self.next_state.get(remote_id)
        if state is None:
            state = self.previous.get(remote_id)
        return state is not None and state.provisioned and not state.remote_was_deleted

    def managers(self) -> int:
        """Second pass: reports whose manager got access in this run learn the link now.

        No set of everyone with access is built: at 100k people each such set or merged dict
        cost ~5 MB at the run's peak, and a first sync has no report to link at all."""
        reports = (
            (employee, before)
            for remote_id, employee in self.current.items()
            if employee.manager_remote_id is not None
            and (before := self.previous.get(remote_id)) is not None
            and before.provisioned
            and self._has_access(remote_id)
        )
        first = next(reports, None)
        if first is not None:
            kinds = [(p.action.remote_id, p.action.kind) for p in self.actions]
            newly = {remote_id for remote_id, kind in kinds if kind is ActionKind.PROVISION}
            acted = {remote_id for remote_id, _ in kinds}
            for employee, before in chain((first,), reports):
                if employee.manager_remote_id in newly and employee.remote_id not in acted:
                    self.emit(
                        ActionKind.UPDATE,
                        employee,
                        "manager.resolved",
                        "their manager now has an account",
                        access_seq=before.access_seq,
                        before=before,
                        changed=("manager_remote_id",),
                        account_id=before.account_id,
                    )
        return sum(
            1
            for remote_id, employee in self.current.items()
            if employee.manager_remote_id is not None
            and self._has_access(remote_id)
            and not self._has_access(employee.manager_remote_id)
        )


_AFTER_PROVISIONS = 1 << 30
"""The sort key of every action that is not a provision: after all of them, in plan order."""


def _managers_first(actions: list[PlannedAction]) -> tuple[PlannedAction, ...]:
    """Provisions of managers before their reports, so a link can be made on arrival."""
    provisioned = {p.action.remote_id: p for p in actions if p.action.kind is ActionKind.PROVISION}

    def depth(planned: PlannedAction) -> int:
        seen, level, manager = set(), 0, planned.employee.manager_remote_id
        while manager in provisioned and manager not in seen:
            seen.add(manager)
            level += 1
            manager = provisioned[manager].employee.manager_remote_id
        return level

    # sorted() is stable, so the plan's order holds within a depth; a plain int key (small ints
    # are shared) instead of a tuple per action keeps a 100k first sync's peak ~10 MB lower.
    return tuple(
        sorted(
            actions,
            key=lambda p: depth(p) if p.action.kind is ActionKind.PROVISION else _AFTER_PROVISIONS,
        )
    )


def plan(
    *,
    previous: Mapping[str, StoredPerson],
    current: Mapping[str, Employee],
    inputs: Inputs,
) -> Plan:
    planner = _Planner(previous, current, inputs)
    for employee in current.values():
        planner.person(employee)
    if inputs.complete_read:
        for remote_id, before in previous.items():
            if remote_id not in current and not before.remote_was_deleted:
                planner.missing(before)
    planner.hard_deletes()
    unresolved = planner.managers()
    return Plan(
        _managers_first(planner.actions),
        planner.next_state,
        {reason: tuple(ids) for reason, ids in planner.needs_a_person.items()},
        unresolved,
        tuple(planner.newly_missing),
        tuple(planner.awaiting_confirmation),
    )
