"""BambooHR future-dated terminations over HTTP: onlyCurrent, history tables, both roots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, PersonStatus, ServerThread, SyntheticCompany
from tests.conftest import SwappableApp

DOMAIN = "acme"
KEY = "k3y"
JSON = {"Accept": "application/json"}


@pytest.fixture
def bamboo(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany
) -> Iterator[ServerThread]:
    server, swappable = shared_server
    swappable.app = EMULATORS["bamboohr"](
        company, credentials={"company_domain": DOMAIN, "api_key": KEY}
    )
    yield server
    swappable.app = None


def _get(server: ServerThread, path: str, root: str = "/api/v1") -> Any:
    response = httpx.get(f"{server.base_url}{root}{path}", auth=(KEY, "x"), headers=JSON)
    assert response.status_code == 200, response.headers
    return response.json()


def _report(server: ServerThread, only_current: str | None) -> dict[str, dict[str, Any]]:
    query = "?format=JSON" + (f"&onlyCurrent={only_current}" if only_current else "")
    response = httpx.post(
        f"{server.base_url}/api/v1/reports/custom{query}",
        auth=(KEY, "x"),
        json={
            "title": "t",
            "fields": ["id", "status", "employmentHistoryStatus", "terminationDate"],
        },
    )
    assert response.status_code == 200, response.headers
    return {row["id"]: row for row in response.json()["employees"]}


def _notice(company: SyntheticCompany, today: date) -> tuple[str, date]:
    person = next(
        p for p in company.people() if p.status is PersonStatus.ACTIVE and not p.termination_date
    )
    end = today + timedelta(days=21)
    company.terminate(person.id, on=end)
    return str(person.employee_number), end


def test_future_termination_shows_only_with_only_current_false(
    bamboo: ServerThread, company: SyntheticCompany, today: date
) -> None:
    eid, end = _notice(company, today)
    fields = "?fields=status,employmentHistoryStatus,terminationDate"

    current = _get(bamboo, f"/employees/{eid}{fields}")
    assert current["status"] == "Active"
    assert current["employmentHistoryStatus"] == "Full-Time"
    future = _get(bamboo, f"/employees/{eid}{fields}&onlyCurrent=false")
    assert future["status"] == "Active"  # still employed
    assert future["employmentHistoryStatus"] == "Terminated"
    assert future["terminationDate"] == end.isoformat()

    assert _report(bamboo, None)[eid]["employmentHistoryStatus"] == "Full-Time"
    assert _report(bamboo, "true")[eid]["employmentHistoryStatus"] == "Full-Time"
    row = _report(bamboo, "false")[eid]
    assert (row["status"], row["employmentHistoryStatus"]) == ("Active", "Terminated")


def test_history_table_carries_the_future_row(
    bamboo: ServerThread, company: SyntheticCompany, today: date
) -> None:
    eid, end = _notice(company, today)
    rows = _get(bamboo, f"/employees/{eid}/tables/employmentStatus")
    assert [(r["date"], r["employmentStatus"]) for r in rows][-1] == (end.isoformat(), "Terminated")


def test_garden_leave_is_an_active_employee_with_a_future_termination(
    bamboo: ServerThread, company: SyntheticCompany, today: date
) -> None:
    person = next(
        p for p in company.people() if p.status is PersonStatus.ACTIVE and not p.termination_date
    )
    end = today + timedelta(days=30)
    company.garden_leave(person.id, start=today - timedelta(days=1), last_day=end)
    eid = str(person.employee_number)
    row = _get(bamboo, f"/employees/{eid}?fields=status,employmentHistoryStatus,terminationDate")
    assert row == {
        "id": eid,
        "status": "Active",
        "employmentHistoryStatus": "Full-Time",
        "terminationDate": end.isoformat(),
    }


def test_both_roots_answer_the_same(bamboo: ServerThread, company: SyntheticCompany) -> None:
    eid = str(company.people()[1].employee_number)
    path = f"/employees/{eid}?fields=firstName,lastName"
    legacy = _get(bamboo, path, root=f"/api/gateway.php/{DOMAIN}/v1")
    assert _get(bamboo, path) == legacy


def test_the_report_lists_everyone_whatever_only_current_says(
    bamboo: ServerThread, company: SyntheticCompany, today: date
) -> None:
    """BambooHR's OpenAPI (POST /api/v1/reports/custom): the report "includes all employees
    regardless of status (both Active and Inactive)"; ``onlyCurrent`` restricts "historical
    fields to current values only" (default true) and false adds "future-dated history
    values": it changes field values, never who is listed."""
    hire = company.hire(start_date=today + timedelta(days=10))
    eid, _end = _notice(company, today)
    everyone = {str(p.serial) for p in company.people()}  # BambooHR ids follow the serial
    leavers = {str(p.serial) for p in company.people() if p.status is PersonStatus.TERMINATED}
    assert leavers
    reports = {flag: _report(bamboo, flag) for flag in (None, "true", "false")}
    for rows in reports.values():
        assert set(rows) == everyone
        assert {i for i, r in rows.items() if r["status"] == "Inactive"} == leavers
        assert rows[str(hire.serial)]["status"] == "Active"  # [guess] in the emulator
    # Only the history field's value differs, for the terminations dated ahead.
    for flag in (None, "true"):
        assert reports[flag][eid]["employmentHistoryStatus"] == "Full-Time"
    assert reports["false"][eid]["employmentHistoryStatus"] == "Terminated"
    serving = {
        str(p.serial)
        for p in company.people()
        if p.status is not PersonStatus.TERMINATED
        and p.termination_date is not None
        and p.termination_date >= today
    }
    assert eid in serving
    changed = {i for i in everyone if reports["false"][i] != reports[None][i]}
    assert changed == serving
    assert all(
        reports["false"][i] == reports[None][i] | {"employmentHistoryStatus": "Terminated"}
        for i in serving
    )
    assert reports[None] == reports["true"]
