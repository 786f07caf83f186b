"""The HiBob emulator over real HTTP: the documented contract, from a client's side."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from rostersync.sandbox import (
    EMULATORS,
    Faults,
    PersonStatus,
    ServerThread,
    SyntheticCompany,
    SyntheticPerson,
)
from rostersync.sandbox.vendors import hibob as hibob_vendor
from tests.conftest import SwappableApp

Search = Callable[..., httpx.Response]
Employees = Callable[[dict[str, Any]], list[dict[str, Any]]]

MINIMAL_FIELDS = [
    "root.id",
    "root.firstName",
    "root.surname",
    "root.email",
    "work.department",
    "work.siteId",
    "work.reportsTo",
    "work.startDate",
    "internal.lifecycleStatus",
    "internal.status",
    "internal.terminationDate",
]
SENSITIVE_KEYS = (
    "/home/privateEmail",
    "/home/mobilePhone",
    "/personal/birthDate",
    "/financial/iban",
    "/payroll/salary/yearlyPayment",
    "/eeo/ethnicity",
    "/address/line1",
)


def by_id(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in rows}


def first(company: SyntheticCompany, status: PersonStatus) -> SyntheticPerson:
    return next(p for p in company.people() if p.status is status)


# --- auth -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic " + base64.b64encode(b"SERVICE-USER-7345:wrong").decode()},
        {"Authorization": "Bearer s3cret-t0ken"},
        {"Authorization": "s3cret-t0ken"},  # the retired raw API-token form
        {"Authorization": "Basic not-base64!"},
    ],
    ids=["none", "wrong-token", "bearer", "legacy-token", "garbage"],
)
def test_rejects_bad_credentials_with_documented_error_body(
    search: Search, headers: dict[str, str]
) -> None:
    response = search({"fields": ["root.id"]}, auth=None, headers=headers)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"key", "error"}
    assert "employees" not in response.text


def test_accepts_basic_service_user_credentials(search: Search) -> None:
    assert search({"fields": ["root.id"]}).status_code == 200


def test_every_vendor_path_requires_auth(hibob: ServerThread) -> None:
    for method, path in [
        ("GET", "/v1/company/named-lists/department"),
        ("GET", "/v1/company/named-lists"),
        ("GET", "/v1/company/people/fields"),
        ("POST", "/v1/employers/search"),
    ]:
        response = httpx.request(method, hibob.base_url + path, json={"filters": []})
        assert response.status_code == 401, path


# --- fields ---------------------------------------------------------------------------------


def test_returns_only_the_requested_fields_in_flat_and_nested_form(employees: Employees) -> None:
    rows = employees({"fields": ["root.id", "root.email", "work.department"]})

    assert rows
    for row in rows:
        assert set(row) == {"id", "/root/id", "/root/email", "email", "/work/department", "work"}
        assert set(row["work"]) == {"department"}
        assert row["/work/department"] == {"value": row["work"]["department"]}


def test_unknown_field_ids_are_dropped_silently(search: Search) -> None:
    response = search({"fields": ["root.id", "made.up", "/root/firstName"]})

    assert response.status_code == 200
    row = response.json()["employees"][0]
    assert set(row) == {"id", "/root/id"}


def test_more_than_400_fields_is_a_bad_request(search: Search) -> None:
    response = search({"fields": ["root.id"] * 401})

    assert response.status_code == 400
    assert set(response.json()) == {"key", "error"}


def test_default_fields_carry_nothing_sensitive(employees: Employees) -> None:
    rows = employees({})

    assert rows[0]["firstName"]
    assert "department" in rows[0]["work"]
    text = json.dumps(rows)
    for key in SENSITIVE_KEYS:
        assert key not in text
    assert "internal" not in rows[0]


def test_values_follow_the_company(company: SyntheticCompany, employees: Employees) -> None:
    rows = by_id(employees({"fields": MINIMAL_FIELDS, "showInactive": True}))
    people = company.people()

    assert set(rows) == {p.id for p in people}
    for person in people:
        row = rows[person.id]
        assert row["firstName"] == person.first_name
        assert row["surname"] == person.last_name
        assert row["email"] == person.work_email
        assert row["work"]["department"] == person.department_id
        assert row["work"]["siteId"] == int(person.site_id)
        assert row["work"]["startDate"] == person.start_date.isoformat()
        manager = row["work"]["reportsTo"]
        assert (manager["id"] if manager else None) == person.manager_id
        expected_end = person.termination_date.isoformat() if person.termination_date else None
        assert row["internal"]["terminationDate"] == expected_end


@pytest.mark.parametrize(
    ("status", "lifecycle", "access"),
    [
        (PersonStatus.ACTIVE, "employed", {"Active"}),
        (PersonStatus.HIRED, "hired", {"Inactive"}),
        (PersonStatus.TERMINATED, "terminated", {"Inactive"}),
        (PersonStatus.ON_LEAVE, "leave", {"Active", "Inactive"}),
    ],
)
def test_maps_statuses_to_hibob_lifecycle(
    company: SyntheticCompany,
    employees: Employees,
    status: PersonStatus,
    lifecycle: str,
    access: set[str],
) -> None:
    rows = by_id(
        employees({"fields": ["internal.lifecycleStatus", "internal.status"], "showInactive": True})
    )
    seen = {rows[p.id]["internal"]["status"] for p in company.people() if p.status is status}
    assert seen <= access
    assert seen
    assert {
        rows[p.id]["internal"]["lifecycleStatus"] for p in company.people() if p.status is status
    } == {lifecycle}


def test_show_inactive_controls_who_is_returned(
    company: SyntheticCompany, employees: Employees
) -> None:
    fields = ["root.id", "internal.status", "internal.lifecycleStatus"]
    active_only = employees({"fields": fields})
    everyone = employees({"fields": fields, "showInactive": True})

    assert {r["internal"]["status"] for r in active_only} == {"Active"}
    assert "terminated" not in {r["internal"]["lifecycleStatus"] for r in active_only}
    assert len(everyone) == len(company)
    assert {"terminated", "hired"} <= {r["internal"]["lifecycleStatus"] for r in everyone}
    assert len(active_only) < len(everyone)


def test_ids_stay_strings_beyond_2_to_the_53(employees: Employees) -> None:
    rows = employees({"fields": ["root.id"]})

    for row in rows:
        assert isinstance(row["id"], str)
        assert int(row["id"]) > 2**53


def test_site_country_is_on_the_employee_as_a_country_name(
    company: SyntheticCompany, employees: Employees
) -> None:
    rows = by_id(employees({"fields": ["root.id", "address.siteCountry", "work.site"]}))

    for person in company.people():
        if person.id in rows:
            site = company.site(person.site_id)
            assert rows[person.id]["address"]["siteCountry"] == site.country_name
            assert rows[person.id]["work"]["site"] == site.name


# --- filters and body validation ------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"filters": []},
        {"filters": {}},
        {"filters": [{"fieldPath": "root.id", "operator": "equals", "values": []}]},
        {"filters": [{"fieldPath": "work.department", "operator": "equals", "values": ["1"]}]},
        {"filters": [{"fieldPath": "root.id", "operator": "notEquals", "values": ["1"]}]},
        {
            "filters": [
                {"fieldPath": "root.id", "operator": "equals", "values": ["1"]},
                {"fieldPath": "root.email", "operator": "equals", "values": ["a@b.c"]},
            ]
        },
        {"showInactive": "yes"},
        {"fields": "root.id"},
        {"humanReadable": "SOMETIMES"},
    ],
    ids=[
        "empty-filters",
        "object-filters",
        "empty-values",
        "unsupported-path",
        "unsupported-operator",
        "two-filters",
        "showInactive-not-bool",
        "fields-not-array",
        "bad-humanReadable",
    ],
)
def test_rejects_malformed_bodies(search: Search, body: dict[str, Any]) -> None:
    response = search(body)

    assert response.status_code == 400
    assert set(response.json()) == {"key", "error"}


def test_rejects_invalid_json(hibob: ServerThread, auth: tuple[str, str]) -> None:
    response = httpx.post(
        f"{hibob.base_url}/v1/people/search",
        content=b"{not json",
        headers={"content-type": "application/json"},
        auth=auth,
    )
    assert response.status_code == 400


def test_filters_by_email_case_insensitively_and_by_id(
    company: SyntheticCompany, employees: Employees
) -> None:
    people = [p for p in company.people() if p.work_email and p.status is PersonStatus.ACTIVE]
    a, b = people[3], people[4]
    assert a.work_email is not None

    by_email = employees(
        {
            "fields": ["root.id"],
            "filters": [
                {"fieldPath": "root.email", "operator": "equals", "values": [a.work_email.upper()]}
            ],
        }
    )
    by_ids = employees(
        {
            "fields": ["root.id"],
            "filters": [{"fieldPath": "root.id", "operator": "equals", "values": [a.id, b.id]}],
        }
    )

    assert [r["id"] for r in by_email] == [a.id]
    assert {r["id"] for r in by_ids} == {a.id, b.id}


def test_human_readable_append_and_replace(company: SyntheticCompany, employees: Employees) -> None:
    fields = ["root.id", "work.department", "work.startDate", "internal.lifecycleStatus"]
    appended = by_id(employees({"fields": fields, "humanReadable": "APPEND"}))
    replaced = by_id(employees({"fields": fields, "humanReadable": "replace"}))
    person = first(company, PersonStatus.ACTIVE)
    department = company.department(person.department_id).name
    display_date = person.start_date.strftime("%d/%m/%Y")

    row = appended[person.id]
    assert row["work"]["department"] == person.department_id
    assert row["humanReadable"]["work"] == {"department": department, "startDate": display_date}
    assert row["humanReadable"]["internal"]["lifecycleStatus"] == "Employed"
    assert replaced[person.id]["work"]["department"] == department
    assert replaced[person.id]["/work/startDate"] == {"value": display_date}
    assert "humanReadable" not in replaced[person.id]


# --- single read, metadata, lists, employers ------------------------------------------------


def test_reads_one_employee_by_id_or_email(
    company: SyntheticCompany, hibob: ServerThread, auth: tuple[str, str]
) -> None:
    person = next(p for p in company.people() if p.work_email)
    for identifier in (person.id, person.work_email):
        response = httpx.post(
            f"{hibob.base_url}/v1/people/{identifier}",
            json={"fields": ["root.id", "root.firstName"]},
            auth=auth,
        )
        assert response.status_code == 200
        assert response.json()["firstName"] == person.first_name

    missing = httpx.post(f"{hibob.base_url}/v1/people/1", json={}, auth=auth)
    assert missing.status_code == 404


def test_field_metadata_lists_the_catalog(hibob: ServerThread, auth: tuple[str, str]) -> None:
    fields = httpx.get(f"{hibob.base_url}/v1/company/people/fields", auth=auth).json()
    by_field = {f["id"]: f for f in fields}

    assert {"root.id", "root.email", "work.department", "internal.lifecycleStatus"} <= set(by_field)
    assert by_field["work.department"]["typeData"] == {"listId": "department"}
    assert by_field["root.firstName"]["jsonPath"] == "firstName"
    assert by_field["work.department"]["jsonPath"] == "work.department"


def test_named_lists_hide_archived_items_unless_asked(
    company: SyntheticCompany, hibob: ServerThread, auth: tuple[str, str]
) -> None:
    url = f"{hibob.base_url}/v1/company/named-lists/department"
    default = httpx.get(url, auth=auth).json()
    archived = httpx.get(url, params={"includeArchived": "true"}, auth=auth).json()

    assert default["name"] == "department"
    assert default["values"] == default["items"]
    live = {d.id for d in company.departments if not d.archived}
    assert {i["id"] for i in default["items"]} == live
    assert {i["id"] for i in archived["items"]} == {d.id for d in company.departments}
    for item in archived["items"]:
        assert set(item) == {"id", "value", "name", "archived", "children"}
        assert item["name"] == company.department(item["id"]).name


def test_site_list_and_unknown_list(
    company: SyntheticCompany, hibob: ServerThread, auth: tuple[str, str]
) -> None:
    sites = httpx.get(f"{hibob.base_url}/v1/company/named-lists/site", auth=auth).json()
    every = httpx.get(f"{hibob.base_url}/v1/company/named-lists", auth=auth).json()
    missing = httpx.get(f"{hibob.base_url}/v1/company/named-lists/nope", auth=auth)

    assert {(i["id"], i["name"]) for i in sites["items"]} == {(s.id, s.name) for s in company.sites}
    assert set(every) == {"department", "site"}
    assert missing.status_code == 404
    assert set(missing.json()) == {"key", "error"}


def test_work_locations_give_every_site_a_country_with_cursor_paging(
    company: SyntheticCompany, hibob: ServerThread, auth: tuple[str, str]
) -> None:
    employers: list[dict[str, Any]] = []
    cursor = None
    while True:
        body: dict[str, Any] = {"filters": [], "limit": 2}
        if cursor:
            body["cursor"] = cursor
        page = httpx.post(f"{hibob.base_url}/v1/employers/search", json=body, auth=auth).json()
        employers.extend(page["items"])
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    countries: dict[str, str] = {}
    for employer in employers:
        page = httpx.post(
            f"{hibob.base_url}/v1/employers/{employer['/employer/id']}/work-locations/search",
            json={"filters": []},
            auth=auth,
        ).json()
        for location in page["items"]:
            countries[location["/workLocation/id"]] = location["/workLocation/country"]

    assert countries == {s.id: s.country_name for s in company.sites}
    no_filters = httpx.post(f"{hibob.base_url}/v1/employers/search", json={}, auth=auth)
    assert no_filters.status_code == 400


# --- determinism and mutations --------------------------------------------------------------


def test_same_seed_serves_the_same_bytes(
    shared_server: tuple[ServerThread, SwappableApp], today: date
) -> None:
    server, swappable = shared_server
    bodies = []
    for _ in range(2):
        company = SyntheticCompany(seed=7, size=60, today=today)
        swappable.app = EMULATORS["hibob"](
            company, credentials={"service_user_id": "u", "token": "t"}
        )
        response = httpx.post(
            f"{server.base_url}/v1/people/search", json={"showInactive": True}, auth=("u", "t")
        )
        bodies.append(response.content)
    swappable.app = None
    assert bodies[0] == bodies[1]


def test_mutations_show_on_the_next_read(
    company: SyntheticCompany, hibob: ServerThread, employees: Employees, today: date
) -> None:
    fields = MINIMAL_FIELDS
    mover, leaver, renamed, removed = [
        p for p in company.people() if p.status is PersonStatus.ACTIVE
    ][10:14]
    other_dept = next(d for d in company.departments if d.id != mover.department_id)

    hired = httpx.post(
        f"{hibob.base_url}/_sandbox/hire",
        json={"first_name": "Ada", "last_name": "Lovelace", "start_date": "2025-06-20"},
    ).json()
    company.move(mover.id, department_id=other_dept.id)
    httpx.post(f"{hibob.base_url}/_sandbox/terminate/{leaver.id}", json={"on": "2025-06-01"})
    company.rename(renamed.id, last_name="Renamed", work_email="renamed@example.test")
    assert httpx.delete(f"{hibob.base_url}/_sandbox/people/{removed.id}").status_code == 204

    active = by_id(employees({"fields": fields}))
    everyone = by_id(employees({"fields": fields, "showInactive": True}))

    assert hired["id"] not in active  # hired, not started: Inactive
    assert everyone[hired["id"]]["internal"]["lifecycleStatus"] == "hired"
    assert everyone[hired["id"]]["email"].startswith("ada.lovelace@")
    assert active[mover.id]["work"]["department"] == other_dept.id
    assert leaver.id not in active
    assert everyone[leaver.id]["internal"] == {
        "lifecycleStatus": "terminated",
        "status": "Inactive",
        "terminationDate": "2025-06-01",
    }
    assert active[renamed.id]["surname"] == "Renamed"
    assert active[renamed.id]["email"] == "renamed@example.test"
    assert removed.id not in everyone
    assert today == company.today


def test_control_endpoints_report_errors(hibob: ServerThread) -> None:
    assert httpx.post(f"{hibob.base_url}/_sandbox/terminate/nope", json={}).status_code == 404
    bad = httpx.post(f"{hibob.base_url}/_sandbox/hire", json={"start_date": "soon"})
    assert bad.status_code == 400
    people = httpx.get(f"{hibob.base_url}/_sandbox/people").json()
    assert "salary" not in people[0]
    secret = httpx.get(f"{hibob.base_url}/_sandbox/people", params={"include_sensitive": "true"})
    assert "salary" in secret.json()[0]


# --- faults ---------------------------------------------------------------------------------


def test_status_faults_fire_once_with_vendor_body(search: Search, faults: Faults) -> None:
    faults.fail_next(503)
    faults.rate_limit_next(retry_after=7)

    unavailable = search({"fields": ["root.id"]})
    limited = search({"fields": ["root.id"]})
    fine = search({"fields": ["root.id"]})

    assert unavailable.status_code == 503
    assert set(unavailable.json()) == {"key", "error"}
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert fine.status_code == 200
    assert [s for _, _, s in faults.requests()] == [503, 429, 200]


def test_truncated_body_is_cut_json(search: Search, faults: Faults) -> None:
    faults.truncate_next()

    cut = search({"fields": ["root.id"]})
    whole = search({"fields": ["root.id"]})

    assert cut.status_code == 200
    assert cut.text.startswith('{"employees":[')
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.content)
    assert whole.json()["employees"]
    assert len(cut.content) < len(whole.content)


def test_slow_fault_times_the_client_out(search: Search, faults: Faults) -> None:
    faults.slow_next(1.5)

    with pytest.raises(httpx.ReadTimeout):
        search({"fields": ["root.id"]}, timeout=0.3)
    assert search({"fields": ["root.id"]}).status_code == 200


def test_revoked_and_forbidden_hold_until_lifted(search: Search, faults: Faults) -> None:
    faults.revoke_credentials()
    assert [search({}).status_code for _ in range(3)] == [401, 401, 401]
    faults.restore_credentials()
    faults.forbid()
    assert search({}).status_code == 403
    faults.allow()
    assert search({}).status_code == 200


def test_faults_can_be_set_over_http(hibob: ServerThread, search: Search) -> None:
    state = httpx.post(
        f"{hibob.base_url}/_sandbox/faults",
        json={"queue": [{"kind": "status", "status": 500, "path": "/v1/people/search"}]},
    ).json()
    assert len(state["queue"]) == 1

    lists = httpx.get(
        f"{hibob.base_url}/v1/company/named-lists/site",
        auth=("SERVICE-USER-7345", "s3cret-t0ken"),
    )
    assert lists.status_code == 200  # the fault is scoped to people search
    assert search({}).status_code == 500
    assert search({}).status_code == 200
    bad = httpx.post(f"{hibob.base_url}/_sandbox/faults", json={"queue": [{"kind": "nap"}]})
    assert bad.status_code == 400


def test_leaking_returns_sensitive_fields_nobody_asked_for(search: Search, faults: Faults) -> None:
    faults.leak_sensitive_fields = True

    row = search({"fields": ["root.id"]}).json()["employees"][0]

    for key in SENSITIVE_KEYS:
        assert key in row
    assert row["home"]["privateEmail"]
    assert row["financial"]["iban"][:2].isalpha()


def test_rate_limit_when_enabled(
    shared_server: tuple[ServerThread, SwappableApp], company: SyntheticCompany
) -> None:
    server, swappable = shared_server
    swappable.app = hibob_vendor.create_app(
        company, credentials={"service_user_id": "u", "token": "t"}, rate_limit_per_minute=2
    )
    responses = [
        httpx.post(
            f"{server.base_url}/v1/people/search", json={"fields": ["root.id"]}, auth=("u", "t")
        )
        for _ in range(3)
    ]
    swappable.app = None

    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[0].headers["X-RateLimit-Remaining"] == "1"
    assert responses[2].headers["X-RateLimit-Limit"] == "2"
    assert int(responses[2].headers["X-RateLimit-Reset"]) > 0


def test_terminating_without_a_date_means_the_last_day_was_yesterday(
    company: SyntheticCompany, hibob: ServerThread
) -> None:
    # The README's leaver recipe posts `{}`: the person must have left by today, or the next
    # sync (rightly) keeps their access until tomorrow and the recipe shows nothing.
    leaver = next(p for p in company.people() if p.status is PersonStatus.ACTIVE)
    answer = httpx.post(f"{hibob.base_url}/_sandbox/terminate/{leaver.id}", json={})
    assert answer.json()["status"] == "terminated"
    assert answer.json()["termination_date"] == (company.today - timedelta(days=1)).isoformat()
