"""The Factorial emulator over real HTTP: auth, both pagination kinds and leavers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.factorial import MAX_LIMIT

from .conftest import SwappableApp

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
    params: dict[str, str] = {"limit": "500"}
    while True:
        body: dict[str, Any] = httpx.get(
            f"{factorial}/employees/employees", params=params, headers=KEY
        ).json()
        assert len(body["data"]) <= MAX_LIMIT
        ids += [e["id"] for e in body["data"]]
        if not body["meta"]["has_next_page"]:
            break
        params = {"after_id": body["meta"]["end_cursor"]}
    assert ids == sorted(ids)
    assert len(set(ids)) == len(company)


def test_page_numbers_work_too(factorial: str, company: SyntheticCompany) -> None:
    body = httpx.get(
        f"{factorial}/employees/employees", params={"page": "3", "limit": "100"}, headers=KEY
    ).json()
    assert len(body["data"]) == len(company) - 200
    assert body["meta"]["has_next_page"] is False
    assert "end_cursor" not in body["meta"]


def test_leavers_have_terminated_on(factorial: str, company: SyntheticCompany) -> None:
    employees = [
        e
        for page in (1, 2, 3)
        for e in httpx.get(
            f"{factorial}/employees/employees", params={"page": str(page)}, headers=KEY
        ).json()["data"]
    ]
    leavers = [e for e in employees if not e["active"]]
    assert len(leavers) == sum(p.status is PersonStatus.TERMINATED for p in company.people())
    assert all(e["terminated_on"] for e in leavers)
    only_active = httpx.get(
        f"{factorial}/employees/employees", params={"only_active": "true", "page": "1"}, headers=KEY
    ).json()
    assert only_active["meta"]["total"] == len(employees) - len(leavers)


def test_teams_list_their_members(factorial: str, company: SyntheticCompany) -> None:
    teams = httpx.get(f"{factorial}/teams/teams", headers=KEY).json()["data"]
    assert len(teams) == len(company.departments) + len(company.teams)
    members = sum(len(t["employee_ids"]) for t in teams[: len(company.departments)])
    assert members == len(company)
