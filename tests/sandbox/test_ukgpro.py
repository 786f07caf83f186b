"""The UKG Pro emulator over real HTTP: auth, page/per_Page paging, statuses, faults."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.ukgpro import MAX_PER_PAGE, employee_id
from tests.conftest import SwappableApp

ACCOUNT = ("svc-rostersync", "s3cret-pass")
KEY = {"US-Customer-Api-Key": "CUST1"}
EMPLOYMENT = "/personnel/v1/employment-details"
PERSON = "/personnel/v1/person-details"


@pytest.fixture
def ukg(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany, faults: Faults
) -> Iterator[httpx.Client]:
    server, swappable = shared_server
    swappable.app = EMULATORS["ukgpro"](
        company,
        credentials={"username": ACCOUNT[0], "password": ACCOUNT[1], "customer_api_key": "CUST1"},
        faults=faults,
    )
    with httpx.Client(base_url=server.base_url, auth=ACCOUNT, headers=KEY, timeout=10) as c:
        yield c
    swappable.app = None


def _rows(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def _by_employee(client: httpx.Client, path: str = EMPLOYMENT) -> dict[str, dict[str, Any]]:
    return {r.get("employeeID") or r["employeeId"]: r for r in _rows(client, path)}


@pytest.mark.parametrize(
    ("auth", "headers"),
    [
        (ACCOUNT, {}),  # no Customer API key
        (None, KEY),  # no Basic credentials
        ((ACCOUNT[0], "wrong"), KEY),
        (ACCOUNT, {"US-Customer-Api-Key": "OTHER"}),
    ],
)
def test_basic_auth_and_the_customer_api_key_are_both_required(
    ukg: httpx.Client, auth: tuple[str, str] | None, headers: dict[str, str]
) -> None:
    response = httpx.get(f"{ukg.base_url}{EMPLOYMENT}", auth=auth, headers=headers)
    assert response.status_code == 401
    assert response.json()["status"] == 401


def test_per_page_pages_through_everyone_and_past_the_end_is_empty(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    ids: list[str] = []
    page = 1
    while rows := _rows(ukg, EMPLOYMENT, page=page, per_Page=70):
        assert len(rows) <= 70
        ids += [r["employeeID"] for r in rows]
        page += 1
    assert page == -(-len(company) // 70) + 1
    assert len(ids) == len(set(ids)) == len(company)
    # Names bind case-insensitively, as public clients send per_page.
    assert [r["employeeID"] for r in _rows(ukg, EMPLOYMENT, page=2, per_page=70)] == ids[70:140]


def test_without_paging_parameters_the_default_max_is_one_page(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    assert len(_rows(ukg, EMPLOYMENT)) == len(company) < MAX_PER_PAGE
    assert len(_rows(ukg, PERSON, per_Page=MAX_PER_PAGE + 1)) == len(company)


@pytest.mark.parametrize("params", [{"page": "0"}, {"per_Page": "x"}, {"per_Page": "0"}])
def test_bad_paging_parameters_are_400(ukg: httpx.Client, params: dict[str, str]) -> None:
    response = ukg.get(EMPLOYMENT, params=params)
    assert response.status_code == 400
    assert response.json()["status"] == 400


def test_every_status_is_listed_with_ukg_status_codes(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    rows = _by_employee(ukg)
    people = {employee_id(p): p for p in company.people()}
    assert rows.keys() == people.keys()
    codes = Counter(r["employeeStatusCode"] for r in rows.values())
    noticed = [p for p in people.values() if p.status is PersonStatus.ACTIVE and p.termination_date]
    neutral = Counter(p.status for p in people.values())
    assert codes["T"] == neutral[PersonStatus.TERMINATED] + len(noticed) > 0
    assert codes["L"] == neutral[PersonStatus.ON_LEAVE] > 0
    for key, person in people.items():
        row = rows[key]
        if person.status is PersonStatus.TERMINATED:
            assert row["dateOfTermination"] == f"{person.termination_date}T00:00:00"
            assert row["statusStartDate"] == row["dateOfTermination"]
        if person.status is PersonStatus.HIRED:
            assert row["employeeStatusCode"] == "A"
            assert row["lastHireDate"] > f"{company.today}"
        assert "terminationDate" not in row  # UKG's name is dateOfTermination


def test_a_future_dated_termination_is_T_at_once_with_its_date_ahead(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    person = next(p for p in company.people() if p.status is PersonStatus.ACTIVE)
    last_day = company.today + timedelta(days=30)
    company.terminate(person.id, last_day)
    row = _rows(ukg, EMPLOYMENT, employeeId=employee_id(person))[0]
    assert row["employeeStatusCode"] == "T"
    assert row["dateOfTermination"] == f"{last_day}T00:00:00"


def test_a_rehire_keeps_the_original_hire_date_and_clears_the_termination(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    leaver = next(p for p in company.people() if p.status is PersonStatus.TERMINATED)
    company.rehire(leaver.id, company.today)
    (row,) = _rows(ukg, EMPLOYMENT, employeeId=employee_id(leaver))
    assert row["employeeStatusCode"] == "A"
    assert row["originalHireDate"] == f"{leaver.start_date}T00:00:00"
    assert row["lastHireDate"] == f"{company.today}T00:00:00"
    assert row["dateOfTermination"] is None


def test_supervisor_org_levels_and_location_resolve_to_configuration(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    rows = _by_employee(ukg)
    levels = {(o["level"], o["code"]): o for o in _rows(ukg, "/configuration/v1/org-levels")}
    locations = {loc["locationCode"]: loc for loc in _rows(ukg, "/configuration/v1/locations")}
    for person in company.people():
        row = rows[employee_id(person)]
        manager = company.get(person.manager_id) if person.manager_id else None
        assert row["supervisorID"] == (employee_id(manager) if manager else None)
        department = levels[(1, row["orgLevel1Code"])]
        assert department["description"] == company.department(person.department_id).name
        if person.team_id:
            assert (
                levels[(2, row["orgLevel2Code"])]["description"]
                == company.team(person.team_id).name
            )
        site = company.site(person.site_id)
        assert locations[row["primaryWorkLocationCode"]]["description"] == site.name
    archived = [o for o in levels.values() if not o["isActive"]]
    assert [o["description"] for o in archived] == ["Legacy Operations"]


def test_person_details_carry_the_work_email_by_employee_id(
    ukg: httpx.Client, company: SyntheticCompany
) -> None:
    persons = _by_employee(ukg, PERSON)
    for person in company.people():
        row = persons[employee_id(person)]
        assert (row["firstName"], row["lastName"]) == (person.first_name, person.last_name)
        assert row["emailAddress"] == person.work_email
    someone = next(p for p in company.people() if p.work_email)
    found = _rows(ukg, PERSON, emailAddress=(someone.work_email or "").upper())
    assert [r["employeeId"] for r in found] == [employee_id(someone)]


def test_filters_and_the_per_company_paths(ukg: httpx.Client, company: SyntheticCompany) -> None:
    leavers = _rows(ukg, EMPLOYMENT, employeeStatusCode="T")
    assert leavers
    assert {r["employeeStatusCode"] for r in leavers} == {"T"}
    company_id = leavers[0]["companyID"]
    scoped = _rows(ukg, f"/personnel/v1/companies/{company_id}/employment-details", per_Page=50)
    everyone = [r["employeeID"] for r in _rows(ukg, EMPLOYMENT)]
    assert [r["employeeID"] for r in scoped] == everyone[:50]
    assert _rows(ukg, "/personnel/v1/companies/NOPE1/person-details") == []


def test_pages_come_from_one_render_until_the_company_changes(
    ukg: httpx.Client, company: SyntheticCompany, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    people = company.people

    def counted() -> list[Any]:
        nonlocal reads
        reads += 1
        return people()

    monkeypatch.setattr(company, "people", counted)
    for page in range(1, 6):
        _rows(ukg, EMPLOYMENT, page=page, per_Page=60)
    assert reads == 1
    company.rename(people()[0].id, first_name="Renamed")
    assert _rows(ukg, PERSON, per_Page=1)[0]["firstName"] == "Renamed"
    assert reads == 2


def test_shared_faults_answer_in_ukg_shape(ukg: httpx.Client, faults: Faults) -> None:
    faults.rate_limit_next(retry_after=3, path=EMPLOYMENT)
    limited = ukg.get(EMPLOYMENT)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "3")
    assert limited.json() == {"title": "Too Many Requests", "status": 429}
    faults.fail_next(503, path=EMPLOYMENT)
    assert ukg.get(EMPLOYMENT).status_code == 503
    faults.truncate_next(path=EMPLOYMENT)
    with pytest.raises(ValueError):
        ukg.get(EMPLOYMENT).json()
    faults.short_page(keep=0.2, path=EMPLOYMENT)
    assert len(_rows(ukg, EMPLOYMENT, per_Page=100)) == 20
    faults.revoke_credentials()
    assert ukg.get("/configuration/v1/locations").status_code == 401


def test_leaked_fields_appear_only_with_the_fault(ukg: httpx.Client, faults: Faults) -> None:
    assert "annualSalary" not in _rows(ukg, EMPLOYMENT, per_Page=1)[0]
    faults.leak_sensitive_fields = True
    assert "annualSalary" in _rows(ukg, EMPLOYMENT, per_Page=1)[0]
