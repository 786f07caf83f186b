"""BambooHR's status rule as properties: with `onlyCurrent=false` the report carries
"future-dated history values", so a termination counts only from its date (issue 12.4)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rostersync.connectors.vendors.bamboohr import employment_status
from rostersync.model import EmploymentStatus

DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
STATUS = st.sampled_from(["Active", "Inactive", "inactive", ""])
HISTORY = st.one_of(
    st.sampled_from(["Terminated", "terminated", "Full-Time", "Leave of Absence", ""]), st.text()
)


def row(status: str, history: str, hired: date, ended: date | None) -> dict[str, str | None]:
    return {
        "status": status,
        "employmentHistoryStatus": history,
        "hireDate": hired.isoformat(),
        "terminationDate": ended.isoformat() if ended else "0000-00-00",
    }


@given(
    status=STATUS,
    history=HISTORY,
    as_of=DATES,
    served=st.integers(min_value=0, max_value=10_000),
    notice=st.integers(min_value=0, max_value=400),
)
def test_someone_serving_notice_is_never_terminated_by_a_future_dated_row(
    status: str, history: str, as_of: date, served: int, notice: int
) -> None:
    hired, ended = as_of - timedelta(days=served), as_of + timedelta(days=notice)
    assert employment_status(row(status, history, hired, ended), as_of, "BambooHR") is not (
        EmploymentStatus.TERMINATED
    )


@given(
    status=STATUS,
    history=HISTORY,
    as_of=DATES,
    served=st.integers(min_value=0, max_value=10_000),
    gone=st.integers(min_value=1, max_value=10_000),
)
def test_a_passed_termination_of_the_current_employment_terminates(
    status: str, history: str, as_of: date, served: int, gone: int
) -> None:
    ended = as_of - timedelta(days=gone)
    hired = ended - timedelta(days=served)
    assert employment_status(row(status, history, hired, ended), as_of, "BambooHR") is (
        EmploymentStatus.TERMINATED
    )
