"""The Gusto emulator's documented rules that the shared suites do not exercise."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors.gusto import gusto_uuid
from tests.conftest import TODAY

CREDS = {
    "client_id": "cid",
    "client_secret": "secret",
    "refresh_token": "refresh-1",
    "company_uuid": "c0f0e1d2-0000-4000-8000-000000000009",
}


def _refresh(base_url: str, refresh_token: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "secret",
        "refresh_token": refresh_token,
    }
    return httpx.post(f"{base_url}/oauth/token", data=form, timeout=10)


def test_pagination_headers_terminated_filter_and_strict_rotation() -> None:
    company = SyntheticCompany(seed=3, size=120, today=TODAY)
    app = EMULATORS["gusto"](
        company, credentials=CREDS, faults=Faults(), strict_refresh_rotation=True
    )
    with ServerThread(app) as server:
        first = _refresh(server.base_url, "refresh-1").json()
        assert first["expires_in"] == 7200
        assert _refresh(server.base_url, "refresh-1").status_code == 400  # rotated away
        assert _refresh(server.base_url, first["refresh_token"]).status_code == 200
        headers = {"Authorization": f"Bearer {first['access_token']}"}
        url = f"{server.base_url}/v1/companies/{CREDS['company_uuid']}/employees"
        page = httpx.get(url, params={"page": 2, "per": 100}, headers=headers, timeout=10)
        assert page.headers["X-Total-Count"] == "120"
        assert page.headers["X-Total-Pages"] == "2"
        assert len(page.json()) == 20
        gone = httpx.get(url, params={"terminated": "true"}, headers=headers, timeout=10).json()
        assert gone
        assert all(e["terminated"] and e["terminations"] for e in gone)
        other = httpx.get(
            f"{server.base_url}/v1/companies/someone-else/employees", headers=headers, timeout=10
        )
        assert other.status_code == 403
        assert "errors" in other.json()


def _client(server: ServerThread, version: str | None = None) -> httpx.Client:
    token = _refresh(server.base_url, "refresh-1").json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    if version is not None:
        headers["X-Gusto-API-Version"] = version
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=10)


def _addresses(client: httpx.Client, employee_uuid: str) -> list[dict[str, Any]]:
    response = client.get(f"/v1/employees/{employee_uuid}/work_addresses")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


FIELDS = {
    "uuid",
    "effective_date",
    "active",
    "location_uuid",
    "employee_uuid",
    "version",
    "street_1",
    "street_2",
    "city",
    "state",
    "zip",
    "country",
}


def test_work_addresses_one_active_movers_and_people_working_from_home() -> None:
    company = SyntheticCompany(seed=3, size=200, today=TODAY)
    app = EMULATORS["gusto"](company, credentials=CREDS, faults=Faults())
    with ServerThread(app) as server, _client(server) as client:
        locations = client.get(f"/v1/companies/{CREDS['company_uuid']}/locations").json()
        location_ids = {loc["uuid"] for loc in locations}
        moved = remote = 0
        for person in company.people():
            rows = _addresses(client, gusto_uuid("employee", person.id))
            if not rows:
                remote += 1
                continue
            assert all(set(r) == FIELDS for r in rows)
            assert all(r["location_uuid"] in location_ids for r in rows)
            active = [r for r in rows if r["active"]]
            assert len(active) == 1
            assert active[0]["location_uuid"] == gusto_uuid("location", person.site_id)
            if len(rows) > 1:
                moved += 1
                older, current = rows
                assert not older["active"]
                assert older["effective_date"] < current["effective_date"] <= TODAY.isoformat()
        assert 0 < remote < 20
        assert 0 < moved < 60


def test_a_move_adds_an_active_work_address_and_retires_the_old_one() -> None:
    company = SyntheticCompany(seed=3, size=60, today=TODAY)
    app = EMULATORS["gusto"](company, credentials=CREDS, faults=Faults())
    with ServerThread(app) as server, _client(server) as client:
        person = next(
            p
            for p in company.people()
            if len(_addresses(client, gusto_uuid("employee", p.id))) == 1
        )
        employee_uuid = gusto_uuid("employee", person.id)
        (before,) = _addresses(client, employee_uuid)
        other = next(s for s in company.sites if s.id != person.site_id)
        company.move(person.id, site_id=other.id)
        old, new = _addresses(client, employee_uuid)
        assert old["uuid"] == before["uuid"]
        assert not old["active"]
        assert old["version"] != before["version"]
        assert new["active"]
        assert new["effective_date"] == TODAY.isoformat()
        assert new["location_uuid"] == gusto_uuid("location", other.id)
        assert _addresses(client, employee_uuid) == [old, new]


def test_jobs_carry_a_location_only_before_version_2023_07_01() -> None:
    company = SyntheticCompany(seed=3, size=40, today=TODAY)
    app = EMULATORS["gusto"](company, credentials=CREDS, faults=Faults())
    path = f"/v1/companies/{CREDS['company_uuid']}/employees"
    with ServerThread(app) as server:
        for version in (None, "2023-07-01", "2025-06-15"):
            with _client(server, version) as client:
                jobs = [j for e in client.get(path).json() for j in e["jobs"]]
                assert jobs
                assert all("location_uuid" not in j and "location" not in j for j in jobs)
        with _client(server, "2023-05-01") as client:
            for employee in client.get(path).json():
                (job,) = employee["jobs"]
                addresses = _addresses(client, employee["uuid"])
                active = next((a["location_uuid"] for a in addresses if a["active"]), None)
                assert job["location_uuid"] == active
                assert (job["location"] or {}).get("uuid") == active
        with _client(server, "latest") as client:
            assert client.get(path).status_code == 400


CONTRACTOR_FIELDS = {
    "uuid",
    "company_uuid",
    "wage_type",
    "is_active",
    "version",
    "type",
    "first_name",
    "last_name",
    "middle_initial",
    "business_name",
    "ein",
    "has_ein",
    "email",
    "start_date",
    "address",
    "hourly_rate",
    "file_new_hire_report",
    "work_state",
    "onboarded",
    "onboarding_status",
    "payment_method",
    "has_ssn",
    "department_uuid",
}


def test_contractors_are_a_separate_resource() -> None:
    """Gusto: contractors are not employees. "Get all contractors, active and inactive,
    individual and business, for a company" is GET /v1/companies/{company_uuid}/contractors;
    the employee list and endpoints do not show them."""
    company = SyntheticCompany(seed=3, size=30, today=TODAY)
    working = company.hire(start_date=TODAY - timedelta(days=90))
    dismissed = company.hire(start_date=TODAY - timedelta(days=400))
    leaving = company.hire(start_date=TODAY - timedelta(days=200))
    for person in (working, dismissed, leaving):
        company.set_contractor(person.id)
    company.terminate(dismissed.id, on=TODAY - timedelta(days=5))
    company.terminate(leaving.id, on=TODAY + timedelta(days=20))
    app = EMULATORS["gusto"](company, credentials=CREDS, faults=Faults())
    companies = f"/v1/companies/{CREDS['company_uuid']}"
    with ServerThread(app) as server, _client(server) as client:
        employees = client.get(f"{companies}/employees").json()
        assert len(employees) == len(company) - 3
        assert not {e["uuid"] for e in employees} & {
            gusto_uuid("employee", p.id) for p in (working, dismissed, leaving)
        }
        for person in (working, dismissed):
            employee_uuid = gusto_uuid("employee", person.id)
            assert client.get(f"/v1/employees/{employee_uuid}").status_code == 404
            assert client.get(f"/v1/employees/{employee_uuid}/work_addresses").status_code == 404

        response = client.get(f"{companies}/contractors")
        assert response.status_code == 200
        rows = {r["uuid"]: r for r in response.json()}
        uuids = {p.id: gusto_uuid("contractor", p.id) for p in (working, dismissed, leaving)}
        assert set(rows) == set(uuids.values())
        row = rows[uuids[working.id]]
        assert set(row) == CONTRACTOR_FIELDS
        assert row["company_uuid"] == CREDS["company_uuid"]
        assert row["type"] == "Individual"
        assert (row["first_name"], row["last_name"]) == (working.first_name, working.last_name)
        assert row["start_date"] == working.start_date.isoformat()
        assert row["is_active"] is True
        assert row["business_name"] is None
        assert rows[uuids[dismissed.id]]["is_active"] is False
        assert rows[uuids[leaving.id]]["is_active"] is True  # dismissal still ahead

        def listed(**params: str) -> set[str]:
            return {r["uuid"] for r in client.get(f"{companies}/contractors", params=params).json()}

        assert listed(terminated="true") == {uuids[dismissed.id], uuids[leaving.id]}
        assert listed(terminated="false") == {uuids[working.id]}
        assert listed(terminated_today="true") == {uuids[dismissed.id]}
        assert listed(onboarded_active="true") == {uuids[working.id], uuids[leaving.id]}
        assert client.get(f"{companies}/contractors", params={"terminated": "x"}).status_code == 400
        page = client.get(f"{companies}/contractors", params={"page": 1, "per": 2})
        assert page.headers["X-Total-Count"] == "3"
        assert len(page.json()) == 2
        assert client.get("/v1/companies/someone-else/contractors").status_code == 403

        one = client.get(f"/v1/contractors/{uuids[working.id]}")
        assert one.status_code == 200
        assert one.json() == row
        assert (
            client.get(f"/v1/contractors/{gusto_uuid('employee', working.id)}").status_code == 404
        )

        department = gusto_uuid("department", working.department_id)
        (listing,) = [
            d for d in client.get(f"{companies}/departments").json() if d["uuid"] == department
        ]
        assert {"uuid": uuids[working.id]} in listing["contractors"]
        assert {"uuid": gusto_uuid("employee", working.id)} not in listing["employees"]

        # Back to an employee: in the employee list again, gone from the contractors.
        company.set_contractor(working.id, False)
        assert uuids[working.id] not in listed()
        employee_uuid = gusto_uuid("employee", working.id)
        assert employee_uuid in {e["uuid"] for e in client.get(f"{companies}/employees").json()}


def test_a_refresh_token_outlives_the_emulator_that_issued_it_but_not_another_app() -> None:
    """Without strict rotation a grant survives a restart with the same app (the demo's
    connection keeps syncing after the demo starts again); another app's secret refuses it."""
    company = SyntheticCompany(seed=3, size=10, today=TODAY)
    with ServerThread(EMULATORS["gusto"](company, credentials=CREDS)) as first:
        issued = _refresh(first.base_url, "refresh-1").json()["refresh_token"]
    with ServerThread(EMULATORS["gusto"](company, credentials=CREDS)) as again:
        renewed = _refresh(again.base_url, issued)
        assert renewed.status_code == 200, renewed.text
        # Still usable after use (only strict rotation spends them).
        assert _refresh(again.base_url, issued).status_code == 200
        forged = issued[:32] + "0" * 32
        assert _refresh(again.base_url, forged).status_code == 400
    other = CREDS | {"client_secret": "another-secret"}
    with ServerThread(EMULATORS["gusto"](company, credentials=other)) as elsewhere:
        form = {
            "grant_type": "refresh_token",
            "client_id": "cid",
            "client_secret": "another-secret",
            "refresh_token": issued,
        }
        refused = httpx.post(f"{elsewhere.base_url}/oauth/token", data=form, timeout=10)
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_grant"


def test_an_app_registered_with_its_callback_sends_a_consent_nowhere_else() -> None:
    callback = "http://127.0.0.1:8000/connect/oauth/callback"
    app = EMULATORS["gusto"](
        SyntheticCompany(size=3, today=TODAY), credentials=CREDS, redirect_uris=(callback,)
    )
    with ServerThread(app) as server:
        for elsewhere in ("http://attacker.example/cb", f"{callback}/more"):
            for response_type in ("code", "token"):
                answer = httpx.get(
                    f"{server.base_url}/oauth/authorize",
                    params={
                        "client_id": "cid",
                        "redirect_uri": elsewhere,
                        "response_type": response_type,
                        "state": "s",
                    },
                    timeout=10,
                )
                assert answer.status_code == 400, (elsewhere, response_type)
                assert "location" not in answer.headers
        shown = httpx.get(
            f"{server.base_url}/oauth/authorize",
            params={"client_id": "cid", "redirect_uri": callback, "response_type": "code"},
            timeout=10,
        )
        assert shown.status_code == 200
