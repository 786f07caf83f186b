"""The allowlist is the single source of truth for what the model can hold."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rostersync.model import (
    ALLOWLIST,
    Employee,
    EmploymentStatus,
    Group,
    Location,
    RecordType,
    field_names,
    personal_field_names,
)

MODELS = {RecordType.EMPLOYEE: Employee, RecordType.GROUP: Group, RecordType.LOCATION: Location}


@pytest.mark.parametrize("record", list(RecordType))
def test_model_fields_are_exactly_the_allowlist(record: RecordType) -> None:
    declared = set(MODELS[record].model_fields) - {"type"}
    assert declared == set(field_names(record))


def test_personal_fields_are_names_and_email() -> None:
    assert personal_field_names(RecordType.EMPLOYEE) == {"first_name", "last_name", "work_email"}


def test_every_field_says_why_it_is_read() -> None:
    assert all(f.label and f.meaning for f in ALLOWLIST)


def test_a_field_outside_the_allowlist_is_refused() -> None:
    with pytest.raises(ValidationError):
        Employee(
            remote_id="1",
            first_name="A",
            last_name="B",
            employment_status=EmploymentStatus.ACTIVE,
            salary=100_000,  # type: ignore[call-arg]
        )


def test_repr_keeps_personal_fields_out() -> None:
    employee = Employee(
        remote_id="7",
        first_name="Ada",
        last_name="Lovelace",
        work_email="ada@example.com",
        employment_status=EmploymentStatus.ACTIVE,
    )
    shown = repr(employee) + str(employee)
    assert "Ada" not in shown
    assert "ada@example.com" not in shown
    assert "7" in shown


def test_country_must_be_alpha_2() -> None:
    with pytest.raises(ValidationError):
        Location(remote_id="1", country="United Kingdom")
