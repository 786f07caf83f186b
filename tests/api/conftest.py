"""The API served over real HTTP on 127.0.0.1, with two tenants and their keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from rostersync.cli.server import build_app
from rostersync.sandbox import ServerThread
from rostersync.services import tenants
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.store.repos import apikeys
from rostersync.store.session import transaction
from tests.conftest import Harness


@dataclass
class Api:
    app: FastAPI
    base_url: str
    harness: Harness
    admin_key: str
    tenant_key: str
    other_tenant_id: str
    other_key: str

    def client(self, key: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


PUBLIC_URL = "https://connect.acme.example"
"""Where customers reach the API fixture's server (Settings.public_url), unlike its loopback
address, so a URL built from the request instead would show."""


def _key(store: Store, tenant_id: str | None) -> str:
    with transaction(store.sessions) as session:
        return apikeys.create_key(session, tenant_id=tenant_id, name="test")[1]


@pytest.fixture
def api(harness: Harness, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("api"), allow_loopback=True, public_url=PUBLIC_URL
    )
    other = tenants.create_tenant(harness.store, "Other Co", actor="test")
    app = build_app(harness.store, settings)
    with ServerThread(app) as server:
        yield Api(
            app,
            server.base_url,
            harness,
            admin_key=_key(harness.store, None),
            tenant_key=_key(harness.store, harness.tenant_id),
            other_tenant_id=other.id,
            other_key=_key(harness.store, other.id),
        )
