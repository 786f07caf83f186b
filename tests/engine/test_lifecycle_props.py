"""Properties of the planner (pure), for any pair of HR snapshots (hypothesis, fixed seed).

- Applying the actions planned for the first snapshot, then those for the second, to the
  product's user set yields exactly the users the second snapshot requires.
- Someone missing from a read keeps access until a second read, the policy's interval later,
  confirms the absence.
- Over any history of people going in and out by every rule, a product that applies actions
  by id (ignoring an id it has seen, as an idempotent receiver does) always has exactly the
  users rostersync believes it has.
- Planning an unchanged snapshot again emits nothing.
- Action ids are unique within a plan and the same when the same plan is made twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from enum import Enum, auto

from hypothesis import given, settings
from hypothesis import strategies as st

from rostersync.engine.lifecycle import Inputs, Plan, plan, wants_access
from rostersync.engine.policy import Policy, Scope
from rostersync.model import ActionKind, Employee, EmploymentStatus, StoredPerson

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
CONFIRMED = timedelta(hours=2)
"""Longer than the default confirmation interval (one hour)."""
IDS = [f"p{i}" for i in range(8)]


@st.composite
def employees(draw: st.DrawFn, remote_id: str) -> Employee:
    status = draw(st.sampled_from(list(EmploymentStatus)))
    offset = draw(st.integers(min_value=-30, max_value=30))
    return Employee(
        remote_id=remote_id,
        first_name="F",
        last_name="L",
        # Unique per person when present: duplicates are a separate, reported case.
        work_email=draw(
            st.sampled_from([f"{remote_id}@x.example", None, f"{remote_id}@x.example"])
        ),
        employment_status=status,
        group_ids=tuple(
            draw(st.lists(st.sampled_from(["g1", "g2", "g3"]), max_size=2, unique=True))
        ),
        manager_remote_id=draw(st.sampled_from([None, *IDS])),
        start_date=TODAY + timedelta(days=offset),
        location_id=draw(st.sampled_from([None, "l1", "l2"])),
    )


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Employee]:
    present = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    return {rid: draw(employees(rid)) for rid in present}


policies = st.builds(
    Policy,
    lookahead_days=st.integers(min_value=0, max_value=10),
    leave=st.sampled_from(["keep", "suspend"]),
)


def state_after(previous: Mapping[str, StoredPerson], result: Plan) -> dict[str, StoredPerson]:
    return {**previous, **result.next_state}


def apply(users: set[str], result: Plan) -> set[str]:
    users = set(users)
    for planned in result.actions:
        if planned.action.kind is ActionKind.PROVISION:
            assert planned.action.remote_id not in users, "provisioned twice"
            users.add(planned.action.remote_id)
        elif planned.action.kind is ActionKind.DEPROVISION:
            assert planned.action.remote_id in users, "deprovisioned someone without access"
            users.discard(planned.action.remote_id)
    return users


def required(
    snapshot: Mapping[str, Employee],
    had: set[str],
    today: date,
    policy: Policy,
    *,
    first_miss: bool = False,
) -> set[str]:
    """The spec in words: access for those whose status and start date call for it and who
    have an email; those who already had it keep it unless they left, went on a suspending
    leave, or vanished (a start date moving later is not a departure). On the first read that
    misses someone, they keep access: the absence waits for a confirming read."""
    users = {rid for rid in had if rid not in snapshot} if first_miss else set()
    for rid, e in snapshot.items():
        status = e.employment_status
        if (wants_access(e, today, policy) and e.work_email) or (
            rid in had
            and status is not EmploymentStatus.TERMINATED
            and not (status is EmploymentStatus.INACTIVE and policy.leave == "suspend")
        ):
            users.add(rid)
    return users


@settings(max_examples=300, derandomize=True, deadline=None)
@given(first=snapshots(), second=snapshots(), policy=policies, days=st.integers(0, 20))
def test_actions_take_the_product_from_one_snapshot_to_the_next(
    first: dict[str, Employee], second: dict[str, Employee], policy: Policy, days: int
) -> None:
    inputs1 = Inputs(connection_id="c", today=TODAY, now=NOW, policy=policy)
    plan1 = plan(previous={}, current=first, inputs=inputs1)
    users1 = apply(set(), plan1)
    assert users1 == required(first, set(), TODAY, policy)

    later = TODAY + timedelta(days=days)
    inputs2 = Inputs(connection_id="c", today=later, now=NOW + timedelta(days=days), policy=policy)
    state1 = state_after({}, plan1)
    plan2 = plan(previous=state1, current=second, inputs=inputs2)
    users2 = apply(users1, plan2)
    assert users2 == required(second, users1, later, policy, first_miss=True)

    # The same read again, too soon: nothing changes. Later: the absence is confirmed.
    state2 = state_after(state1, plan2)
    soon = plan(previous=state2, current=second, inputs=inputs2)
    assert soon.actions == ()
    inputs3 = replace(inputs2, now=inputs2.now + CONFIRMED)
    plan3 = plan(previous=state2, current=second, inputs=inputs3)
    users3 = apply(users2, plan3)
    assert users3 == required(second, users1, later, policy)

    state3 = state_after(state2, plan3)
    assert {
        rid for rid, p in state3.items() if p.provisioned and not p.remote_was_deleted
    } == users3


@settings(max_examples=200, derandomize=True, deadline=None)
@given(snapshot=snapshots(), policy=policies)
def test_an_unchanged_snapshot_plans_nothing_and_ids_are_stable(
    snapshot: dict[str, Employee], policy: Policy
) -> None:
    inputs = Inputs(connection_id="c", today=TODAY, now=NOW, policy=policy)
    first = plan(previous={}, current=snapshot, inputs=inputs)
    ids = [p.action.id for p in first.actions]
    assert len(ids) == len(set(ids))
    assert [p.action.id for p in plan(previous={}, current=snapshot, inputs=inputs).actions] == ids
    again = plan(previous=state_after({}, first), current=snapshot, inputs=inputs)
    assert again.actions == ()
    assert again.next_state == {}


class Step(Enum):
    """What happens to one person between two reads, one for every rule that moves access."""

    ACTIVE = auto()
    TERMINATED = auto()
    ON_LEAVE = auto()
    OUT_OF_SCOPE = auto()
    MISSING = auto()
    REHIRED_NEW_ID = auto()


CYCLE_POLICY = Policy(leave="suspend", scope=Scope(exclude_group_ids=("contractors",)))


def _snapshot(steps: Mapping[str, Step]) -> dict[str, Employee]:
    snapshot = {}
    for rid, step in steps.items():
        if step is Step.MISSING:
            continue
        status = {
            Step.TERMINATED: EmploymentStatus.TERMINATED,
            Step.ON_LEAVE: EmploymentStatus.INACTIVE,
        }.get(step, EmploymentStatus.ACTIVE)
        # A rehire under a new HRIS id keeps the work email: the old account is linked again.
        remote_id = f"{rid}-again" if step is Step.REHIRED_NEW_ID else rid
        snapshot[remote_id] = Employee(
            remote_id=remote_id,
            first_name="F",
            last_name="L",
            work_email=f"{rid}@x.example",
            employment_status=status,
            group_ids=("contractors",) if step is Step.OUT_OF_SCOPE else ("g1",),
            start_date=TODAY - timedelta(days=100),
        )
    return snapshot


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    history=st.lists(
        st.fixed_dictionaries({rid: st.sampled_from(list(Step)) for rid in IDS[:4]}),
        min_size=2,
        max_size=12,
    )
)
def test_the_products_view_always_equals_ours_over_any_history(
    history: list[dict[str, Step]],
) -> None:
    seen_ids: set[str] = set()
    product: set[str] = set()
    state: dict[str, StoredPerson] = {}
    now = NOW
    for steps in history:
        inputs = Inputs(connection_id="c", today=TODAY, now=now, policy=CYCLE_POLICY)
        result = plan(previous=state, current=_snapshot(steps), inputs=inputs)
        for planned in result.actions:
            action = planned.action
            if action.id in seen_ids:
                continue  # An idempotent receiver: an id it has seen is a replay.
            seen_ids.add(action.id)
            if action.kind is ActionKind.PROVISION:
                product.add(action.remote_id)
            elif action.kind is ActionKind.DEPROVISION:
                product.discard(action.remote_id)
        state = state_after(state, result)
        ours = {rid for rid, p in state.items() if p.provisioned and not p.remote_was_deleted}
        assert product == ours
        now += CONFIRMED
