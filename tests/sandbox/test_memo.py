"""The company's version counter and the emulators' memo of what they derive from it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread
from rostersync.sandbox.company import PersonStatus, SyntheticCompany
from rostersync.sandbox.memo import CompanyMemo
from tests.conftest import TODAY


def _someone(company: SyntheticCompany) -> str:
    return company.people()[-1].id


MUTATIONS: dict[str, Callable[[SyntheticCompany], Any]] = {
    "hire": lambda c: c.hire(),
    "terminate": lambda c: c.terminate(_someone(c), TODAY),
    "garden_leave": lambda c: c.garden_leave(_someone(c), TODAY, TODAY + timedelta(days=30)),
    "rehire": lambda c: c.rehire(_someone(c)),
    "reschedule": lambda c: c.reschedule(_someone(c), TODAY + timedelta(days=9)),
    "set_contractor": lambda c: c.set_contractor(_someone(c)),
    "set_status": lambda c: c.set_status(_someone(c), PersonStatus.ON_LEAVE),
    "renumber": lambda c: c.renumber(_someone(c), None),
    "move": lambda c: c.move(_someone(c), site_id=c.sites[1].id),
    "rename": lambda c: c.rename(_someone(c), first_name="Renamed"),
    "remove": lambda c: c.remove(_someone(c)),
    "restore": lambda c: c.restore(c.remove(_someone(c))),
    "today": lambda c: setattr(c, "today", TODAY + timedelta(days=1)),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_moves_the_version(name: str) -> None:
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    before = company.version
    MUTATIONS[name](company)
    assert company.version > before


def test_reads_leave_the_version_alone() -> None:
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    before = company.version
    company.people()
    company.get(_someone(company))
    assert len(company) == 40
    assert company.version == before


def test_a_value_is_built_once_per_version_and_key() -> None:
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    memo = CompanyMemo(company)
    builds: list[str] = []

    def names(key: str) -> list[str]:
        def build() -> list[str]:
            builds.append(key)
            return [p.first_name for p in company.people()]

        return memo.get(key, build)

    first = names("a")
    assert names("a") is first
    names("b")
    assert builds == ["a", "b"]
    company.rename(company.people()[0].id, first_name="Zed")
    assert names("a")[0] == "Zed"
    assert builds == ["a", "b", "a"]


def test_the_memo_keeps_a_bounded_number_of_keys() -> None:
    company = SyntheticCompany(seed=5, size=10, today=TODAY)
    memo = CompanyMemo(company, max_keys=3)
    builds: list[int] = []

    def value(key: int) -> int:
        def build() -> int:
            builds.append(key)
            return key

        return memo.get(key, build)

    for key in (1, 2, 3, 4):
        value(key)
    value(1)  # pushed out by 4, so built again
    assert builds == [1, 2, 3, 4, 1]


def test_people_and_by_id_come_from_one_read() -> None:
    company = SyntheticCompany(seed=5, size=10, today=TODAY)
    memo = CompanyMemo(company)
    people = memo.people()
    assert [p.id for p in people] == [p.id for p in company.people()]
    assert all(memo.by_id()[p.id] is p for p in people)
    company.remove(people[0].id)
    assert people[0].id not in memo.by_id()


def test_a_served_page_follows_the_company_and_faults_stay_per_request() -> None:
    company = SyntheticCompany(seed=5, size=60, today=TODAY)
    faults = Faults()
    app = EMULATORS["humaans"](company, credentials={"access_token": "t"}, faults=faults)
    headers = {"Authorization": "Bearer t"}
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url) as client:

        def page() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = client.get(
                "/api/people", params={"$limit": 50}, headers=headers
            ).json()["data"]
            return rows

        first = page()
        faults.short_page(keep=0.2, path="/api/people")
        assert len(page()) < len(first)
        assert page() == first  # the short page was not kept
        company.rename(company.people()[0].id, first_name="Renamed")
        assert page()[0]["firstName"] == "Renamed"
        assert faults.leak_sensitive_fields is False
        faults.leak_sensitive_fields = True
        assert page() != first
