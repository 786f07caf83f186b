"""The ADP Workforce Now emulator's documented rules: token, paging bounds, statuses, masking."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import adpworkforcenow
from rostersync.sandbox.vendors.adpworkforcenow import associate_oid
from tests.conftest import TODAY

CREDS = {"client_id": "adp-client", "client_secret": "adp-secret"}
AUTH = (CREDS["client_id"], CREDS["client_secret"])
TOKEN_PATH = "/auth/oauth/v2/token"
WORKERS = "/hr/v2/workers"


@pytest.fixture
def company() -> SyntheticCompany:
    return SyntheticCompany(seed=3, size=120, today=TODAY)


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture
def client(company: SyntheticCompany, faults: Faults) -> Iterator[httpx.Client]:
    app = EMULATORS["adpworkforcenow"](company, credentials=CREDS, faults=faults)
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url, timeout=10) as c:
        yield c


def _token(client: httpx.Client) -> str:
    response = client.post(TOKEN_PATH, params={"grant_type": "client_credentials"}, auth=AUTH)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def _bearer(client: httpx.Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {_token(client)}"}


def _page(client: httpx.Client, headers: dict[str, str], **params: Any) -> httpx.Response:
    return client.get(WORKERS, params=params, headers=headers)


def _everyone(client: httpx.Client, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every worker, paging as ADP's clients do: advance by what came, stop at the 204."""
    found: list[dict[str, Any]] = []
    while (response := _page(client, headers, **{"$top": 100, "$skip": len(found)})).content:
        assert response.status_code == 200, response.text
        found.extend(response.json()["workers"])
    assert response.status_code == 204
    return found


def _by_person(client: httpx.Client, company: SyntheticCompany) -> dict[str, dict[str, Any]]:
    rows = {w["associateOID"]: w for w in _everyone(client, _bearer(client))}
    return {p.id: rows[associate_oid(p.id)] for p in company.people()}


def _messages(response: httpx.Response) -> list[str]:
    confirm = response.json()["confirmMessage"]
    assert confirm["protocolStatusCode"]["codeValue"] == str(response.status_code)
    return [
        m["userMessage"]["messageTxt"]
        for r in confirm["resourceMessages"]
        for m in r["processMessages"]
    ]


def test_the_token_takes_basic_or_form_client_authentication(client: httpx.Client) -> None:
    by_basic = client.post(
        TOKEN_PATH, params={"grant_type": "client_credentials"}, auth=AUTH
    ).json()
    assert by_basic["token_type"] == "Bearer"
    assert by_basic["expires_in"] == 3600
    by_form = client.post(TOKEN_PATH, data={"grant_type": "client_credentials", **CREDS})
    assert by_form.status_code == 200
    assert by_form.json()["access_token"] != by_basic["access_token"]


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (CREDS, 400, "invalid_request"),
        ({"grant_type": "password", **CREDS}, 400, "unsupported_grant_type"),
        (
            {"grant_type": "client_credentials", **CREDS, "client_secret": "x"},
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials"}, 401, "invalid_client"),
    ],
)
def test_token_errors_are_the_documented_ones(
    client: httpx.Client, data: dict[str, str], status: int, error: str
) -> None:
    response = client.post(TOKEN_PATH, data=data)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_workers_need_a_bearer_token(client: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer not-issued"}):
        response = client.get(WORKERS, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert _messages(response) == ["Invalid authorization credentials"]
    assert _page(client, _bearer(client)).status_code == 200


def test_an_expired_token_answers_401(company: SyntheticCompany) -> None:
    app = adpworkforcenow.create_app(company, credentials=CREDS, token_ttl=0)
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url) as client:
        assert client.get(WORKERS, headers=_bearer(client)).status_code == 401


def test_revoked_credentials_fail_the_token_and_the_data(
    client: httpx.Client, faults: Faults
) -> None:
    headers = _bearer(client)
    faults.revoke_credentials()
    refused = client.post(TOKEN_PATH, data={"grant_type": "client_credentials", **CREDS})
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert _page(client, headers).status_code == 401


def test_paging_bounds(client: httpx.Client, company: SyntheticCompany) -> None:
    headers = _bearer(client)
    assert len(_page(client, headers).json()["workers"]) == adpworkforcenow.DEFAULT_TOP
    capped = _page(client, headers, **{"$top": 500})
    assert len(capped.json()["workers"]) == adpworkforcenow.MAX_TOP
    last = _page(client, headers, **{"$top": 100, "$skip": 100})
    assert len(last.json()["workers"]) == len(company) - 100
    for skip in (len(company), len(company) + 50):
        past = _page(client, headers, **{"$top": 100, "$skip": skip})
        assert past.status_code == 204
        assert past.content == b""
    for params in ({"$top": 0}, {"$top": "ten"}, {"$skip": -1}, {"$filter": "x eq 'y'"}):
        assert _page(client, headers, **params).status_code == 400


def test_the_list_holds_every_worker_leavers_included(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    rows = _everyone(client, _bearer(client))
    assert [w["associateOID"] for w in rows] == [associate_oid(p.id) for p in company.people()]
    statuses = {w["workerStatus"]["statusCode"]["codeValue"] for w in rows}
    assert statuses == {"Active", "Inactive", "Terminated"}


def test_termination_leave_and_hire_shapes(client: httpx.Client, company: SyntheticCompany) -> None:
    people = company.people()
    gone = next(p for p in people if p.status is PersonStatus.TERMINATED)
    away = next(p for p in people if p.status is PersonStatus.ON_LEAVE)
    coming = next(p for p in people if p.status is PersonStatus.HIRED)
    leaving = next(p for p in people if p.status is PersonStatus.ACTIVE and p.manager_id)
    company.terminate(leaving.id, TODAY + timedelta(days=10))
    rows = _by_person(client, company)

    def shape(person_id: str) -> tuple[Any, ...]:
        worker = rows[person_id]
        assignment = worker["workAssignments"][0]
        return (
            worker["workerStatus"]["statusCode"]["codeValue"],
            assignment["assignmentStatus"]["statusCode"]["codeValue"],
            assignment.get("terminationDate"),
            worker["workerDates"].get("terminationDate"),
        )

    ended = gone.termination_date.isoformat() if gone.termination_date else None
    assert shape(gone.id) == ("Terminated", "T", ended, ended)
    ahead = (TODAY + timedelta(days=10)).isoformat()
    assert shape(leaving.id) == ("Active", "A", ahead, ahead)
    assert shape(away.id)[:2] == ("Inactive", "L")
    assert shape(coming.id)[:2] == ("Active", "A")
    assert rows[coming.id]["workAssignments"][0]["hireDate"] == coming.start_date.isoformat()


def test_a_rehire_keeps_the_original_hire_date(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    gone = next(p for p in company.people() if p.status is PersonStatus.TERMINATED)
    company.rehire(gone.id, TODAY)
    dates = _by_person(client, company)[gone.id]["workerDates"]
    assert dates == {"originalHireDate": gone.start_date.isoformat(), "rehireDate": str(TODAY)}


def test_organisation_manager_and_location(client: httpx.Client, company: SyntheticCompany) -> None:
    person = next(p for p in company.people() if p.manager_id and p.work_email)
    worker = _by_person(client, company)[person.id]
    assignment = worker["workAssignments"][0]
    units = {
        u["typeCode"]["codeValue"]: u["nameCode"] for u in assignment["homeOrganizationalUnits"]
    }
    assert units["Department"]["shortName"] == company.department(person.department_id).name
    assert "Business Unit" in units
    assert assignment["primaryIndicator"] is True
    assert person.manager_id is not None
    assert assignment["reportsTo"][0]["associateOID"] == associate_oid(person.manager_id)
    location = assignment["homeWorkLocation"]
    assert location["nameCode"]["shortName"] == company.site(person.site_id).name
    assert worker["businessCommunication"]["emails"][0]["emailUri"] == person.work_email
    assert worker["person"]["legalName"]["familyName1"] == person.last_name


def test_birth_date_and_ssn_are_masked_unless_asked(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    us = {s.id for s in company.sites if s.country_code == "US"}
    person = next(p for p in company.people() if p.site_id in us and p.date_of_birth)
    path = f"{WORKERS}/{associate_oid(person.id)}"
    headers = _bearer(client)
    masked = client.get(path, headers=headers).json()["workers"][0]["person"]
    assert masked["birthDate"].startswith("0000-")
    assert masked["governmentIDs"][0]["idValue"].startswith("XXX-XX-")
    unmasked = {**headers, "Accept": "application/json;masked=false"}
    plain = client.get(path, headers=unmasked).json()["workers"][0]["person"]
    assert plain["birthDate"] == str(person.date_of_birth)
    assert not plain["governmentIDs"][0]["idValue"].startswith("XXX")


def test_one_worker_by_aoid(client: httpx.Client, company: SyntheticCompany) -> None:
    headers = _bearer(client)
    person = company.people()[5]
    one = client.get(f"{WORKERS}/{associate_oid(person.id)}", headers=headers).json()
    assert [w["associateOID"] for w in one["workers"]] == [associate_oid(person.id)]
    missing = client.get(f"{WORKERS}/G3NOSUCHWORKER00", headers=headers)
    assert missing.status_code == 404
    assert _messages(missing) == [
        "The specified resource does not exist or you do not have access to it."
    ]


def test_faults_answer_in_the_vendor_shape(client: httpx.Client, faults: Faults) -> None:
    headers = _bearer(client)
    faults.rate_limit_next(retry_after=7, path=WORKERS)
    limited = _page(client, headers)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    faults.fail_next(503, path=WORKERS)
    assert _messages(_page(client, headers)) == ["Service unavailable"]
    faults.truncate_next(path=WORKERS)
    with pytest.raises(json.JSONDecodeError):
        json.loads(_page(client, headers).content)


def test_a_page_renders_only_its_own_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13: the company is read once, and a page renders its own workers only, wherever
    it starts, so a 100,000-person company costs O(page) per request, not O(N)."""
    company = SyntheticCompany(seed=7, size=3000, today=TODAY)
    reads, rendered = [], []
    people = company.people

    def counted_people() -> list[Any]:
        reads.append(1)
        return people()

    worker = adpworkforcenow._Renderer.worker

    def counted_worker(self: Any, person: Any, *, masked: bool) -> dict[str, Any]:
        rendered.append(person.id)
        return worker(self, person, masked=masked)

    monkeypatch.setattr(company, "people", counted_people)
    monkeypatch.setattr(adpworkforcenow._Renderer, "worker", counted_worker)
    app = EMULATORS["adpworkforcenow"](company, credentials=CREDS)
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url) as client:
        headers = _bearer(client)
        for skip in (2900, 0, 1500):
            assert len(_page(client, headers, **{"$top": 100, "$skip": skip}).json()["workers"])
    assert len(rendered) == 300
    assert len(reads) == 1
