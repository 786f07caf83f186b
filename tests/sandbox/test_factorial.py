"""The Factorial emulator over real HTTP: auth, both pagination kinds and leavers (listed only
with ``only_active=false``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.factorial import MAX_LIMIT
from tests.conftest import SwappableApp

KEY = {"x-api-key": "factorial-key"}
ROOT = "/api/2025-10-01/resources"


@pytest.fixture
def factorial(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany, faults: Faults
) -> Iterator[str]:
    server, swappable = shared_server
    swappable.app = EMULATORS["factorial"](
        company,
        credentials={"api_key": "factorial-key", "access_token": "oauth-token"},
        faults=faults,
    )
    yield server.base_url + ROOT
    swappable.app = None


def test_api_key_and_oauth_token_are_accepted(factorial: str) -> None:
    url = f"{factorial}/employees/employees"
    assert httpx.get(url, headers=KEY).status_code == 200
    assert httpx.get(url, headers={"Authorization": "Bearer oauth-token"}).status_code == 200
    assert httpx.get(url, headers={"x-api-key": "wrong"}).status_code == 401


def test_cursor_pages_cover_everyone_once(factorial: str, company: SyntheticCompany) -> None:
    ids: list[int] = []
    params: dict[str, str] = {"limit": "500", "only_active": "false"}
    while True:
        body: dict[str, Any] = httpx.get(
            f"{factorial}/employees/employees", params=params, headers=KEY
        ).json()
        assert len(body["data"]) <= MAX_LIMIT
        ids += [e["id"] for e in body["data"]]
        if not body["meta"]["has_next_page"]:
            break
        params = {"after_id": body["meta"]["end_cursor"], "only_active": "false"}
    assert ids == sorted(ids)
    assert len(set(ids)) == len(company)


def test_page_numbers_work_too(factorial: str, company: SyntheticCompany) -> None:
    body = httpx.get(
        f"{factorial}/employees/employees",
        params={"page": "3", "limit": "100", "only_active": "false"},
        headers=KEY,
    ).json()
    assert len(body["data"]) == len(company) - 200
    assert body["meta"]["has_next_page"] is False
    assert "end_cursor" not in body["meta"]


def test_leavers_have_terminated_on(factorial: str, company: SyntheticCompany) -> None:
    employees = [
        e
        for page in (1, 2, 3)
        for e in httpx.get(
            f"{factorial}/employees/employees",
            params={"page": str(page), "only_active": "false"},
            headers=KEY,
        ).json()["data"]
    ]
    leavers = [e for e in employees if not e["active"]]
    assert len(leavers) == sum(p.status is PersonStatus.TERMINATED for p in company.people())
    assert all(e["terminated_on"] for e in leavers)
    only_active = httpx.get(
        f"{factorial}/employees/employees", params={"only_active": "true", "page": "1"}, headers=KEY
    ).json()
    assert only_active["meta"]["total"] == len(employees) - len(leavers)


def test_leavers_are_not_listed_by_default(factorial: str, company: SyntheticCompany) -> None:
    """docs/connectors.md, Factorial row: leavers are not listed by default, and
    ``only_active=false`` keeps them (https://apidoc.factorialhr.com/reference)."""
    active = [
        p
        for p in company.people()
        if p.status is PersonStatus.ACTIVE and p.work_email and not p.termination_date
    ]
    leaver, serving = active[0], active[1]
    company.terminate(leaver.id, on=company.today - timedelta(days=1))
    company.terminate(serving.id, on=company.today + timedelta(days=30))  # serving notice
    people = company.people()
    current = [p.work_email for p in people if p.status is not PersonStatus.TERMINATED]
    gone = [p.work_email for p in people if p.status is PersonStatus.TERMINATED]
    assert leaver.work_email in gone
    assert serving.work_email in current

    def emails(params: dict[str, str]) -> list[str | None]:
        body = httpx.get(
            f"{factorial}/employees/employees",
            params={"limit": "100", **params},
            headers=KEY,
        ).json()
        out = [e["email"] for e in body["data"]]
        while body["meta"]["has_next_page"]:
            body = httpx.get(
                f"{factorial}/employees/employees",
                params={"after_id": body["meta"]["end_cursor"], **params},
                headers=KEY,
            ).json()
            out += [e["email"] for e in body["data"]]
        return out

    assert sorted(emails({}), key=str) == sorted(current, key=str)
    assert sorted(emails({"only_active": "true"}), key=str) == sorted(current, key=str)
    assert sorted(emails({"only_active": "false"}), key=str) == sorted(current + gone, key=str)
    # One leaver, asked for by email (with only_active=false) or by id.
    row = next(
        e
        for e in httpx.get(
            f"{factorial}/employees/employees",
            params={"only_active": "false", "emails[]": leaver.work_email or ""},
            headers=KEY,
        ).json()["data"]
    )
    assert row["active"] is False
    one = httpx.get(f"{factorial}/employees/employees/{row['id']}", headers=KEY)
    assert one.status_code == 200
    assert one.json()["active"] is False


def test_teams_list_their_members(factorial: str, company: SyntheticCompany) -> None:
    teams = httpx.get(f"{factorial}/teams/teams", headers=KEY).json()["data"]
    assert len(teams) == len(company.departments) + len(company.teams)
    members = sum(len(t["employee_ids"]) for t in teams[: len(company.departments)])
    assert members == len(company)
