"""The HiBob connector, from the outside: its read() over real HTTP.

Three sources of truth, none of them the connector's own code:

- contract fixtures (tests/connectors/fixtures/hibob, provenance in SOURCES.md): bodies from
  HiBob's public docs and public captures, served verbatim by a tiny Basic-auth server;
- the sandbox emulator (the ``hibob`` fixture), written from the docs, with fault injection;
- HiBob's documented lifecycle rules, for the pure ``employment_status`` function.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rostersync.connectors import ReadContext, Record, get_connector
from rostersync.connectors.errors import (
    AuthRevoked,
    BadInput,
    BadPayload,
    PermissionDenied,
    RateLimited,
    VendorUnavailable,
)
from rostersync.connectors.vendors.hibob import employment_status
from rostersync.model import (
    Employee,
    EmploymentStatus,
    Group,
    GroupType,
    Location,
    RecordType,
    field_names,
)
from rostersync.net import DEFAULT_POLICY
from rostersync.sandbox import (
    SENSITIVE_FIELDS,
    Faults,
    PersonStatus,
    ServerThread,
    SyntheticCompany,
    SyntheticPerson,
)
from rostersync.sandbox.vendors import hibob as hibob_emulator
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Sandbox

FIXTURES = Path(__file__).parent / "fixtures" / "hibob"
CREDENTIALS = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}
EMULATOR_CREDENTIALS = {"service_user_id": HIBOB_USER, "token": HIBOB_TOKEN}

# Each HiBob field id the connector may ask for, and the allowlisted field it feeds.
HIBOB_FIELD_FEEDS = {
    "root.id": "remote_id",
    "root.firstName": "first_name",
    "root.surname": "last_name",
    "root.email": "work_email",
    "work.department": "group_ids",
    "work.siteId": "location_id",
    "work.manager": "manager_remote_id",
    "work.startDate": "start_date",
    "internal.lifecycleStatus": "employment_status",
    "internal.status": "employment_status",
    "internal.terminationDate": "employment_status",
}


class RecordingSleep:
    """Stands in for time.sleep: remembers the waits instead of spending them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def context(
    base_url: str | None,
    *,
    as_of: date = TODAY,
    credentials: dict[str, str] | None = None,
    allow_loopback: bool = True,
    sleep: Callable[[float], None] = lambda _s: None,
) -> ReadContext:
    return ReadContext(
        credentials=CREDENTIALS if credentials is None else credentials,
        as_of=as_of,
        base_url=base_url,
        allow_loopback=allow_loopback,
        sleep=sleep,
    )


def read(base_url: str | None, **kwargs: Any) -> list[Record]:
    # Through the registry, as the engine gets it: the connector's class is not the contract.
    return list(get_connector("hibob").read(context(base_url, **kwargs)))


def employees(records: list[Record]) -> list[Employee]:
    return [r for r in records if isinstance(r, Employee)]


def groups(records: list[Record]) -> list[Group]:
    return [r for r in records if isinstance(r, Group)]


def locations(records: list[Record]) -> list[Location]:
    return [r for r in records if isinstance(r, Location)]


def by_remote_id(records: list[Record]) -> dict[str, Employee]:
    return {e.remote_id: e for e in employees(records)}


def without_status(employee: Employee) -> dict[str, Any]:
    """An employee's fields but the status.

    For bodies with no lifecycle fields at all (the docs' examples, a service user without the
    Lifecycle permission), which status follows is a product decision, not a contract fact.
    """
    return employee.model_dump(mode="json", exclude={"employment_status"})


# --- a) contract fixtures -------------------------------------------------------------------


@dataclass
class ContractServer:
    """One local server for the module; each test chooses the fixture files it serves."""

    base_url: str
    bodies: dict[str, bytes] = field(default_factory=dict)
    received: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)

    def serve(
        self,
        people: str,
        department: str = "named-lists__department.json",
        site: str = "named-lists__site.json",
        *,
        lifecycle: bool = True,
    ) -> str:
        """Serve fixture files; `lifecycle` adds `/internal/status` where a body has none.

        Several documented bodies come from calls that did not ask for lifecycle fields, and
        without them the connector stops (see test_no_lifecycle_fields_is_permission_denied);
        the flat-key form added is the documented one.
        """
        people_body = (FIXTURES / people).read_bytes()
        if lifecycle:
            document = json.loads(people_body)
            for employee in document["employees"]:
                if "internal" not in employee and "/internal/status" not in employee:
                    employee["/internal/status"] = {"value": "Active"}
            people_body = json.dumps(document).encode()
        self.bodies.clear()
        self.bodies.update(
            people=people_body,
            department=(FIXTURES / department).read_bytes(),
            site=(FIXTURES / site).read_bytes(),
        )
        self.received.clear()
        return self.base_url

    def replace(self, endpoint: str, body: bytes) -> None:
        """Serve `body` instead of a fixture file on one endpoint (people, department, site)."""
        self.bodies[endpoint] = body


def _contract_app(bodies: dict[str, bytes], received: list[Any]) -> Starlette:
    """Serves fixture files verbatim on HiBob's documented paths, behind HTTP Basic."""
    expected = base64.b64encode(f"{HIBOB_USER}:{HIBOB_TOKEN}".encode()).decode()

    def authorised(request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "basic" and secrets.compare_digest(token.strip(), expected)

    def denied() -> Response:
        return JSONResponse({"key": "unauthorized", "error": "Unauthorized"}, status_code=401)

    async def people_search(request: Request) -> Response:
        if not authorised(request):
            return denied()
        body = json.loads(await request.body() or b"null")
        received.append((request.method, request.url.path, dict(request.headers), body))
        return Response(bodies["people"], media_type="application/json")

    async def named_list(request: Request) -> Response:
        if not authorised(request):
            return denied()
        received.append((request.method, request.url.path, dict(request.headers), None))
        name = request.path_params["name"]
        if name not in ("department", "site"):
            return JSONResponse({"key": "not.found", "error": "Not found"}, status_code=404)
        return Response(bodies[name], media_type="application/json")

    return Starlette(
        routes=[
            Route("/v1/people/search", people_search, methods=["POST"]),
            Route("/v1/company/named-lists/{name}", named_list, methods=["GET"]),
        ]
    )


@pytest.fixture(scope="module")
def contract_server() -> Iterator[ContractServer]:
    bodies: dict[str, bytes] = {}
    received: list[Any] = []
    with ServerThread(_contract_app(bodies, received)) as server:
        yield ContractServer(server.base_url, bodies, received)


@pytest.fixture
def contract(contract_server: ContractServer) -> ContractServer:
    contract_server.bodies.clear()
    contract_server.received.clear()
    return contract_server


def test_every_fixture_is_listed_in_sources() -> None:
    sources = (FIXTURES / "SOURCES.md").read_text()
    # Contract fixtures are named `<endpoint>__<doc section>.json`; other JSON files beside
    # them (the conformance suite's sandbox.json) are test settings, not vendor bodies.
    fixtures = sorted(p.name for p in FIXTURES.glob("*__*.json"))
    assert fixtures, "no contract fixtures found"
    for name in fixtures:
        json.loads((FIXTURES / name).read_text())  # each one is valid JSON
        assert f"`{name}`" in sources, f"{name} has no entry in SOURCES.md"


def test_the_contract_server_checks_the_service_user(contract: ContractServer) -> None:
    """So that a successful contract read proves the connector sent HTTP Basic correctly."""
    url = contract.serve("people-search__how-to-work-with-lists-example.json")
    wrong = {"service_user_id": HIBOB_USER, "service_user_token": "wrong"}

    with pytest.raises(AuthRevoked):
        read(url, credentials=wrong)


def test_lists_guide_append_example_reads_machine_values_not_human_readable(
    contract: ContractServer,
) -> None:
    """The docs' humanReadable=APPEND example: flat and nested keys, plus a display node."""
    records = read(contract.serve("people-search__how-to-work-with-lists-example.json"))

    [employee] = employees(records)
    assert without_status(employee) == {
        "type": "employee",
        "remote_id": "2128438031986721630",
        "first_name": "",
        "last_name": "",
        "work_email": None,
        "group_ids": ["209192163"],  # the list item id, never "Account Receivables"
        "manager_remote_id": None,
        "start_date": None,
        "location_id": None,
    }


def test_no_lifecycle_fields_is_permission_denied(contract: ContractServer) -> None:
    url = contract.serve("people-search__captured-machine-format.json", lifecycle=False)

    with pytest.raises(PermissionDenied, match="Lifecycle"):
        read(url)


def test_lists_guide_machine_format_reads_nested_only_keys(contract: ContractServer) -> None:
    records = read(contract.serve("people-search__how-to-work-with-lists-machine-format.json"))

    [employee] = employees(records)
    assert employee.remote_id == "2128438031986721630"
    assert employee.group_ids == ("209192163",)


def test_captured_machine_format_prefers_flat_keys_and_stringifies_ids(
    contract: ContractServer,
) -> None:
    """A real tenant's object: flat `/root/id` keys beside nested ones, siteId a number."""
    records = read(contract.serve("people-search__captured-machine-format.json"))

    [employee] = employees(records)
    assert without_status(employee) == {
        "type": "employee",
        "remote_id": "0000000000000000000",
        "first_name": "John",
        "last_name": "Doe",
        "work_email": "john@doe.com",
        # The capture's anonymiser left the flat and nested departments different; the flat
        # `/work/department` value wins, as the connector documents.
        "group_ids": ["Human Resource"],
        "manager_remote_id": "0000000000000000000",
        "start_date": "2021-05-04",
        "location_id": "2154020",  # JSON integer 2154020, kept as a string id
    }


def test_captured_demo_tenant_record_is_cut_to_the_allowlist(contract: ContractServer) -> None:
    """A full legacy record (nested keys only) carrying salary, SSN, home address and more."""
    records = read(contract.serve("people-search__captured-demo-tenant-all-fields.json"))

    assert employees(records) == [
        Employee(
            remote_id="2378379585948483884",
            first_name="Amy",
            last_name="Miles",
            work_email="amy.miles_200519@samplebob.com",
            employment_status=EmploymentStatus.ACTIVE,
            group_ids=("Product",),
            manager_remote_id="2378379584279150891",
            start_date=date(2015, 3, 20),
            location_id="708868",
        )
    ]
    serialized = json.dumps([r.model_dump(mode="json") for r in records])
    for sensitive in (
        "1335 Grove Street",  # home address
        "11757",  # home zip code
        "084-52-6155",  # SSN
        "6155",
        "AMiles@dayrep.com",  # private email
        "914-963-9202",  # private mobile
        "1991-11-25",  # birth date
        "40000",  # salary
        "3333.33",
        "Chase",  # bank
        "Female",
        "Full time",
        "vegan",
    ):
        assert sensitive not in serialized


def test_department_list_drops_archived_items_and_keeps_string_ids(
    contract: ContractServer,
) -> None:
    records = read(contract.serve("people-search__how-to-work-with-lists-machine-format.json"))

    assert groups(records) == [
        Group(remote_id="10", group_type=GroupType.DEPARTMENT, name="Eng"),
    ]  # "11" ("Old") is archived


def test_department_hierarchy_keeps_nested_children_and_drops_archived_ones(
    contract: ContractServer,
) -> None:
    records = read(
        contract.serve(
            "people-search__how-to-work-with-lists-example.json",
            department="named-lists__department-hierarchy.json",
        )
    )

    found = {g.remote_id: g.name for g in groups(records)}
    assert found == {
        "209192100": "Finance",
        "209192163": "Account Receivables",
        "209192164": "Accounts Payable",
        "209192165": "Vendor Payments",  # two levels down
    }  # "Old Billing" (archived child) and "Legacy Operations" (archived root) are dropped
    assert all(g.group_type is GroupType.DEPARTMENT for g in groups(records))
    # The employee's department id refers to a group of the same read.
    [employee] = employees(records)
    assert set(employee.group_ids) <= set(found)


def test_site_list_ids_become_string_location_ids_with_children(contract: ContractServer) -> None:
    records = read(contract.serve("people-search__how-to-work-with-lists-example.json"))

    assert locations(records) == [
        Location(remote_id="20", country=None),
        Location(remote_id="21", country=None),  # nested under "UK"
    ]


def test_an_empty_company_reads_as_no_employees(contract: ContractServer) -> None:
    url = contract.serve("people-search__how-to-work-with-lists-example.json")
    contract.replace("people", b'{"employees": []}')

    assert employees(read(url)) == []


@pytest.mark.parametrize(
    ("endpoint", "body"),
    [
        ("people", b"{}"),
        ("people", b'{"employees": null}'),
        ("people", b"[]"),
        ("department", b"{}"),
        ("site", b'{"name": "site"}'),
    ],
)
def test_a_body_without_its_records_array_is_bad_payload(
    contract: ContractServer, endpoint: str, body: bytes
) -> None:
    # A 200 without `employees` (or `items`) is not an empty company: read as one, it would
    # look like everybody left.
    url = contract.serve("people-search__how-to-work-with-lists-example.json")
    contract.replace(endpoint, body)

    with pytest.raises(BadPayload):
        read(url)


def test_a_named_list_item_without_an_id_is_bad_payload(contract: ContractServer) -> None:
    url = contract.serve("people-search__how-to-work-with-lists-example.json")
    contract.replace("department", b'{"name": "department", "items": [{"name": "No id"}]}')

    with pytest.raises(BadPayload):
        read(url)


def test_requests_use_documented_paths_basic_auth_and_only_allowlisted_fields(
    contract: ContractServer,
) -> None:
    read(contract.serve("people-search__captured-machine-format.json"))
    received = contract.received

    assert [(method, path) for method, path, _h, _b in received] == [
        ("GET", "/v1/company/named-lists/department"),
        ("GET", "/v1/company/named-lists/site"),
        ("POST", "/v1/people/search"),
    ]
    for _method, _path, headers, _body in received:
        assert headers["accept"] == "application/json"
        assert headers["authorization"].startswith("Basic ")
    body = received[-1][3]
    # Every field asked for feeds an allowlisted field, and every one is asked for.
    assert set(HIBOB_FIELD_FEEDS.values()) <= set(field_names(RecordType.EMPLOYEE))
    assert sorted(body["fields"]) == sorted(HIBOB_FIELD_FEEDS)
    assert body["showInactive"] is True  # leavers and future hires too
    # Machine format (dates ISO, list ids), and no `filters: []`, which HiBob may 400.
    assert set(body) == {"fields", "showInactive"}


# --- b) against the emulator ----------------------------------------------------------------


EXPECTED_STATUS = {
    PersonStatus.ACTIVE: EmploymentStatus.ACTIVE,
    PersonStatus.HIRED: EmploymentStatus.PENDING,
    PersonStatus.ON_LEAVE: EmploymentStatus.INACTIVE,
    PersonStatus.TERMINATED: EmploymentStatus.TERMINATED,
}


def _first_active(company: SyntheticCompany) -> SyntheticPerson:
    return next(
        p
        for p in company.people()
        if p.status is PersonStatus.ACTIVE
        and p.termination_date is None
        and p.manager_id is not None  # not the CEO
    )


def _cover_every_status(company: SyntheticCompany) -> None:
    """Make sure each status is present, whatever the generator drew."""
    company.hire(start_date=TODAY + timedelta(days=20))
    company.terminate(_first_active(company).id, on=TODAY - timedelta(days=5))
    # The emulator keeps one on-leave person in three Active ("remain active" in Bob), by
    # id; put people with different id residues on leave so both paths are exercised.
    residues: set[int] = set()
    for person in company.people():
        residue = int(person.id) % 3
        if person.status is PersonStatus.ACTIVE and person.manager_id and residue not in residues:
            company.set_status(person.id, PersonStatus.ON_LEAVE)
            residues.add(residue)


def test_reads_every_person_once_with_their_allowlisted_fields(hibob: Sandbox) -> None:
    company = hibob.company
    _cover_every_status(company)
    people = company.people()

    records = read(hibob.base_url)

    ids = [e.remote_id for e in employees(records)]
    assert len(ids) == len(set(ids))
    assert set(ids) == {p.id for p in people}
    read_by_id = by_remote_id(records)
    for person in people:
        employee = read_by_id[person.id]
        assert employee.first_name == person.first_name
        assert employee.last_name == person.last_name
        assert employee.work_email == person.work_email
        assert employee.group_ids == (person.department_id,)
        assert employee.manager_remote_id == person.manager_id
        assert employee.location_id == person.site_id
        assert employee.start_date == person.start_date
        assert employee.employment_status is EXPECTED_STATUS[person.status], person.status
    assert set(PersonStatus) == {p.status for p in people}


def test_reads_live_departments_and_every_site(hibob: Sandbox) -> None:
    company = hibob.company

    records = read(hibob.base_url)

    assert sorted((g.remote_id, g.name) for g in groups(records)) == sorted(
        (d.id, d.name) for d in company.departments if not d.archived
    )
    assert sorted(loc.remote_id for loc in locations(records)) == sorted(
        s.id for s in company.sites
    )


def test_a_removed_person_is_not_read(hibob: Sandbox) -> None:
    gone = _first_active(hibob.company)
    hibob.company.remove(gone.id)

    records = read(hibob.base_url)

    assert gone.id not in by_remote_id(records)
    assert len(employees(records)) == len(hibob.company.people())


def test_status_follows_as_of_across_a_future_termination_date(hibob: Sandbox) -> None:
    """Bob keeps a leaver Employed until the termination date; they lose access after it."""
    leaving_on = TODAY + timedelta(days=10)
    person = hibob.company.terminate(_first_active(hibob.company).id, on=leaving_on)
    assert person.status is PersonStatus.ACTIVE  # the emulator still says employed

    def status_on(as_of: date) -> EmploymentStatus:
        return by_remote_id(read(hibob.base_url, as_of=as_of))[person.id].employment_status

    assert status_on(TODAY) is EmploymentStatus.ACTIVE
    assert status_on(leaving_on - timedelta(days=1)) is EmploymentStatus.ACTIVE
    assert status_on(leaving_on) is EmploymentStatus.ACTIVE  # the last day is still employed
    assert status_on(leaving_on + timedelta(days=1)) is EmploymentStatus.TERMINATED
    assert status_on(leaving_on + timedelta(days=400)) is EmploymentStatus.TERMINATED


def test_a_future_hire_is_pending_until_the_start_date(hibob: Sandbox) -> None:
    starts_on = TODAY + timedelta(days=30)
    hire = hibob.company.hire(start_date=starts_on)

    for as_of in (TODAY, starts_on - timedelta(days=1)):
        employee = by_remote_id(read(hibob.base_url, as_of=as_of))[hire.id]
        assert employee.employment_status is EmploymentStatus.PENDING
        assert employee.start_date == starts_on


def _sensitive_values(person: SyntheticPerson) -> tuple[list[str], list[Any]]:
    """(distinctive strings to grep for anywhere, short values to compare exactly)."""
    data = person.to_dict(include_sensitive=True)
    assert set(data) >= SENSITIVE_FIELDS
    grep: list[str] = []
    exact: list[Any] = []
    for key in SENSITIVE_FIELDS:
        value = data[key]
        parts = list(value.values()) if isinstance(value, dict) else [value]
        for part in parts:
            if part in (None, ""):
                continue
            if isinstance(part, str) and len(part) >= 8:
                grep.append(part)
            else:
                exact.append(part)
    return grep, exact


def _scalars(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def test_leaked_sensitive_fields_never_reach_the_records(hibob: Sandbox) -> None:
    hibob.faults.leak_sensitive_fields = True
    # The leak is real: asked for the connector's fields, the emulator sends everything.
    raw = httpx.post(
        f"{hibob.base_url}/v1/people/search",
        json={"fields": list(HIBOB_FIELD_FEEDS), "showInactive": True},
        auth=(HIBOB_USER, HIBOB_TOKEN),
        trust_env=False,
    ).text
    someone = hibob.company.people()[0]
    assert someone.bank_account in raw
    assert someone.personal_email in raw

    records = read(hibob.base_url)

    serialized = json.dumps([r.model_dump(mode="json") for r in records])
    read_by_id = by_remote_id(records)
    people = hibob.company.people()
    assert set(read_by_id) == {p.id for p in people}
    allowed_keys = {"type", *field_names(RecordType.EMPLOYEE)}
    for person in people:
        record = read_by_id[person.id].model_dump(mode="json")
        # on_garden_leave is serialised only when true (nobody is on garden leave here).
        assert set(record) == allowed_keys - {"on_garden_leave"}
        grep, exact = _sensitive_values(person)
        for value in grep:  # IBAN, personal email and phone, birth date, street, notes...
            assert value not in serialized, f"sensitive value of {person.id} leaked"
        own_values = {str(v) for v in _scalars(record) if v is not None}
        for value in exact:  # salary, currency, gender, postcode, balance...
            assert str(value) not in own_values, f"sensitive value of {person.id} leaked"


# --- c) errors ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[Sandbox]:
    company = SyntheticCompany(seed=11, size=12, today=TODAY)
    faults = Faults()
    app = hibob_emulator.create_app(company, credentials=EMULATOR_CREDENTIALS, faults=faults)
    with ServerThread(app) as server:
        yield Sandbox(company, faults, server.base_url)


@pytest.fixture
def emulator(shared_emulator: Sandbox) -> Sandbox:
    """The emulator for the error tests: one server per module, faults cleared for each test.

    These tests only inject faults; none of them changes the company.
    """
    shared_emulator.faults.reset()
    return shared_emulator


def _statuses(faults: Faults, path: str) -> list[int]:
    return [status for _m, p, status in faults.requests() if p == path]


def test_revoked_credentials_raise_auth_revoked_without_retrying(emulator: Sandbox) -> None:
    emulator.faults.revoke_credentials()

    with pytest.raises(AuthRevoked) as caught:
        read(emulator.base_url)

    assert [s for _m, _p, s in emulator.faults.requests()] == [401]
    assert HIBOB_TOKEN not in str(caught.value)


def test_a_wrong_token_raises_auth_revoked(emulator: Sandbox) -> None:
    wrong = {"service_user_id": HIBOB_USER, "service_user_token": "not-the-token"}

    with pytest.raises(AuthRevoked) as caught:
        read(emulator.base_url, credentials=wrong)

    assert "not-the-token" not in str(caught.value)


def test_a_missing_credential_field_is_bad_input_before_any_request(emulator: Sandbox) -> None:
    with pytest.raises(BadInput, match="service_user_token"):
        read(emulator.base_url, credentials={"service_user_id": HIBOB_USER})

    assert emulator.faults.requests() == []


def test_forbidden_raises_permission_denied(emulator: Sandbox) -> None:
    emulator.faults.forbid()

    with pytest.raises(PermissionDenied):
        read(emulator.base_url)


def test_a_429_with_retry_after_is_waited_out_then_read(emulator: Sandbox) -> None:
    emulator.faults.rate_limit_next(retry_after=7, path="/v1/people/search")
    sleep = RecordingSleep()

    records = read(emulator.base_url, sleep=sleep)

    assert sleep.waits == [7.0]
    assert _statuses(emulator.faults, "/v1/people/search") == [429, 200]
    assert {e.remote_id for e in employees(records)} == {p.id for p in emulator.company.people()}


def test_the_documented_rate_limit_without_retry_after_ends_in_rate_limited() -> None:
    """Bob's real 429 carries X-RateLimit-* headers and no Retry-After."""
    company = SyntheticCompany(seed=7, size=5, today=TODAY)
    faults = Faults()
    app = hibob_emulator.create_app(
        company, credentials=EMULATOR_CREDENTIALS, faults=faults, rate_limit_per_minute=1
    )
    sleep = RecordingSleep()
    with ServerThread(app) as server:
        read(server.base_url)  # uses the minute's one people search
        with pytest.raises(RateLimited):
            read(server.base_url, sleep=sleep)

    statuses = _statuses(faults, "/v1/people/search")
    assert statuses[0] == 200
    assert set(statuses[1:]) == {429}
    assert len(statuses) > 2  # retried before giving up
    # Without Retry-After the client waits for X-RateLimit-Reset (the window's end, about a
    # minute away here), not a sub-second backoff that would burn every retry in the window.
    assert sleep.waits
    assert all(50 <= wait <= 62 for wait in sleep.waits), sleep.waits


def test_a_persistent_503_raises_vendor_unavailable_after_the_retries(emulator: Sandbox) -> None:
    emulator.faults.fail_next(503, times=50, path="/v1/people/search")
    sleep = RecordingSleep()

    with pytest.raises(VendorUnavailable):
        read(emulator.base_url, sleep=sleep)

    assert _statuses(emulator.faults, "/v1/people/search") == [503] * DEFAULT_POLICY.max_attempts
    assert len(sleep.waits) == DEFAULT_POLICY.max_attempts - 1


def test_a_503_that_clears_is_retried_and_read(emulator: Sandbox) -> None:
    emulator.faults.fail_next(503, times=2, path="/v1/people/search")

    records = read(emulator.base_url)

    assert len(employees(records)) == len(emulator.company.people())


@pytest.mark.parametrize(
    ("path", "keep"),
    [
        ("/v1/people/search", 0.0),  # nothing but the headers
        ("/v1/people/search", 0.5),  # cut mid-employee
        ("/v1/people/search", 0.99),  # only the closing brackets missing
        ("/v1/company/named-lists/department", 0.5),
        ("/v1/company/named-lists/site", 0.5),
    ],
)
def test_a_truncated_body_raises_bad_payload(emulator: Sandbox, path: str, keep: float) -> None:
    emulator.faults.truncate_next(keep=keep, path=path)

    with pytest.raises(BadPayload):
        read(emulator.base_url)


def test_plain_http_without_development_mode_is_bad_input(emulator: Sandbox) -> None:
    with pytest.raises(BadInput, match="ROSTERSYNC_ALLOW_LOOPBACK"):
        read(emulator.base_url, allow_loopback=False)

    assert emulator.faults.requests() == []  # refused before anything was sent


def test_plain_http_to_the_real_host_is_bad_input_outside_development_mode() -> None:
    with pytest.raises(BadInput, match="ROSTERSYNC_ALLOW_LOOPBACK"):
        read("http://api.emulator.com", allow_loopback=False)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://evil.example.com",
        "https://api.emulator.com.evil.example.com",
        "https://evil.example.com/api.emulator.com",
        "https://169.254.169.254",
        "http://evil.example.com",
    ],
)
@pytest.mark.parametrize("allow_loopback", [False, True])
def test_a_host_that_is_not_hibob_is_bad_input(base_url: str, allow_loopback: bool) -> None:
    with pytest.raises(BadInput):
        read(base_url, allow_loopback=allow_loopback)


@pytest.mark.parametrize("base_url", ["ftp://api.emulator.com", "https://user:pw@api.emulator.com"])
def test_a_malformed_base_url_is_bad_input(base_url: str) -> None:
    with pytest.raises(BadInput):
        read(base_url)


# --- d) employment_status -------------------------------------------------------------------

AS_OF = TODAY
PAST = AS_OF - timedelta(days=400)
YESTERDAY = AS_OF - timedelta(days=1)
TOMORROW = AS_OF + timedelta(days=1)
LATER = AS_OF + timedelta(days=30)

ACTIVE, PENDING = EmploymentStatus.ACTIVE, EmploymentStatus.PENDING
INACTIVE, TERMINATED = EmploymentStatus.INACTIVE, EmploymentStatus.TERMINATED


@pytest.mark.parametrize(
    ("lifecycle", "access", "start", "termination", "expected"),
    [
        ("employed", "Active", PAST, None, ACTIVE),
        ("Employed", "Active", PAST, None, ACTIVE),  # case-insensitive
        (" employed ", "Active", PAST, None, ACTIVE),
        ("employed", "Active", PAST, LATER, ACTIVE),  # serving notice
        ("employed", "Active", PAST, AS_OF, ACTIVE),  # the termination date is the last day
        ("employed", "Active", PAST, YESTERDAY, TERMINATED),  # stale label: the date wins
        ("employed", "Active", TOMORROW, None, PENDING),  # stale label: the date wins
        ("hired", "Inactive", LATER, None, PENDING),
        ("hired", "Inactive", None, None, PENDING),
        ("terminated", "Inactive", PAST, YESTERDAY, TERMINATED),
        ("terminated", "Inactive", PAST, None, TERMINATED),
        ("Terminated", None, None, None, TERMINATED),
        ("garden leave", "Active", PAST, LATER, ACTIVE),
        ("garden leave", "Active", PAST, YESTERDAY, TERMINATED),
        ("leave", "Active", PAST, None, INACTIVE),  # "remain active" still means on leave
        ("leave", "Inactive", PAST, None, INACTIVE),
        ("parental leave", "Inactive", PAST, None, INACTIVE),
        ("Parental Leave", "Active", PAST, None, INACTIVE),
        ("leave", "Inactive", PAST, YESTERDAY, TERMINATED),
        (None, "Active", PAST, None, ACTIVE),  # no Lifecycle permission: access decides
        (None, "Inactive", PAST, None, INACTIVE),
        ("sabbatical", "Active", PAST, None, ACTIVE),  # a custom status: access decides
        ("sabbatical", "Inactive", PAST, None, INACTIVE),
        (None, "Active", LATER, None, PENDING),
        (None, "Active", PAST, YESTERDAY, TERMINATED),
    ],
)
def test_employment_status_table(
    lifecycle: str | None,
    access: str | None,
    start: date | None,
    termination: date | None,
    expected: EmploymentStatus,
) -> None:
    assert employment_status(lifecycle, access, start, termination, AS_OF) is expected


def test_a_stale_hired_label_after_the_start_date_is_active() -> None:
    # Bob moves Hired to Employed on the start date; a read whose as_of is past the start
    # date while the label still says hired should follow the date, as it does for
    # 'employed' with a future start date.
    assert employment_status("hired", "Inactive", YESTERDAY, None, AS_OF) is ACTIVE


LABELS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "employed",
            "hired",
            "terminated",
            "garden leave",
            "leave",
            "parental leave",
            "Employed",
            "TERMINATED",
            " Hired ",
            "",
        ]
    ),
    st.text(max_size=20),
)
ACCESS = st.one_of(st.none(), st.sampled_from(["Active", "Inactive", "active", ""]), st.text())
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31))
MAYBE_DATES = st.one_of(st.none(), DATES)


@given(
    lifecycle=LABELS,
    access=ACCESS,
    start=MAYBE_DATES,
    as_of=DATES,
    days_before=st.integers(min_value=1, max_value=20_000),
)
def test_a_termination_date_before_as_of_terminates_unless_rehired_since(
    lifecycle: str | None, access: str | None, start: date | None, as_of: date, days_before: int
) -> None:
    termination = as_of - timedelta(days=days_before)
    rehired = start is not None and start > termination
    assume(not rehired or (lifecycle or "").strip().lower() == "terminated")
    assert employment_status(lifecycle, access, start, termination, as_of) is TERMINATED


@given(
    lifecycle=LABELS,
    access=ACCESS,
    termination=DATES,
    days_after=st.integers(min_value=1, max_value=5_000),
    as_of=DATES,
)
def test_a_rehire_is_never_terminated_by_the_old_termination_date(
    lifecycle: str | None, access: str | None, termination: date, days_after: int, as_of: date
) -> None:
    # Bob's rehire: same profile, "a new start date that occurs after their termination date";
    # whether internal.terminationDate is cleared is not documented, so it may survive.
    assume((lifecycle or "").strip().lower() != "terminated")
    start = termination + timedelta(days=days_after)
    status = employment_status(lifecycle, access, start, termination, as_of)
    assert status is not TERMINATED
    assert (status is PENDING) == (start > as_of)


@given(
    lifecycle=st.sampled_from(["terminated", "Terminated", " TERMINATED "]),
    access=ACCESS,
    start=MAYBE_DATES,
    termination=MAYBE_DATES,
    as_of=DATES,
)
def test_a_terminated_label_always_terminates(
    lifecycle: str, access: str | None, start: date | None, termination: date | None, as_of: date
) -> None:
    assert employment_status(lifecycle, access, start, termination, as_of) is TERMINATED


@given(
    lifecycle=LABELS,
    access=ACCESS,
    as_of=DATES,
    days_ahead=st.integers(min_value=1, max_value=5_000),
    termination=MAYBE_DATES,
)
def test_a_start_date_after_as_of_is_pending_unless_terminated(
    lifecycle: str | None,
    access: str | None,
    as_of: date,
    days_ahead: int,
    termination: date | None,
) -> None:
    assume((lifecycle or "").strip().lower() != "terminated")
    assume(termination is None or termination >= as_of)
    start = as_of + timedelta(days=days_ahead)
    assert employment_status(lifecycle, access, start, termination, as_of) is PENDING


@given(
    lifecycle=LABELS,
    access=ACCESS,
    start=MAYBE_DATES,
    termination=MAYBE_DATES,
    as_of=DATES,
    shift=st.integers(min_value=-3_000, max_value=3_000),
)
def test_only_dates_relative_to_as_of_matter(
    lifecycle: str | None,
    access: str | None,
    start: date | None,
    termination: date | None,
    as_of: date,
    shift: int,
) -> None:
    delta = timedelta(days=shift)
    moved = employment_status(
        lifecycle,
        access,
        start + delta if start else None,
        termination + delta if termination else None,
        as_of + delta,
    )
    assert moved is employment_status(lifecycle, access, start, termination, as_of)
