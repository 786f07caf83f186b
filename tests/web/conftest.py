"""The connect pages over real HTTP: the app on 127.0.0.1 with the sandbox HiBob mounted, a
real SQLite store, and a browser-less client that keeps cookies like a browser would."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.web import SandboxTarget

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
