"""Fixtures for the pages over real HTTP on 127.0.0.1 (Starlette's TestClient warns itself
deprecated with httpx), on real SQLite stores with the sandbox HiBob: the connect pages'
site with a browser-less client that keeps cookies, and the dashboard's tenant (Acme, with a
HiBob connection), its key and an admin key."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, PersonStatus, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.repos import apikeys
from rostersync.store.session import transaction
from rostersync.web import SandboxTarget
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Harness, Sandbox, make_harness

USER, TOKEN = "SERVICE-WEB", "sandbox-token-web-0123456789"
CREDENTIALS = {"service_user_id": USER, "service_user_token": TOKEN}


@dataclass
class ConnectSite:
    store: Store
    base_url: str
    hibob: Faults
    """The sandbox HiBob's request log: what reached the vendor."""

    def link(self, *, tenant: str = "Acme") -> str:
        created = tenants.create_tenant(self.store, tenant, actor="test")
        issued = issue_link(
            self.store,
            tenant_id=created.id,
            environment="production",
            lifetime=timedelta(days=1),
            actor="test",
        )
        return issued.url(self.base_url)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def csrf_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, "the page has no form"
    return found.group(1)


@pytest.fixture(scope="module")
def connect_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectSite]:
    folder = tmp_path_factory.mktemp("connect-web")
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    faults = Faults()
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=5, size=12),
        credentials={"service_user_id": USER, "token": TOKEN},
        faults=faults,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = build_app(
        store,
        Settings(data_dir=folder, allow_loopback=True),
        sandboxes={"hibob": emulator},
        connect_sandboxes={"hibob": SandboxTarget(f"{base}/sandbox/hibob", CREDENTIALS)},
    )
    with ServerThread(app, port=port):
        yield ConnectSite(store, base, faults)
    store.engine.dispose()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """Keeps cookies between requests, as the HR admin's browser does."""
    with httpx.Client(timeout=30) as opened:
        yield opened


SYNC_INTERVAL = timedelta(minutes=40)
"""Not the default (15 minutes): the page must show the interval it is given."""


def key_for(store: Store, tenant_id: str | None) -> str:
    with transaction(store.sessions) as session:
        return apikeys.create_key(session, tenant_id=tenant_id, name="test")[1]


def form_token(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, html
    return found.group(1)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("td", "dd"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "dd") and self._cell is not None:
            self.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def visible(html: str) -> tuple[str, list[str]]:
    """A page's text (what a reader sees, not attributes or URLs) and its table cells."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split()), parser.cells


@dataclass
class Dash:
    client: httpx.Client
    harness: Harness
    tenant_key: str
    admin_key: str

    @property
    def store(self) -> Store:
        return self.harness.store

    def sign_in(self, key: str) -> None:
        self.client.cookies.clear()
        token = form_token(self.client.get("/dashboard/login").text)
        answer = self.client.post("/dashboard/login", data={"api_key": key, "csrf": token})
        assert answer.status_code == 303, answer.text

    def home(self, tenant: str | None = None) -> str:
        page = self.client.get("/dashboard", params={"tenant": tenant} if tenant else None)
        assert page.status_code == 200, page.text
        return page.text

    def post(self, path: str, **form: str) -> httpx.Response:
        """A form post with this session's token (bound to the session, not to a tenant)."""
        page = self.client.get("/dashboard")
        if page.status_code == 303:  # an admin key: no tenant chosen yet
            page = self.client.get("/dashboard/tenants")
        return self.client.post(path, data={"csrf": form_token(page.text), **form})

    def people_with_email(self, count: int) -> list[str]:
        company = self.harness.sandbox.company
        active = [p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email]
        return [p.id for p in active[:count]]

    def hold_a_run(self) -> str:
        """A first sync, then twelve leavers at once: the guard holds the second run."""
        self.harness.sync()
        for person_id in self.people_with_email(12):
            self.harness.sandbox.company.terminate(person_id, on=TODAY - timedelta(days=1))
        held = self.harness.sync()
        assert held.status == "held"
        return held.run_id


@pytest.fixture
def store(sqlite_url: str, keyring: Keyring) -> Iterator[Store]:
    """SQLite only: the pages' queries are the store's, tested on both backends there."""
    opened = open_store(sqlite_url, keyring)
    yield opened
    opened.engine.dispose()


@pytest.fixture
def dash(store: Store, hibob: Sandbox, tmp_path: Path) -> Iterator[Dash]:
    harness = make_harness(
        store, hibob, "hibob", {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}
    )
    settings = Settings(
        data_dir=tmp_path,
        allow_loopback=True,
        sync_interval_seconds=int(SYNC_INTERVAL.total_seconds()),
    )
    port = free_port()
    app = build_app(store, settings, link_base=f"http://127.0.0.1:{port}")
    with (
        ServerThread(app, port=port) as server,
        httpx.Client(base_url=server.base_url, follow_redirects=False, timeout=30) as client,
    ):
        dash = Dash(client, harness, key_for(store, harness.tenant_id), key_for(store, None))
        dash.sign_in(dash.tenant_key)
        yield dash


@pytest.fixture
def other_tenant(store: Store) -> str:
    return tenants.create_tenant(store, "Other Co", actor="test").id
