"""HiBob garden leave and rehire over HTTP, in the shapes Bob's help center documents."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from rostersync.sandbox import PersonStatus, ServerThread, SyntheticCompany, SyntheticPerson

from .conftest import Employees

LIFECYCLE_FIELDS = [
    "root.id",
    "work.startDate",
    "internal.lifecycleStatus",
    "internal.status",
    "internal.terminationDate",
]


def _active(company: SyntheticCompany) -> SyntheticPerson:
    return next(
        p for p in company.people() if p.status is PersonStatus.ACTIVE and not p.termination_date
    )


def _row(employees: Employees, person_id: str, **body: Any) -> dict[str, Any] | None:
    rows = employees({"fields": LIFECYCLE_FIELDS, **body})
    return next((r for r in rows if r["id"] == person_id), None)


def _lifecycle(hibob: ServerThread, auth: tuple[str, str], person_id: str) -> list[Any]:
    response = httpx.get(f"{hibob.base_url}/v1/people/{person_id}/lifecycle", auth=auth)
    assert response.status_code == 200, response.text
    values: list[Any] = response.json()["values"]
    return values


def test_garden_leave_is_inactive_from_the_first_day_away(
    company: SyntheticCompany, employees: Employees, today: date
) -> None:
    person = _active(company)
    last_day = today + timedelta(days=30)
    company.garden_leave(person.id, start=today - timedelta(days=2), last_day=last_day)

    assert _row(employees, person.id) is None  # Inactive: showInactive=false leaves them out
    row = _row(employees, person.id, showInactive=True)
    assert row is not None
    assert row["internal"] == {
        "lifecycleStatus": "garden leave",
        "status": "Inactive",
        "terminationDate": last_day.isoformat(),
    }
    assert row["/internal/lifecycleStatus"] == {"value": "garden leave"}
    human = employees(
        {"fields": ["internal.lifecycleStatus"], "showInactive": True, "humanReadable": "REPLACE"}
    )
    shown = next(r for r in human if r["id"] == person.id)
    assert shown["internal"] == {"lifecycleStatus": "Garden leave"}


def test_before_garden_leave_starts_the_person_is_employed_with_the_date_set(
    company: SyntheticCompany, employees: Employees, today: date
) -> None:
    person = _active(company)
    last_day = today + timedelta(days=40)
    company.garden_leave(person.id, start=today + timedelta(days=10), last_day=last_day)

    row = _row(employees, person.id)
    assert row is not None
    assert row["internal"]["lifecycleStatus"] == "employed"
    assert row["internal"]["status"] == "Active"
    assert row["internal"]["terminationDate"] == last_day.isoformat()


def test_garden_leave_fields_only_when_asked(
    company: SyntheticCompany, employees: Employees, today: date
) -> None:
    person = _active(company)
    company.garden_leave(person.id, start=today, last_day=today + timedelta(days=5))
    rows = employees({"fields": ["root.id", "work.startDate"], "showInactive": True})
    row = next(r for r in rows if r["id"] == person.id)
    assert "internal" not in row
    assert not any(key.startswith("/internal/") for key in row)


def test_garden_leave_ended_is_terminated(
    company: SyntheticCompany, employees: Employees, today: date
) -> None:
    person = _active(company)
    last_day = today - timedelta(days=1)
    company.garden_leave(person.id, start=today - timedelta(days=20), last_day=last_day)
    row = _row(employees, person.id, showInactive=True)
    assert row is not None
    assert row["internal"]["lifecycleStatus"] == "terminated"
    assert row["internal"]["terminationDate"] == last_day.isoformat()


def test_rehire_keeps_the_id_and_the_old_termination_date(
    company: SyntheticCompany,
    employees: Employees,
    hibob: ServerThread,
    auth: tuple[str, str],
    today: date,
) -> None:
    leaver = next(p for p in company.people() if p.status is PersonStatus.TERMINATED)
    assert leaver.termination_date is not None
    company.rehire(leaver.id, start_date=today - timedelta(days=3))

    row = _row(employees, leaver.id)
    assert row is not None
    assert row["work"]["startDate"] == (today - timedelta(days=3)).isoformat()
    assert row["internal"] == {
        "lifecycleStatus": "employed",
        "status": "Active",
        "terminationDate": leaver.termination_date.isoformat(),  # survives the rehire
    }
    entries = _lifecycle(hibob, auth, leaver.id)
    assert [(e["effectiveDate"], e["status"]) for e in entries] == [
        (leaver.start_date.isoformat(), "employed"),
        (leaver.termination_date.isoformat(), "terminated"),
        ((today - timedelta(days=3)).isoformat(), "employed"),
    ]
    assert all({"id", "reason", "reasonType"} <= set(e) for e in entries)


def test_rehire_in_the_future_is_hired(
    company: SyntheticCompany, employees: Employees, today: date
) -> None:
    leaver = next(p for p in company.people() if p.status is PersonStatus.TERMINATED)
    assert leaver.termination_date is not None
    company.rehire(leaver.id, start_date=today + timedelta(days=14))
    assert _row(employees, leaver.id) is None
    row = _row(employees, leaver.id, showInactive=True)
    assert row is not None
    assert row["internal"]["lifecycleStatus"] == "hired"
    assert row["internal"]["terminationDate"] == leaver.termination_date.isoformat()


def test_garden_leave_lifecycle_rows(
    company: SyntheticCompany, hibob: ServerThread, auth: tuple[str, str], today: date
) -> None:
    person = _active(company)
    start, last_day = today - timedelta(days=1), today + timedelta(days=9)
    company.garden_leave(person.id, start=start, last_day=last_day)
    statuses = [(e["effectiveDate"], e["status"]) for e in _lifecycle(hibob, auth, person.id)]
    assert statuses[-2:] == [
        (start.isoformat(), "garden leave"),
        (last_day.isoformat(), "terminated"),
    ]
    missing = httpx.get(f"{hibob.base_url}/v1/people/1/lifecycle", auth=auth)
    assert missing.status_code == 404
    assert httpx.get(f"{hibob.base_url}/v1/people/{person.id}/lifecycle").status_code == 401
