"""The Oracle HCM emulator: auth, paging bounds, the workers list as of a date, the shape of a
termination, expand / fields / q, faults, and a page that costs its own size."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import oraclehcm
from tests.conftest import TODAY, SwappableApp, plugged_in, serve_swappable

CREDS = {"username": "HCM_INTEGRATION", "password": "pw", "client_id": "app", "client_secret": "s"}
AUTH = ("HCM_INTEGRATION", "pw")
WORKERS = "/hcmRestApi/resources/11.13.18.05/workers"
V4 = {"REST-Framework-Version": "4"}
SCOPE = "urn:opc:resource:fusion:pod:hcmRestApi/"


@dataclass
class Pod:
    company: SyntheticCompany
    faults: Faults
    client: httpx.Client

    def workers(self, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
        response = self.client.get(WORKERS, params=params, auth=AUTH, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def worker(self, person_id: str, **params: Any) -> dict[str, Any]:
        """One person's item, everything expanded, no links."""
        person = self.company.get(person_id)
        params.setdefault("onlyData", "true")
        items = self.workers(q=f"PersonNumber = '{person.serial}'", expand="all", **params)
        assert len(items["items"]) == 1, items
        item: dict[str, Any] = items["items"][0]
        return item


@pytest.fixture(scope="module")
def oracle_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


@pytest.fixture
def pod(oracle_server: tuple[ServerThread, SwappableApp]) -> Iterator[Pod]:
    company = SyntheticCompany(seed=21, size=300, today=TODAY)
    faults = Faults()
    app = EMULATORS["oraclehcm"](company, credentials=CREDS, faults=faults)
    with plugged_in(oracle_server, app) as base_url, httpx.Client(base_url=base_url) as client:
        yield Pod(company, faults, client)


def _by_status(company: SyntheticCompany, status: PersonStatus) -> list[Any]:
    return [p for p in company.people() if p.status is status and not p.past_employments]


def _assignment(item: dict[str, Any], index: int = -1) -> dict[str, Any]:
    found: dict[str, Any] = item["workRelationships"][index]["assignments"][0]
    return found


# --- auth -----------------------------------------------------------------------------------


def test_every_resource_wants_basic_or_an_identity_domain_token(pod: Pod) -> None:
    for auth in (None, ("HCM_INTEGRATION", "wrong")):
        refused = pod.client.get(WORKERS, auth=auth)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/vnd.oracle.adf.error+json"
        assert refused.json()["title"] == "Unauthorized"
    bad_client = pod.client.post(
        "/oauth2/v1/token",
        auth=("app", "wrong"),
        data={"grant_type": "client_credentials", "scope": SCOPE},
    )
    assert bad_client.status_code == 401
    assert bad_client.json()["error"] == "invalid_client"
    no_scope = pod.client.post(
        "/oauth2/v1/token", auth=("app", "s"), data={"grant_type": "client_credentials"}
    )
    assert no_scope.json()["error"] == "invalid_scope"
    token = pod.client.post(
        "/oauth2/v1/token",
        auth=("app", "s"),
        data={"grant_type": "client_credentials", "scope": SCOPE},
    ).json()
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    for path in (WORKERS, "/hcmRestApi/resources/latest/organizations"):
        assert pod.client.get(path, headers=bearer).status_code == 200
    assert pod.client.get(WORKERS, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_basic_alone_is_enough() -> None:
    company = SyntheticCompany(seed=2, size=20, today=TODAY)
    app = EMULATORS["oraclehcm"](company, credentials={"username": "u", "password": "p"})
    with ServerThread(app) as server:
        assert httpx.get(f"{server.base_url}{WORKERS}", auth=("u", "p")).status_code == 200
        token = httpx.post(
            f"{server.base_url}/oauth2/v1/token",
            auth=("u", "p"),
            data={"grant_type": "client_credentials", "scope": SCOPE},
        )
        assert token.status_code == 401


# --- paging ---------------------------------------------------------------------------------


def test_pages_by_item_offset_within_the_documented_bounds(pod: Pod) -> None:
    first = pod.workers()
    assert (first["count"], first["limit"], first["offset"], first["hasMore"]) == (25, 25, 0, True)
    assert "totalResults" not in first
    assert first["links"][0]["rel"] == "self"
    total = pod.workers(totalResults="true", limit=1)["totalResults"]
    listed = [p for p in pod.company.people() if p.start_date <= TODAY or p.past_employments]
    assert total == len(listed)
    seen: list[int] = []
    offset = 0
    while True:
        page = pod.workers(limit=100, offset=offset, onlyData="true")
        seen += [item["PersonId"] for item in page["items"]]
        offset += page["count"]
        if not page["hasMore"]:
            break
    assert len(seen) == len(set(seen)) == total
    assert seen == sorted(seen)  # PersonId order: pages never overlap
    capped = pod.workers(limit=10_000)
    assert capped["limit"] == oraclehcm.MAX_LIMIT
    assert capped["count"] == min(total, oraclehcm.MAX_LIMIT)
    past_the_end = pod.workers(offset=total + 5)
    assert (past_the_end["items"], past_the_end["hasMore"]) == ([], False)
    for bad in ({"limit": "ten"}, {"limit": 0}, {"offset": -1}, {"effectiveDate": "02/06/2025"}):
        refused = pod.client.get(WORKERS, params=bad, auth=AUTH)
        assert refused.status_code == 400, bad
        assert refused.json()["o:errorDetails"][0]["detail"]


# --- who is listed, as of which date --------------------------------------------------------


def test_future_hires_appear_only_from_their_start_date(pod: Pod) -> None:
    hire = _by_status(pod.company, PersonStatus.HIRED)[0]
    number = f"PersonNumber = '{hire.serial}'"
    assert pod.workers(q=number)["items"] == []
    on_start = pod.workers(
        q=number, effectiveDate=hire.start_date.isoformat(), expand="workRelationships.assignments"
    )["items"]
    assert len(on_start) == 1
    relationship = on_start[0]["workRelationships"][0]
    assert relationship["StartDate"] == hire.start_date.isoformat()
    assert relationship["assignments"][0]["AssignmentStatusType"] == "ACTIVE"


def test_a_leaver_stays_listed_as_an_ex_employee(pod: Pod) -> None:
    leaver = _by_status(pod.company, PersonStatus.TERMINATED)[0]
    assert leaver.termination_date is not None
    item = pod.worker(leaver.id)
    relationship = item["workRelationships"][0]
    assert relationship["TerminationDate"] == leaver.termination_date.isoformat()
    assignment = _assignment(item)
    assert assignment["AssignmentStatusType"] == "INACTIVE"
    assert assignment["SystemPersonType"] == "EX_EMP"
    assert assignment["ActionCode"] == "TERMINATION"
    day_after = leaver.termination_date + timedelta(days=1)
    assert assignment["EffectiveStartDate"] == day_after.isoformat()
    assert assignment["managers"] == []


def test_a_future_termination_shows_at_once_while_the_assignment_stays_active(pod: Pod) -> None:
    person = _by_status(pod.company, PersonStatus.ACTIVE)[5]
    last_day = TODAY + timedelta(days=10)
    pod.company.terminate(person.id, last_day)
    now = pod.worker(person.id)
    assert now["workRelationships"][0]["TerminationDate"] == last_day.isoformat()
    assert _assignment(now)["AssignmentStatusType"] == "ACTIVE"
    assert _assignment(now)["EffectiveEndDate"] == last_day.isoformat()
    later = pod.worker(person.id, effectiveDate=(last_day + timedelta(days=1)).isoformat())
    assert _assignment(later)["AssignmentStatusType"] == "INACTIVE"
    on_the_day = pod.worker(person.id, effectiveDate=last_day.isoformat())
    assert _assignment(on_the_day)["AssignmentStatusType"] == "ACTIVE"


def test_garden_leave_shows_the_last_working_day(pod: Pod) -> None:
    person = _by_status(pod.company, PersonStatus.ACTIVE)[6]
    away, last_day = TODAY + timedelta(days=3), TODAY + timedelta(days=40)
    pod.company.garden_leave(person.id, away, last_day)
    relationship = pod.worker(person.id)["workRelationships"][0]
    assert relationship["LastWorkingDate"] == (away - timedelta(days=1)).isoformat()
    assert relationship["TerminationDate"] == last_day.isoformat()


def test_a_rehire_keeps_the_ended_relationship_beside_the_new_one(pod: Pod) -> None:
    leaver = _by_status(pod.company, PersonStatus.TERMINATED)[1]
    pod.company.rehire(leaver.id, TODAY)
    relationships = pod.worker(leaver.id)["workRelationships"]
    assert [r["PrimaryFlag"] for r in relationships] == [False, True]
    assert relationships[0]["TerminationDate"] is not None
    assert relationships[1]["TerminationDate"] is None
    numbers = [r["assignments"][0]["AssignmentNumber"] for r in relationships]
    assert numbers == [f"E{leaver.serial}", f"E{leaver.serial}-2"]
    assert relationships[1]["assignments"][0]["ActionCode"] == "REHIRE"


def test_leave_suspends_the_assignment_and_contractors_are_contingent(pod: Pod) -> None:
    on_leave = _by_status(pod.company, PersonStatus.ON_LEAVE)[0]
    assert _assignment(pod.worker(on_leave.id))["AssignmentStatusType"] == "SUSPENDED"
    contractor = _by_status(pod.company, PersonStatus.ACTIVE)[7]
    pod.company.set_contractor(contractor.id)
    item = pod.worker(contractor.id)
    assert item["workRelationships"][0]["WorkerType"] == "C"
    assert _assignment(item)["SystemPersonType"] == "CWK"


# --- expand, fields, q ----------------------------------------------------------------------


def test_children_are_links_until_expanded(pod: Pod) -> None:
    item = pod.workers(limit=1)["items"][0]
    assert "workRelationships" not in item
    children = {link["name"] for link in item["links"] if link["rel"] == "child"}
    assert children == {"names", "emails", "phones", "addresses", "workRelationships"}
    expanded = pod.workers(limit=1, expand="workRelationships.assignments")["items"][0]
    assignment = expanded["workRelationships"][0]["assignments"][0]
    assert "managers" not in assignment
    as_collection = pod.workers(V4, limit=1, expand="emails")["items"][0]["emails"]
    assert set(as_collection) >= {"items", "count", "hasMore", "limit", "offset"}
    assert "links" not in pod.workers(limit=1, onlyData="true")["items"][0]


def test_managers_point_at_the_managers_primary_assignment(pod: Pod) -> None:
    person = next(
        p for p in _by_status(pod.company, PersonStatus.ACTIVE) if p.manager_id and p.serial > 20
    )
    manager = pod.company.get(person.manager_id or "")
    line = _assignment(pod.worker(person.id))["managers"]
    boss = _assignment(pod.worker(manager.id))
    assert [m["ManagerType"] for m in line] == ["LINE_MANAGER"]
    assert line[0]["ManagerAssignmentId"] == boss["AssignmentId"]
    assert line[0]["ManagerAssignmentNumber"] == boss["AssignmentNumber"]
    assert boss["ManagerFlag"] is True


def test_fields_choose_attributes_and_imply_their_parents(pod: Pod) -> None:
    item = pod.workers(
        limit=1,
        onlyData="true",
        fields="PersonNumber;emails:EmailType,EmailAddress;workRelationships.assignments:DepartmentName",
    )["items"][0]
    assert set(item) == {"PersonNumber", "emails", "workRelationships"}
    assert {e["EmailType"] for e in item["emails"]} == {"W1", "H1"}
    assert item["workRelationships"][0] == {
        "assignments": [
            {"DepartmentName": item["workRelationships"][0]["assignments"][0]["DepartmentName"]}
        ]
    }
    for bad in ({"fields": "Salary"}, {"expand": "salaries"}, {"q": "Salary = '1'"}):
        assert pod.client.get(WORKERS, params=bad, auth=AUTH).status_code == 400, bad


def test_q_filters_at_the_worker_level(pod: Pod) -> None:
    person = _by_status(pod.company, PersonStatus.ACTIVE)[3]
    assert person.work_email
    local = person.work_email.split("@")[0]
    found = pod.workers(q=f"emails.EmailAddress like '{local}@%'", expand="emails")["items"]
    assert [i["PersonNumber"] for i in found] == [str(person.serial)]
    # The filter picks workers; each keeps all its emails (Oracle's tutorial says so).
    assert len(found[0]["emails"]) == 2
    v1 = pod.workers(q=f"PersonNumber={person.serial}")["items"]
    assert [i["PersonNumber"] for i in v1] == [str(person.serial)]
    ended = pod.workers(q="workRelationships.assignments.AssignmentStatusType = 'INACTIVE'")
    leavers = [p for p in pod.company.people() if p.status is PersonStatus.TERMINATED]
    assert ended["count"] == min(len(leavers), 25)


def test_order_by_sorts_and_refuses_unknown_attributes(pod: Pod) -> None:
    rows = pod.workers(limit=10, orderBy="PersonNumber:desc", onlyData="true")["items"]
    numbers = [r["PersonNumber"] for r in rows]
    assert numbers == sorted(numbers, reverse=True)
    refused = pod.client.get(WORKERS, params={"orderBy": "Nope"}, auth=AUTH)
    assert refused.status_code == 400


def test_leaking_expands_everything_whatever_was_asked(pod: Pod) -> None:
    pod.faults.leak_sensitive_fields = True
    item = pod.workers(limit=1, fields="PersonNumber", onlyData="true")["items"][0]
    assert {"DateOfBirth", "phones", "addresses", "emails"} <= set(item)


# --- departments, locations, faults ---------------------------------------------------------


def test_departments_and_locations_match_the_assignments(pod: Pod) -> None:
    departments = pod.client.get(
        "/hcmRestApi/resources/11.13.18.05/organizations", params={"limit": 100}, auth=AUTH
    ).json()["items"]
    assert {d["Name"] for d in departments} == {d.name for d in pod.company.departments}
    assert {d["Status"] for d in departments} == {"A", "I"}
    locations = pod.client.get(
        "/hcmRestApi/resources/11.13.18.05/locations", params={"onlyData": "true"}, auth=AUTH
    ).json()["items"]
    codes = {loc["LocationCode"]: loc["Country"] for loc in locations}
    assignment = _assignment(pod.workers(limit=1, expand="all")["items"][0])
    assert assignment["LocationCode"] in codes
    assert assignment["DepartmentId"] in {d["OrganizationId"] for d in departments}


def test_faults_come_in_the_frameworks_shape(pod: Pod) -> None:
    pod.faults.rate_limit_next(retry_after=7, path=WORKERS)
    limited = pod.client.get(WORKERS, auth=AUTH)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json()["status"] == "429"
    pod.faults.fail_next(503, path=WORKERS)
    assert pod.client.get(WORKERS, auth=AUTH).status_code == 503
    pod.faults.truncate_next(path=WORKERS)
    cut = pod.client.get(WORKERS, auth=AUTH)
    with pytest.raises(ValueError):
        cut.json()
    pod.faults.revoke_credentials()
    assert pod.client.get(WORKERS, auth=AUTH).status_code == 401


# --- cost -----------------------------------------------------------------------------------


def test_a_page_costs_its_own_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: the company is derived once per version; a page renders only its workers."""
    renders: list[int] = []
    render = oraclehcm._Renderer.worker

    def counting(self: Any, person: Any, as_of: date) -> Any:
        renders.append(person.serial)
        return render(self, person, as_of)

    monkeypatch.setattr(oraclehcm._Renderer, "worker", counting)
    builds: list[int] = []
    renderer_init = oraclehcm._Renderer.__init__

    def counting_init(self: Any, *args: Any) -> None:
        builds.append(1)
        renderer_init(self, *args)

    monkeypatch.setattr(oraclehcm._Renderer, "__init__", counting_init)
    company = SyntheticCompany(seed=4, size=5000, today=TODAY)
    app = EMULATORS["oraclehcm"](company, credentials=CREDS)
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url) as client:
        for offset in (0, 100, 4000):
            page = client.get(
                WORKERS, params={"limit": 100, "offset": offset, "expand": "all"}, auth=AUTH
            ).json()
            assert page["count"] == 100
        assert len(renders) == 300
        assert builds == [1]
        company.rename(company.people()[0].id, first_name="Renamed")
        first = client.get(WORKERS, params={"limit": 1, "expand": "names"}, auth=AUTH).json()
        assert first["items"][0]["names"][0]["FirstName"] == "Renamed"
        assert builds == [1, 1]
