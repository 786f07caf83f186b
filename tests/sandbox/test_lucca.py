"""The Lucca emulator over real HTTP: v4 organization structure paging, auth, retired v3 routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.lucca import RATE_LIMIT, V4_DEFAULT_LIMIT, V4_MAX_LIMIT
from tests.conftest import SwappableApp

KEY = "lucca-key"
HEADERS = {"Authorization": f"lucca application={KEY}"}
DEPARTMENTS = "/organization/structure/api/departments"
ESTABLISHMENTS = "/organization/structure/api/establishments"


@pytest.fixture
def lucca(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany, faults: Faults
) -> Iterator[str]:
    server, swappable = shared_server
    swappable.app = EMULATORS["lucca"](company, credentials={"api_key": KEY}, faults=faults)
    yield server.base_url
    swappable.app = None


def get(url: str, **params: str) -> httpx.Response:
    return httpx.get(url, params=params, headers=HEADERS, timeout=10)


def walk(url: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a v4 list, following ``next`` cursors as ``?page=``."""
    items: list[dict[str, Any]] = []
    query = {"fields.root": "next,count", **params}
    while True:
        response = get(url, **query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        if body["next"] is None:
            assert len(items) == body["count"]
            return items
        query = {**query, "page": body["next"]}


@pytest.mark.parametrize("path", ["/api/v3/users", DEPARTMENTS, ESTABLISHMENTS])
def test_only_the_lucca_application_key_is_accepted(lucca: str, path: str) -> None:
    assert get(lucca + path).status_code == 200
    for header in ("lucca application=wrong", f"Bearer {KEY}", KEY):
        response = httpx.get(lucca + path, headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json()["status"] == 401
    assert httpx.get(lucca + path).status_code == 401


def test_departments_page_by_next_cursor(lucca: str, company: SyntheticCompany) -> None:
    items = walk(lucca + DEPARTMENTS, limit="2")
    assert [d["name"] for d in items] == [d.name for d in company.departments]
    assert [d["id"] for d in items] == sorted({d["id"] for d in items})
    first = get(lucca + DEPARTMENTS, limit="2", **{"fields.root": "next,prev,count"}).json()
    assert first["prev"] is None
    assert first["next"].startswith("!")
    assert first["count"] == len(company.departments)


def test_without_fields_root_a_page_is_items_only_and_ten_long(
    lucca: str, company: SyntheticCompany
) -> None:
    body = get(lucca + DEPARTMENTS).json()
    assert list(body) == ["items"]
    assert len(body["items"]) == min(V4_DEFAULT_LIMIT, len(company.departments))
    by_index = get(lucca + DEPARTMENTS, page="2", limit="3").json()["items"]
    assert [d["id"] for d in by_index] == [d["id"] for d in walk(lucca + DEPARTMENTS)][3:6]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": str(V4_MAX_LIMIT + 1)},
        {"limit": "0"},
        {"limit": "ten"},
        {"page": "0"},
        {"page": "not-a-cursor"},
        {"fields.root": "total"},
    ],
)
def test_bad_paging_is_a_400(lucca: str, params: dict[str, str]) -> None:
    response = get(lucca + DEPARTMENTS, **params)
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_departments_carry_the_v4_fields_and_inactive_ones(
    lucca: str, company: SyntheticCompany
) -> None:
    items = walk(lucca + DEPARTMENTS, limit=str(V4_MAX_LIMIT))
    fields = {
        "id", "name", "code", "description", "parentId", "parentLuccaId", "hierarchy",
        "isActive", "headId", "createdAt", "lastModifiedAt", "sortOrderInSiblings",
    }  # fmt: skip
    assert all(set(d) == fields for d in items)
    root, *children = items
    assert root["parentId"] is None
    assert root["hierarchy"] == "/1/"
    assert {d["parentId"] for d in children} == {root["hierarchy"]}
    archived = {d.name for d in company.departments if d.archived}
    assert {d["name"] for d in items if not d["isActive"]} == archived
    one = get(f"{lucca}{DEPARTMENTS}/{root['id']}")
    assert one.json() == root
    assert get(f"{lucca}{DEPARTMENTS}/999").status_code == 404


def test_establishments_hide_archived_ones_and_embed_the_legal_unit(
    lucca: str, company: SyntheticCompany
) -> None:
    items = walk(lucca + ESTABLISHMENTS)
    assert len(items) == len(company.sites)
    assert walk(lucca + ESTABLISHMENTS, isArchived="true") == []
    assert walk(lucca + ESTABLISHMENTS, isArchived="true,false") == items
    paris = next(e for e in items if e["address"]["city"] == "Paris")
    assert paris["legalUnit"]["id"] == paris["legalUnitId"]
    assert paris["legalUnit"]["countryId"] == "FRA"
    assert paris["legalUnit"]["country"]["code"] == "FR"
    assert paris["legalIdentificationNumber"].startswith(
        paris["legalUnit"]["legalIdentificationNumber"]
    )
    assert walk(lucca + ESTABLISHMENTS, id=str(paris["id"])) == [paris]
    assert walk(lucca + ESTABLISHMENTS, legalUnitId=str(paris["legalUnitId"])) == [paris]
    assert walk(lucca + ESTABLISHMENTS, search="paris") == [paris]
    assert get(lucca + ESTABLISHMENTS, isArchived="maybe").status_code == 400


def test_users_point_at_v4_department_and_establishment_ids(lucca: str) -> None:
    users = get(
        lucca + "/api/v3/users",
        fields="id,departmentId,department.name,legalEntityId,legalEntity.name",
        formerEmployees="true",
    ).json()["data"]["items"]
    departments = {d["id"]: d for d in walk(lucca + DEPARTMENTS, limit="50")}
    establishments = {e["id"]: e for e in walk(lucca + ESTABLISHMENTS, isArchived="true,false")}
    legal_units = {e["legalUnitId"] for e in establishments.values()}
    for user in users:
        assert departments[user["departmentId"]]["name"] == user["department"]["name"]
        assert establishments[user["legalEntityId"]]["name"] == user["legalEntity"]["name"]
        assert user["legalEntityId"] not in legal_units


def test_structure_pages_never_read_people(
    lucca: str, company: SyntheticCompany, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_people() -> None:
        raise AssertionError("a structure page read every person")

    monkeypatch.setattr(company, "people", no_people)
    assert get(lucca + DEPARTMENTS, limit="3").status_code == 200
    assert get(lucca + ESTABLISHMENTS).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/departments",
        "/api/v3/departments/10",
        "/api/v3/departments/tree",
        "/api/v3/legalentities",
        "/api/v3/legalEntities/1",
    ],
)
def test_retired_v3_routes_are_gone(lucca: str, path: str) -> None:
    response = get(lucca + path, fields="id,name")
    assert response.status_code == 410
    assert response.json()["status"] == 410
    assert "/organization/structure/api/" in response.json()["message"]
    assert httpx.get(lucca + path).status_code == 410  # gone whatever the credentials
    assert get(lucca + "/api/v3/nothing").status_code == 404


def test_faults_reach_the_v4_endpoints(lucca: str, faults: Faults) -> None:
    first = get(lucca + DEPARTMENTS, limit="3", **{"fields.root": "next"}).json()
    faults.fail_next(500, path=DEPARTMENTS)
    second = get(lucca + DEPARTMENTS, limit="3", page=first["next"])
    assert second.status_code == 500
    assert second.json()["status"] == 500
    faults.rate_limit_next(retry_after=7, times=2, path=ESTABLISHMENTS)
    for _ in range(2):
        limited = get(lucca + ESTABLISHMENTS)
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "7"
    assert get(lucca + ESTABLISHMENTS).status_code == 200
    faults.truncate_next(path=ESTABLISHMENTS)
    with pytest.raises(ValueError):
        get(lucca + ESTABLISHMENTS).json()
    faults.forbid()
    assert get(lucca + DEPARTMENTS).status_code == 403
    faults.allow()
    faults.revoke_credentials()
    assert get(lucca + ESTABLISHMENTS).status_code == 401


def test_the_documented_rate_limit_when_enforced(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany
) -> None:
    server, swappable = shared_server
    swappable.app = EMULATORS["lucca"](
        company, credentials={"api_key": KEY}, enforce_rate_limit=True
    )
    try:
        paths = [DEPARTMENTS, ESTABLISHMENTS]
        for n in range(RATE_LIMIT):
            assert get(server.base_url + paths[n % 2]).status_code == 200
        limited = get(server.base_url + "/api/v3/users")
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
    finally:
        swappable.app = None
