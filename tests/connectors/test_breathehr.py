"""Breathe HR's status labels read against the dates (not visible through the shared suites)."""

from __future__ import annotations

from datetime import date

import pytest

from rostersync.connectors.vendors.breathehr import employment_status
from rostersync.model import EmploymentStatus

AS_OF = date(2024, 1, 15)
PAST, FUTURE = date(2023, 1, 1), date(2024, 6, 1)


@pytest.mark.parametrize(
    ("label", "start", "end", "expected"),
    [
        ("Current employee", PAST, None, EmploymentStatus.ACTIVE),
        ("Current employee", PAST, PAST, EmploymentStatus.TERMINATED),
        ("Leaving employee", PAST, FUTURE, EmploymentStatus.ACTIVE),
        ("Former employee", PAST, None, EmploymentStatus.TERMINATED),
        ("Ex-employee", PAST, None, EmploymentStatus.TERMINATED),
        ("Pending employee", None, None, EmploymentStatus.PENDING),
        ("Current employee", FUTURE, None, EmploymentStatus.PENDING),
        ("On maternity leave", PAST, None, EmploymentStatus.INACTIVE),
        (None, None, None, EmploymentStatus.ACTIVE),
    ],
)
def test_status_table(
    label: str | None, start: date | None, end: date | None, expected: EmploymentStatus
) -> None:
    assert employment_status(label, start, end, AS_OF) is expected
