"""Records a sync holds by the hundred thousand: employees share their field sets without one
record's copy touching another's; actions are plain values that read back as written."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from rostersync.model import Action, ActionKind, Employee, EmploymentStatus


def _employee(remote_id: str) -> Employee:
    return Employee(
        remote_id=remote_id,
        first_name="Ada",
        last_name="Lovelace",
        employment_status=EmploymentStatus.ACTIVE,
    )


def test_a_copy_with_more_fields_set_leaves_every_other_record_as_it_was() -> None:
    one, two = _employee("1"), _employee("2")
    moved = one.model_copy(update={"location_id": "berlin"})
    assert "location_id" in moved.model_fields_set
    assert "location_id" not in one.model_fields_set
    assert "location_id" not in two.model_fields_set
    assert one.model_dump(exclude_unset=True) == {
        "remote_id": "1",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "employment_status": "ACTIVE",
    }


def test_records_with_the_same_fields_share_one_field_set() -> None:
    assert _employee("1").model_fields_set is _employee("2").model_fields_set


@given(
    st.builds(
        Action,
        id=st.text(min_size=1),
        kind=st.sampled_from(ActionKind),
        remote_id=st.text(min_size=1),
        rule=st.text(),
        cause=st.text(),
        changed_fields=st.tuples(st.text()),
        from_status=st.none() | st.sampled_from(EmploymentStatus),
        to_status=st.none() | st.sampled_from(EmploymentStatus),
        account_id=st.none() | st.text(),
    )
)
def test_an_action_reads_back_as_it_was_written(action: Action) -> None:
    """Held plans store their actions as JSON and apply them when approved."""
    assert Action.from_json(json.loads(json.dumps(action.as_json()))) == action
