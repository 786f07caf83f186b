"""The model's ceiling on text: no control characters, bounded names and e-mails, exact ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location
from rostersync.model.text import EMAIL_MAX, ID_MAX, NAME_MAX, clean_email, clean_name

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Every code point, surrogates and controls included, weighted towards the awkward ones.
ANY_TEXT = st.text(st.characters(exclude_categories=())) | st.text(
    st.sampled_from(["\x00", "\t", "\n", "\r", " ", "\x7f", "\x85", "\x9f", "\ud800", "a", "é"])
)


@given(ANY_TEXT)
def test_a_clean_name_has_no_control_character_fits_and_stays_clean(raw: str) -> None:
    name = clean_name(raw)
    assert not CONTROL.search(name)
    assert len(name) <= NAME_MAX
    assert name == name.strip()
    assert clean_name(name) == name


@given(st.text(st.characters(categories=("L",)), min_size=NAME_MAX - 5, max_size=3 * NAME_MAX))
def test_a_long_name_keeps_its_first_characters(raw: str) -> None:
    assert clean_name(raw) == raw[:NAME_MAX]


@given(ANY_TEXT)
def test_a_clean_email_is_none_or_a_bounded_address_that_stays_so(raw: str) -> None:
    email = clean_email(raw)
    if email is not None:
        assert not CONTROL.search(email)
        assert len(email) <= EMAIL_MAX
        assert "@" in email
        assert clean_email(email) == email


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Ann\r\nMarie", "Ann Marie"),
        ("Ann \t Marie", "Ann Marie"),
        ("Jo\x00hn", "John"),
        ("\x00\x9f Zoë \x7f", "Zoë"),
        ("Ann  Marie", "Ann  Marie"),
    ],
)
def test_line_breaks_become_one_space_and_other_controls_go(raw: str, clean: str) -> None:
    employee = Employee(
        remote_id="1", first_name=raw, last_name=raw, employment_status=EmploymentStatus.ACTIVE
    )
    assert (employee.first_name, employee.last_name) == (clean, clean)
    assert Group(remote_id="g", group_type=GroupType.TEAM, name=raw).name == clean


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (" ann@example.com\n", "ann@example.com"),
        ("ann@example.com\x00", None),
        ("not an address", None),
        ("ann@example.com@evil", None),
        ("", None),
        ("a" * (EMAIL_MAX - len("@example.com")) + "@example.com", "max"),
        ("a" * (EMAIL_MAX + 1 - len("@example.com")) + "@example.com", None),
    ],
)
def test_an_email_that_cannot_be_one_is_none(raw: str, kept: str | None) -> None:
    employee = Employee(
        remote_id="1",
        first_name="A",
        last_name="B",
        work_email=raw,
        employment_status=EmploymentStatus.ACTIVE,
    )
    assert employee.work_email == (raw if kept == "max" else kept)


@pytest.mark.parametrize("bad_id", ["x" * (ID_MAX + 1), "12\x003", "", "a\nb"])
def test_an_id_is_refused_rather_than_changed(bad_id: str) -> None:
    """Cutting or cleaning an id could make two people one: it is refused instead."""
    for build in (
        lambda: Employee(
            remote_id=bad_id, first_name="", last_name="", employment_status=EmploymentStatus.ACTIVE
        ),
        lambda: Employee(
            remote_id="1",
            first_name="",
            last_name="",
            employment_status=EmploymentStatus.ACTIVE,
            manager_remote_id=bad_id,
        ),
        lambda: Employee(
            remote_id="1",
            first_name="",
            last_name="",
            employment_status=EmploymentStatus.ACTIVE,
            group_ids=("g", bad_id),
        ),
        lambda: Group(remote_id=bad_id, group_type=GroupType.TEAM, name="n"),
        lambda: Location(remote_id=bad_id),
    ):
        with pytest.raises(ValidationError):
            build()
    assert Location(remote_id="x" * ID_MAX).remote_id == "x" * ID_MAX
