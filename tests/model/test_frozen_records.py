"""Records share their field sets (memory at 100k people) without one record's copy touching
another's."""

from __future__ import annotations

from rostersync.model import Employee, EmploymentStatus


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
