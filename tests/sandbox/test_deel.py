"""The Deel emulator's working locations, per Deel's OpenAPI, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

TOKEN = "deel-token"


@pytest.fixture(scope="module")
def company() -> SyntheticCompany:
    return SyntheticCompany(seed=3, size=200, today=TODAY)


@contextmanager
def _serving(company: SyntheticCompany) -> Iterator[httpx.Client]:
    app = EMULATORS["deel"](company, credentials={"api_token": TOKEN}, faults=Faults())
    with (
        ServerThread(app) as server,
        httpx.Client(
            base_url=server.base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ) as http,
    ):
        yield http


@pytest.fixture(scope="module")
def client(company: SyntheticCompany) -> Iterator[httpx.Client]:
    with _serving(company) as http:
        yield http


def _people(client: httpx.Client) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    while True:
        page = client.get("/rest/v2/people", params={"limit": 100, "offset": len(people)}).json()
        people += page["data"]
        if len(people) >= page["page"]["total_rows"]:
            return people


def test_working_locations_are_the_sites_with_id_and_name_only(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    response = client.get("/rest/v2/working-locations")
    assert response.status_code == 200
    items = response.json()["data"]
    assert [set(i) for i in items] == [{"id", "name"}] * len(company.sites)
    assert [i["name"] for i in items] == [s.name for s in company.sites]
    assert len({i["id"] for i in items}) == len(items)
    # Stable across requests: a connector keys locations by these ids.
    assert client.get("/rest/v2/working-locations").json()["data"] == items


def test_work_location_is_a_working_location_name_or_null(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    names = {i["name"] for i in client.get("/rest/v2/working-locations").json()["data"]}
    people = _people(client)
    assert len(people) == len(company)
    values = [p["work_location"] for p in people]
    assert all(v is None or isinstance(v, str) for v in values)
    assert {v for v in values if v is not None} <= names
    missing = values.count(None)
    assert 0 < missing < len(people) // 10
    by_email = {p.work_email: p for p in company.people() if p.work_email}
    for person in people:
        synthetic = by_email.get(person["emails"][1]["value"])
        if synthetic is not None and person["work_location"] is not None:
            assert person["work_location"] == company.site(synthetic.site_id).name


def test_working_locations_need_the_token(client: httpx.Client) -> None:
    response = client.get("/rest/v2/working-locations", headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    assert "errors" in response.json()


def test_contractors_are_listed_with_hiring_type_contractor() -> None:
    """Deel's OpenAPI: ``Employee.hiring_type`` and ``employments[].hiring_type``, "The type
    of hiring", example ``contractor``; contractors share the people list with employees."""
    company = SyntheticCompany(seed=5, size=20, today=TODAY)
    contractor = company.hire(start_date=TODAY)
    company.set_contractor(contractor.id)
    with _serving(company) as http:
        people = _people(http)
        assert len(people) == len(company)
        by_email = {p["emails"][1]["value"]: p for p in people}
        row = by_email[contractor.work_email]
        assert row["hiring_type"] == "contractor"
        assert [e["hiring_type"] for e in row["employments"]] == ["contractor"]
        assert row["hiring_status"] == "active"
        one = http.get(f"/rest/v2/people/{row['id']}").json()["data"]
        assert one["hiring_type"] == "contractor"
        others = [p for p in people if p is not row]
        assert {p["hiring_type"] for p in others} == {"hris_direct_employee"}
        assert {e["hiring_type"] for p in others for e in p["employments"]} == {
            "hris_direct_employee"
        }
        company.set_contractor(contractor.id, False)
        again = {p["emails"][1]["value"]: p for p in _people(http)}[contractor.work_email]
        assert again["hiring_type"] == "hris_direct_employee"
