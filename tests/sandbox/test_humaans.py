"""The Humaans emulator over real HTTP: paging, statuses and job roles, from a client's side."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.humaans import MAX_LIMIT
from tests.conftest import SwappableApp

HEADERS = {"Authorization": "Bearer humaans-token"}


@pytest.fixture
def humaans(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany, faults: Faults
) -> Iterator[str]:
    server, swappable = shared_server
    swappable.app = EMULATORS["humaans"](
        company, credentials={"access_token": "humaans-token"}, faults=faults
    )
    yield server.base_url
    swappable.app = None


def test_a_wrong_token_is_a_feathers_401(humaans: str) -> None:
    response = httpx.get(f"{humaans}/api/people", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["name"] == "NotAuthenticated"


def test_people_page_with_limit_and_skip_up_to_the_cap(
    humaans: str, company: SyntheticCompany
) -> None:
    ids: list[str] = []
    skip = 0
    while True:
        body = httpx.get(
            f"{humaans}/api/people", params={"$limit": "1000", "$skip": str(skip)}, headers=HEADERS
        ).json()
        assert body["limit"] == MAX_LIMIT
        assert body["total"] == len(company)
        ids += [p["id"] for p in body["data"]]
        skip += len(body["data"])
        if not body["data"] or skip >= body["total"]:
            break
    assert len(ids) == len(set(ids)) == len(company)


def test_statuses_follow_the_neutral_company(humaans: str, company: SyntheticCompany) -> None:
    people = httpx.get(f"{humaans}/api/people", params={"$limit": "250"}, headers=HEADERS)
    second = httpx.get(
        f"{humaans}/api/people", params={"$limit": "250", "$skip": "250"}, headers=HEADERS
    )
    statuses = Counter(p["status"] for p in people.json()["data"] + second.json()["data"])
    neutral = Counter(p.status.value for p in company.people())
    assert statuses["offboarded"] == neutral["terminated"]
    assert statuses["newHire"] == neutral["hired"]
    assert statuses["active"] == neutral["active"] + neutral["on_leave"]
    only = httpx.get(f"{humaans}/api/people", params={"status": "newHire"}, headers=HEADERS)
    assert only.json()["total"] == neutral["hired"]


def test_job_roles_name_the_department_and_manager(humaans: str, company: SyntheticCompany) -> None:
    person = next(p for p in company.people() if p.manager_id)
    people = {
        p["employeeId"]: p["id"]
        for skip in (0, 250)
        for p in httpx.get(
            f"{humaans}/api/people", params={"$limit": "250", "$skip": str(skip)}, headers=HEADERS
        ).json()["data"]
    }
    person_id = people[str(person.employee_number)]
    roles = httpx.get(f"{humaans}/api/job-roles", params={"personId": person_id}, headers=HEADERS)
    (role,) = roles.json()["data"]
    assert role["department"] == company.department(person.department_id).name
    manager = company.get(person.manager_id or "")
    assert role["reportingTo"] == people[str(manager.employee_number)]


def test_locations_carry_iso_country_codes(humaans: str, company: SyntheticCompany) -> None:
    body = httpx.get(f"{humaans}/api/locations", headers=HEADERS).json()
    assert sorted(loc["countryCode"] for loc in body["data"]) == sorted(
        s.country_code for s in company.sites
    )
