"""The pull API read with Merge's official Python SDK, its base URL pointed at our server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from merge.resources.hris.types import Employee, Group, Location

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services.connections import create_connection
from rostersync.services.tenants import create_tenant
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.store.repos import apikeys, connections, people
from rostersync.store.session import transaction
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Harness, Sandbox, make_harness

NOT_KEPT = {
    Employee: {
        "created_at",
        "employee_url",
        "employee_number",
        "company",
        "preferred_name",
        "display_full_name",
        "username",
        "personal_email",
        "mobile_phone_number",
        "employments",
        "home_location",
        "team",
        "pay_group",
        "ssn",
        "gender",
        "ethnicity",
        "marital_status",
        "date_of_birth",
        "hire_date",
        "remote_created_at",
        "termination_date",
        "avatar",
        "custom_fields",
        "field_mappings",
        "remote_data",
    },
    Group: {
        "created_at",
        "group_url",
        "parent_group",
        "is_commonly_used_as_team",
        "field_mappings",
        "remote_data",
    },
    Location: {
        "created_at",
        "name",
        "phone_number",
        "street_1",
        "street_2",
        "city",
        "state",
        "zip_code",
        "field_mappings",
        "remote_data",
    },
}
"""Merge fields rostersync never reads: always null."""


@dataclass
class Pull:
    harness: Harness
    base_url: str
    tenant_key: str
    admin_key: str
    other_key: str
    other_token: str
    token: str
    closing: ExitStack

    def sdk(self, key: str | None = None, token: str | None = None) -> Merge:
        return Merge(
            base_url=f"{self.base_url}/api",
            api_key=key or self.tenant_key,
            account_token=token or self.token,
            httpx_client=self.closing.enter_context(httpx.Client(timeout=30)),
        )

    def raw(self, path: str, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tenant_key}", "X-Account-Token": self.token}
        return httpx.get(f"{self.base_url}{path}", params=params, headers=headers, timeout=30)


def _key(store: Store, tenant_id: str) -> str:
    with transaction(store.sessions) as session:
        return apikeys.create_key(session, tenant_id=tenant_id, name="test")[1]


def _token(store: Store, connection_id: str) -> str:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        return connections.issue_account_token(connection)


@pytest.fixture
def pull_for(
    store: Store, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[int], Pull]]:
    """A HiBob sandbox of `size` people synced once, and the API serving it over HTTP."""
    servers = ExitStack()

    def make(size: int) -> Pull:
        company = SyntheticCompany(seed=7, size=size, today=TODAY)
        emulator = hibob_emulator.create_app(
            company,
            credentials={"service_user_id": HIBOB_USER, "token": HIBOB_TOKEN},
            faults=Faults(),
        )
        vendor = servers.enter_context(ServerThread(emulator))
        credentials = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}
        harness = make_harness(
            store, Sandbox(company, Faults(), vendor.base_url), "hibob", credentials
        )
        assert harness.sync().status == "succeeded"
        other = create_tenant(store, "Other Co", actor="test")
        other_connection = create_connection(
            store,
            tenant_id=other.id,
            provider="hibob",
            credentials=credentials,
            base_url=vendor.base_url,
            environment="production",
            allow_loopback=True,
            actor="test",
        )
        settings = Settings(data_dir=tmp_path_factory.mktemp("pull"), allow_loopback=True)
        api = servers.enter_context(ServerThread(build_app(store, settings)))
        with transaction(store.sessions) as session:
            admin_key = apikeys.create_key(session, tenant_id=None, name="admin")[1]
        return Pull(
            harness,
            api.base_url,
            tenant_key=_key(store, harness.tenant_id),
            admin_key=admin_key,
            other_key=_key(store, other.id),
            other_token=other_connection.account_token or "",
            token=_token(store, harness.connection_id),
            closing=servers,
        )

    with servers:
        yield make


def _all(list_page: Callable[..., Any], **params: Any) -> list[Any]:
    """Every result, following `next` the way a Merge client does."""
    results: list[Any] = []
    cursor = None
    while True:
        page = list_page(cursor=cursor, **params)
        results.extend(page.results)
        if page.next is None:
            return results
        cursor = page.next


def _walk_everything(pull: Pull, size: int) -> None:
    client = pull.sdk()
    employees = _all(client.hris.employees.list, page_size=100)
    groups = _all(client.hris.groups.list, page_size=100)
    locations = _all(client.hris.locations.list, page_size=100)
    with transaction(pull.harness.store.sessions) as session:
        connection = connections.get_connection(session, pull.harness.connection_id, tenant_id=None)
        state = people.load_state(session, pull.harness.store.keyring, connection)
    assert len(state.people) == size
    assert len(employees) == size
    assert {e.remote_id for e in employees} == set(state.people)
    assert len({e.id for e in employees}) == size
    assert {g.remote_id for g in groups} == set(state.groups)
    assert {loc.remote_id for loc in locations} == set(state.locations)
    assert len({g.id for g in groups}) == len(groups)
    assert len({loc.id for loc in locations}) == len(locations)
    # References resolve within what the API serves, as Merge ids do.
    employee_ids, group_ids = {e.id for e in employees}, {g.id for g in groups}
    location_ids = {loc.id for loc in locations}
    assert all(set(e.groups) <= group_ids for e in employees)
    assert all(e.work_location in location_ids for e in employees if e.work_location)
    managed = [e for e in employees if e.manager]
    assert managed
    assert all(e.manager in employee_ids for e in managed)


def test_the_sdk_pages_through_a_company_of_ten_thousand(pull_for: Callable[[int], Pull]) -> None:
    _walk_everything(pull_for(10_000), 10_000)


def test_fields_map_from_the_stored_state(pull_for: Callable[[int], Pull]) -> None:
    pull = pull_for(300)
    client = pull.sdk()
    employees = _all(client.hris.employees.list)
    groups = {g.id: g for g in _all(client.hris.groups.list)}
    locations = {loc.id: loc for loc in _all(client.hris.locations.list)}
    by_remote = {e.remote_id: e for e in employees}
    company = pull.harness.sandbox.company
    with transaction(pull.harness.store.sessions) as session:
        connection = connections.get_connection(session, pull.harness.connection_id, tenant_id=None)
        state = people.load_state(session, pull.harness.store.keyring, connection)
    expected_status = {
        "ACTIVE": "ACTIVE",
        "PENDING": "PENDING",
        "INACTIVE": "INACTIVE",
        "TERMINATED": "INACTIVE",
    }
    for remote_id, stored in state.people.items():
        kept, served = stored.employee, by_remote[remote_id]
        assert (served.first_name, served.last_name) == (kept.first_name, kept.last_name)
        assert served.work_email == kept.work_email
        assert served.employment_status == expected_status[kept.employment_status]
        # References point only at records the API serves (not an archived department).
        served_groups = sorted(groups[g].remote_id for g in served.groups)
        assert served_groups == sorted(g for g in kept.group_ids if g in state.groups)
        if kept.location_id in state.locations:
            assert served.work_location is not None
            assert locations[served.work_location].remote_id == kept.location_id
        else:
            assert served.work_location is None
        if kept.manager_remote_id in by_remote:
            assert by_remote[kept.manager_remote_id].id == served.manager
        assert served.start_date is not None
        assert kept.start_date is not None
        assert served.start_date.date() == kept.start_date
        assert served.remote_was_deleted is False
    leavers = [p.id for p in company.people() if p.status is PersonStatus.TERMINATED]
    assert leavers
    assert all(by_remote[i].employment_status == "INACTIVE" for i in leavers)
    hires = [p.id for p in company.people() if p.status is PersonStatus.HIRED]
    assert hires
    assert all(by_remote[i].employment_status == "PENDING" for i in hires)
    assert {g.type for g in groups.values()} <= {"DEPARTMENT", "TEAM"}
    assert {g.remote_id: g.name for g in groups.values()} == {
        r: g.name for r, g in state.groups.items()
    }
    assert {loc.remote_id: (loc.location_type, loc.country) for loc in locations.values()} == {
        r: ("WORK", loc.country) for r, loc in state.locations.items()
    }
    one = employees[17]
    assert client.hris.employees.retrieve(one.id) == one
    group = next(iter(groups.values()))
    assert client.hris.groups.retrieve(group.id) == group
    location = next(iter(locations.values()))
    assert client.hris.locations.retrieve(location.id) == location
    active = _all(client.hris.employees.list, employment_status="ACTIVE")
    assert active
    assert {e.employment_status for e in active} == {"ACTIVE"}


def test_fields_outside_the_allowlist_are_null_and_the_shape_is_merges(
    pull_for: Callable[[int], Pull],
) -> None:
    pull = pull_for(40)
    for path, model in (
        ("/api/hris/v1/employees", Employee),
        ("/api/hris/v1/groups", Group),
        ("/api/hris/v1/locations", Location),
    ):
        body = pull.raw(path).json()
        assert set(body) == {"next", "previous", "results"}
        for item in body["results"]:
            # Every field of the SDK's model, and only those (Merge's shape, key for key).
            assert set(item) == set(model.model_fields), path
            assert {k for k in NOT_KEPT[model] if item[k] is not None} == set(), path


def test_previous_cursors_walk_back_and_page_size_is_capped(
    pull_for: Callable[[int], Pull],
) -> None:
    client = pull_for(40).sdk()
    first = client.hris.employees.list(page_size=7)
    assert first.previous is None
    assert first.next is not None
    second = client.hris.employees.list(page_size=7, cursor=first.next)
    assert second.previous is not None
    back = client.hris.employees.list(page_size=7, cursor=second.previous)
    assert [e.id for e in back.results] == [e.id for e in (first.results or [])]
    assert back.previous is None
    assert back.next is not None
    forward_again = client.hris.employees.list(page_size=7, cursor=back.next)
    assert forward_again.results == second.results
    assert len(client.hris.employees.list(page_size=5000).results or []) == 40
    with pytest.raises(ApiError) as bad:
        client.hris.employees.list(cursor="not-a-cursor")
    assert bad.value.status_code == 400


def test_modified_after_and_deleted_people(pull_for: Callable[[int], Pull]) -> None:
    pull = pull_for(60)
    client = pull.sdk()
    company = pull.harness.sandbox.company
    before = {e.remote_id: e for e in _all(client.hris.employees.list)}
    managers = {p.manager_id for p in company.people()}
    active = [p for p in company.people() if p.status is PersonStatus.ACTIVE]
    mover, leaver = [p for p in active if p.id not in managers][:2]
    pull.harness.confirm_absences_at_once()
    checkpoint = datetime.now(UTC)
    other_site = next(s.id for s in company.sites if s.id != mover.site_id)
    company.move(mover.id, site_id=other_site)
    company.remove(leaver.id)
    assert pull.harness.sync().status == "succeeded"
    assert pull.harness.sync().status == "succeeded"  # confirms the absence

    changed = _all(client.hris.employees.list, modified_after=checkpoint)
    assert [e.remote_id for e in changed] == [mover.id]
    changed_or_gone = _all(
        client.hris.employees.list, modified_after=checkpoint, include_deleted_data=True
    )
    assert {e.remote_id for e in changed_or_gone} == {mover.id, leaver.id}
    assert changed[0].work_location != before[mover.id].work_location
    assert _all(client.hris.employees.list, modified_before=checkpoint)

    current = {e.remote_id for e in _all(client.hris.employees.list)}
    assert leaver.id not in current
    assert mover.id in current
    everyone = {e.remote_id: e for e in _all(client.hris.employees.list, include_deleted_data=True)}
    assert everyone[leaver.id].remote_was_deleted is True
    assert len(everyone) == len(before)
    gone = client.hris.employees.retrieve(before[leaver.id].id)
    assert gone.remote_was_deleted is True
    assert gone.remote_id == leaver.id


def test_another_tenants_key_or_a_wrong_token_sees_nothing(
    pull_for: Callable[[int], Pull],
) -> None:
    pull = pull_for(30)
    someone = pull.sdk().hris.employees.list(page_size=1).results
    assert someone
    target = someone[0].id
    refused = [
        pull.sdk(key=pull.other_key),
        pull.sdk(token="acct_wrong"),
        pull.sdk(key=pull.tenant_key, token=pull.other_token),
        pull.sdk(key="rsk_nope_nope"),
    ]
    for client in refused:
        for call in (
            client.hris.employees.list,
            client.hris.groups.list,
            client.hris.locations.list,
        ):
            with pytest.raises(ApiError) as error:
                call()
            assert error.value.status_code in (401, 403, 404)
            assert someone[0].remote_id not in str(error.value.body)
    # Tenant B with its own connection: an id of tenant A is simply not there.
    b = pull.sdk(key=pull.other_key, token=pull.other_token)
    assert b.hris.employees.list().results == []
    with pytest.raises(ApiError) as missing:
        b.hris.employees.retrieve(target)
    assert missing.value.status_code == 404
    no_token = httpx.get(
        f"{pull.base_url}/api/hris/v1/employees",
        headers={"Authorization": f"Bearer {pull.tenant_key}"},
    )
    assert no_token.status_code == 401
    # The product's backend holds an admin key: it reads any connection by its token.
    admin = pull.sdk(key=pull.admin_key)
    assert admin.hris.employees.list(page_size=1).results == someone
