"""BambooHR future-dated terminations over HTTP: onlyCurrent, history tables, both roots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, PersonStatus, ServerThread, SyntheticCompany

from .conftest import SwappableApp

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
