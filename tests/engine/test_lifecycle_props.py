"""Properties of the planner (pure), for any pair of HR snapshots (hypothesis, fixed seed).

- Applying the actions planned for the first snapshot, then those for the second, to the
  product's user set yields exactly the users the second snapshot requires.
- Planning an unchanged snapshot again emits nothing.
- Action ids are unique within a plan and the same when the same plan is made twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rostersync.engine.lifecycle import Inputs, Plan, plan, wants_access
from rostersync.engine.policy import Policy
from rostersync.model import ActionKind, Employee, EmploymentStatus
from rostersync.store.repos.people import StoredPerson

TODAY = date(2026, 11, 25)
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
    snapshot: Mapping[str, Employee], had: set[str], today: date, policy: Policy
) -> set[str]:
    """The spec in words: access for those whose status and start date call for it and who
    have an email; those who already had it keep it unless they left, went on a suspending
    leave, or vanished (a start date moving later is not a departure)."""
    users = set()
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
    inputs1 = Inputs(connection_id="c", today=TODAY, policy=policy)
    plan1 = plan(previous={}, current=first, inputs=inputs1)
    users1 = apply(set(), plan1)
    assert users1 == required(first, set(), TODAY, policy)

    later = TODAY + timedelta(days=days)
    inputs2 = Inputs(connection_id="c", today=later, policy=policy)
    state1 = state_after({}, plan1)
    plan2 = plan(previous=state1, current=second, inputs=inputs2)
    users2 = apply(users1, plan2)
    assert users2 == required(second, users1, later, policy)

    state2 = state_after(state1, plan2)
    assert {
        rid for rid, p in state2.items() if p.provisioned and not p.remote_was_deleted
    } == users2


@settings(max_examples=200, derandomize=True, deadline=None)
@given(snapshot=snapshots(), policy=policies)
def test_an_unchanged_snapshot_plans_nothing_and_ids_are_stable(
    snapshot: dict[str, Employee], policy: Policy
) -> None:
    inputs = Inputs(connection_id="c", today=TODAY, policy=policy)
    first = plan(previous={}, current=snapshot, inputs=inputs)
    ids = [p.action.id for p in first.actions]
    assert len(ids) == len(set(ids))
    assert [p.action.id for p in plan(previous={}, current=snapshot, inputs=inputs).actions] == ids
    again = plan(previous=state_after({}, first), current=snapshot, inputs=inputs)
    assert again.actions == ()
    assert again.next_state == {}
