"""A tenant with a HiBob connection to the sandbox, on each store backend."""

from __future__ import annotations

import pytest

from rostersync.engine import setup
from rostersync.engine.report import SyncReport
from rostersync.engine.sync import SyncOptions, run_sync
from rostersync.store import Store
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Sandbox


class Harness:
    def __init__(self, store: Store, sandbox: Sandbox, connection_id: str) -> None:
        self.store = store
        self.sandbox = sandbox
        self.connection_id = connection_id

    def sync(self, *, dry_run: bool = False) -> SyncReport:
        return run_sync(
            self.store,
            self.connection_id,
            options=SyncOptions(
                as_of=TODAY, dry_run=dry_run, allow_loopback=True, sleep=lambda _s: None
            ),
        )


@pytest.fixture
def harness(store: Store, hibob: Sandbox) -> Harness:
    tenant = setup.create_tenant(store, "Acme", actor="test")
    connection = setup.create_connection(
        store,
        tenant_id=tenant.id,
        provider="hibob",
        credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
        base_url=hibob.base_url,
        environment="production",
        allow_loopback=True,
        actor="test",
    )
    return Harness(store, hibob, connection.id)
