"""SCIM delivery into a server we did not write (scim2-server, over real HTTP), and the
delivery options: event-type filters, thin webhooks, the delivery log.

The sandbox HiBob company is synced and delivered, then changed (joiner, mover, leaver,
rehire); after each run every person the store says has access is an active SCIM user with
the right userName, name, email, department and manager, and every leaver is inactive.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from scim2_models import UnauthorizedException
from scim2_server.applications.asgi import ASGIApplication, Receive, Scope, Send
from scim2_server.memory import AsyncInMemoryStorage
from scim2_server.requests import ScimRequest
from scim2_server.utils import load_default_provider
from sqlalchemy import select, update
from starlette.applications import Starlette
from starlette.routing import Route

from rostersync.delivery import DrainResult, deliver_due
from rostersync.sandbox import ServerThread
from rostersync.services import connections
from rostersync.store.repos import destinations
from rostersync.store.session import transaction
from rostersync.store.tables import Action, DeliveryAttempt, OutboxEntry, Person
from tests.conftest import TODAY, Harness
from tests.delivery.test_webhooks import Receiver

TOKEN = "scim-test-token-not-a-secret"
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class BearerScim(ASGIApplication):
    """scim2-server's ASGI application, refusing requests without our bearer token."""

    def check_auth(self, request: ScimRequest) -> None:
        if request.header("Authorization") != f"Bearer {TOKEN}":
            raise UnauthorizedException


@dataclass
class Scim:
    """The server, plus a log of the requests it answered (method, path, status, If-Match)."""

    storage: AsyncInMemoryStorage
    url: str
    requests: list[tuple[str, str, int, bool]] = field(default_factory=list)
    race_next_create: bool = False
    """Another client creates the same user just before our next POST /Users lands."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def users(self) -> dict[str, dict[str, Any]]:
        """Every user by externalId, as the server stores it."""
        dumped = [r.model_dump() for r in self.storage.resources]
        users = [r for r in dumped if r["meta"]["resourceType"] == "User"]
        assert len({u["externalId"] for u in users}) == len(users), "duplicate users"
        return {u["externalId"]: u for u in users}

    def groups(self) -> dict[str, dict[str, Any]]:
        dumped = [r.model_dump() for r in self.storage.resources]
        return {g["externalId"]: g for g in dumped if g["meta"]["resourceType"] == "Group"}

    def writes(self) -> list[tuple[str, str, int, bool]]:
        return [r for r in self.requests if r[0] != "GET"]


class Recorder:
    """ASGI middleware in front of the SCIM app: logs requests and stages a creation race."""

    def __init__(self, app: ASGIApplication, state: Scim) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        status: list[int] = []

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        if scope["method"] == "POST" and scope["path"].endswith("/Users"):
            receive = await self._maybe_race(scope, receive)
        await self.app(scope, receive, recording)
        with self.state.lock:
            self.state.requests.append(
                (scope["method"], scope["path"], status[0], b"if-match" in headers)
            )

    async def _maybe_race(self, scope: Scope, receive: Receive) -> Receive:
        with self.state.lock:
            race, self.state.race_next_create = self.state.race_next_create, False
        if not race:
            return receive
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)

        async def replay() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def discard(_message: dict[str, Any]) -> None:
            return None

        await self.app(scope, replay, discard)  # the other client's identical POST wins
        return replay


@pytest.fixture
def scim() -> Iterator[Scim]:
    storage = AsyncInMemoryStorage()
    state = Scim(storage, "")
    app = Recorder(BearerScim(storage, load_default_provider()), state)
    with ServerThread(app, probe_path="/v2/ServiceProviderConfig") as server:  # type: ignore[arg-type]
        state.url = f"{server.base_url}/v2"
        yield state


def _add_scim(harness: Harness, scim: Scim, **options: Any) -> str:
    with transaction(harness.store.sessions) as session:
        destination = destinations.create_scim(
            session,
            harness.store.keyring,
            tenant_id=harness.tenant_id,
            url=scim.url,
            token=TOKEN,
            options=options,
        )
        return destination.id


def _drain(harness: Harness) -> DrainResult:
    total = DrainResult()
    while True:
        result = deliver_due(harness.store, allow_loopback=True)
        if result == DrainResult():
            return total
        total = DrainResult(*(a + b for a, b in zip(_counts(total), _counts(result), strict=True)))


def _counts(result: DrainResult) -> tuple[int, int, int, int]:
    return result.delivered, result.retrying, result.failed, result.skipped


def _run(harness: Harness) -> DrainResult:
    assert harness.sync().ok
    return _drain(harness)


def _check_server_matches_store(harness: Harness, scim: Scim) -> dict[str, dict[str, Any]]:
    """Every person with access is an active user as the HRIS says; leavers are inactive."""
    company = harness.sandbox.company
    users = scim.users()
    with transaction(harness.store.sessions) as session:
        access = dict(
            session.execute(
                select(Person.remote_id, Person.provisioned).where(
                    Person.connection_id == harness.connection_id
                )
            ).all()
        )
    assert any(access.values())
    for person in company.people():
        user = users.get(f"{harness.connection_id}:{person.id}")
        if not access.get(person.id):
            assert user is None or user["active"] is False, person.id
            continue
        assert user is not None, person.id
        assert user["active"] is True
        email = str(person.work_email).casefold()  # userName is not case-sensitive in SCIM
        assert user["userName"].casefold() == email
        assert [(e["value"].casefold(), e["type"], e["primary"]) for e in user["emails"]] == [
            (email, "work", True)
        ]
        assert user["name"] == {"givenName": person.first_name, "familyName": person.last_name}
        enterprise = user[ENTERPRISE]
        assert enterprise["department"] == company.department(person.department_id).name
        # A manager who left stays the reference: their user is kept, inactive.
        manager = users.get(f"{harness.connection_id}:{person.manager_id}")
        if manager is not None:
            assert enterprise["manager"]["value"] == manager["id"], person.id
        else:
            assert "manager" not in enterprise
    return users


def test_joiner_mover_leaver_rehire_in_a_real_scim_server(harness: Harness, scim: Scim) -> None:
    _add_scim(harness, scim)
    first = _run(harness)
    assert first.failed == first.retrying == 0
    users = _check_server_matches_store(harness, scim)
    assert scim.writes()
    assert all(status in (200, 201) for _, _, status, _ in scim.writes())

    # Nothing changed in the HRIS: nothing is sent (the run's connection.synced event is not
    # for SCIM), and a replay of every event (a worker that died after sending) reads the
    # users but writes nothing.
    scim.requests.clear()
    assert _run(harness) == DrainResult(skipped=1)
    with transaction(harness.store.sessions) as session:
        session.execute(update(OutboxEntry).values(status="pending", next_attempt_at=LONG_AGO))
    replay = _drain(harness)
    assert replay.delivered == first.delivered
    assert scim.writes() == []
    assert scim.users() == users

    company = harness.sandbox.company
    with_access = [p for p in company.people() if users.get(f"{harness.connection_id}:{p.id}")]
    mover, leaver, new_manager = with_access[5], with_access[6], with_access[7]
    other_department = next(d for d in company.departments if d.id != mover.department_id)
    joiner = company.hire(start_date=TODAY)
    company.move(mover.id, department_id=other_department.id, manager_id=new_manager.id)
    company.terminate(leaver.id, on=TODAY - timedelta(days=1))
    scim.requests.clear()
    assert _run(harness).failed == 0
    users = _check_server_matches_store(harness, scim)
    assert users[f"{harness.connection_id}:{joiner.id}"]["active"] is True
    moved = users[f"{harness.connection_id}:{mover.id}"]
    assert moved[ENTERPRISE]["department"] == other_department.name
    assert users[f"{harness.connection_id}:{leaver.id}"]["active"] is False
    patches = [r for r in scim.writes() if r[0] == "PATCH"]
    assert patches
    assert all(if_match for *_, if_match in patches)

    left_id = users[f"{harness.connection_id}:{leaver.id}"]["id"]
    company.rehire(leaver.id)
    assert _run(harness).failed == 0
    users = _check_server_matches_store(harness, scim)
    back = users[f"{harness.connection_id}:{leaver.id}"]
    assert (back["id"], back["active"]) == (left_id, True)


def test_a_user_created_by_someone_else_first_is_matched_not_duplicated(
    harness: Harness, scim: Scim
) -> None:
    _add_scim(harness, scim)
    scim.race_next_create = True
    result = _run(harness)
    assert result.failed == result.retrying == 0
    assert ("POST", "/v2/Users", 409, False) in scim.requests
    _check_server_matches_store(harness, scim)


def test_an_existing_account_is_adopted_by_user_name(harness: Harness, scim: Scim) -> None:
    person = next(p for p in harness.sandbox.company.people() if p.work_email)
    _add_scim(harness, scim)
    existing = httpx.post(
        f"{scim.url}/Users",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": str(person.work_email).upper(),
        },
    ).json()
    assert _run(harness).failed == 0
    users = _check_server_matches_store(harness, scim)
    assert users[f"{harness.connection_id}:{person.id}"]["id"] == existing["id"]


def test_groups_and_hard_delete_when_the_destination_opts_in(harness: Harness, scim: Scim) -> None:
    _add_scim(harness, scim, groups=True, hard_delete=True)
    connections.set_policy(
        harness.store,
        harness.connection_id,
        {"hard_delete_after_days": 0},
        tenant_id=None,
        actor="test",
    )
    assert _run(harness).failed == 0
    users = _check_server_matches_store(harness, scim)
    company = harness.sandbox.company
    groups = scim.groups()
    for person in company.people():
        user = users.get(f"{harness.connection_id}:{person.id}")
        if user is None:
            continue
        group = groups[f"{harness.connection_id}:{person.department_id}"]
        assert group["displayName"] == company.department(person.department_id).name
        assert {"value": user["id"]} in [{"value": m["value"]} for m in group["members"]]

    mover, leaver = [p for p in company.people() if users.get(f"{harness.connection_id}:{p.id}")][
        3:5
    ]
    target = next(d for d in company.departments if d.id != mover.department_id)
    company.move(mover.id, department_id=target.id)
    company.terminate(leaver.id, on=TODAY - timedelta(days=1))
    assert _run(harness).failed == 0
    users = scim.users()
    assert f"{harness.connection_id}:{leaver.id}" not in users
    mover_id = users[f"{harness.connection_id}:{mover.id}"]["id"]
    members = {
        ext: {m["value"] for m in g.get("members") or ()} for ext, g in scim.groups().items()
    }
    assert mover_id in members[f"{harness.connection_id}:{target.id}"]
    assert mover_id not in members[f"{harness.connection_id}:{mover.department_id}"]


def test_a_wrong_token_is_retried_and_logged_without_personal_data(
    harness: Harness, scim: Scim
) -> None:
    with transaction(harness.store.sessions) as session:
        destinations.create_scim(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url=scim.url, token="no"
        )
    assert harness.sync().ok
    result = deliver_due(harness.store, allow_loopback=True)
    assert result.delivered == 0
    assert result.retrying > 0
    with transaction(harness.store.sessions) as session:
        attempts = session.scalars(select(DeliveryAttempt)).all()
    assert {a.status_code for a in attempts} == {401}
    assert all(a.duration_ms is not None and a.duration_ms >= 0 for a in attempts)
    emails = {str(p.work_email) for p in harness.sandbox.company.people() if p.work_email}
    assert not any(e in str(a.error) for a in attempts for e in emails)
    assert scim.users() == {}


def test_event_type_filter_and_thin_webhooks(harness: Harness) -> None:
    state = Receiver()
    app = Starlette(routes=[Route("/hook", state.handle, methods=["POST"])])
    with ServerThread(app, probe_path="/") as server:
        with transaction(harness.store.sessions) as session:
            _, state.secret = destinations.create_webhook(
                session,
                harness.store.keyring,
                tenant_id=harness.tenant_id,
                url=f"{server.base_url}/hook",
                options={"event_types": ["user.deprovision"], "thin": True},
            )
        first = _run(harness)
        assert first.delivered == 0
        assert first.skipped > 0
        assert state.received == []
        leaver = next(p for p in harness.sandbox.company.people() if p.work_email)
        harness.sandbox.company.terminate(leaver.id, on=TODAY - timedelta(days=1))
        second = _run(harness)
    # The deprovision goes out; the run's connection.synced event is filtered out.
    assert (second.delivered, second.skipped) == (1, 1)
    ((webhook_id, body),) = state.received
    assert body["type"] == "user.deprovision"
    assert set(body) == {"type", "timestamp", "data"}
    with transaction(harness.store.sessions) as session:
        action_id = session.scalar(
            select(Action.id).where(Action.kind == "deprovision", Action.remote_id == leaver.id)
        )
        assert body["data"] == {
            "action_id": action_id,
            "tenant_id": harness.tenant_id,
            "connection_id": harness.connection_id,
            "remote_id": leaver.id,
        }
        (attempt,) = session.scalars(select(DeliveryAttempt)).all()
        assert (attempt.outbox_id, attempt.status_code, attempt.error) == (webhook_id, 200, None)
        assert attempt.duration_ms is not None
