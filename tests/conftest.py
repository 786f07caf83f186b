"""Shared fixtures: a real store on SQLite and on PostgreSQL, and the sandbox over real HTTP."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from rostersync.engine import SyncOptions, SyncReport, run_sync
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import connections, tenants
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.session import make_engine, upgrade
from rostersync.store.tables import Base

PG_ADMIN_URL = os.environ.get(
    "ROSTERSYNC_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.parse(generate_key_setting())


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session, dropped at the end."""
    name = f"rostersync_test_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed for these tests: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_tables(url: str) -> None:
    """The shared PostgreSQL database as a new one, key check included (each test has its
    own master key)."""
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the newest schema, once per session (per xdist worker):
    migrating costs about half a second, copying the file a millisecond."""
    path = tmp_path_factory.mktemp("migrated") / "rostersync.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(migrated_sqlite: Path, tmp_path: Path) -> str:
    """A new SQLite database of this test's own, already at the newest schema and sealed
    under no key yet: `open_store` still runs its migration check and seals its key."""
    path = tmp_path / "rostersync.db"
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, keyring: Keyring) -> Iterator[Store]:
    """The same tests on the embedded default and on the scale-out database."""
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_url")
    else:
        url = request.getfixturevalue("pg_database")
        _empty_tables(url)
    opened = open_store(url, keyring)
    yield opened
    opened.engine.dispose()


TODAY = date(2026, 11, 25)
HIBOB_USER, HIBOB_TOKEN = "SERVICE-TEST", "test-token-not-a-secret"


@dataclass
class Sandbox:
    company: SyntheticCompany
    faults: Faults
    base_url: str


class SwappableApp:
    """One loopback server for the whole session; each test plugs in its own fresh app.

    Starting and stopping uvicorn per test costs a few hundred milliseconds; swapping the
    app behind a running server keeps every test isolated for free.
    """

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("no app plugged in")
        await self.app(scope, receive, send)


@contextmanager
def hook_receiver(handle: Callable[..., Any]) -> Iterator[str]:
    """A webhook receiver on 127.0.0.1 that answers POST /hook with `handle`; its URL."""
    app = Starlette(routes=[Route("/hook", handle, methods=["POST"])])
    with ServerThread(app, probe_path="/") as server:
        yield f"{server.base_url}/hook"


@contextmanager
def plugged_in(shared: tuple[ServerThread, SwappableApp], app: ASGIApp) -> Iterator[str]:
    """Serve `app` from the shared server for the block; its base URL."""
    server, swappable = shared
    swappable.app = app
    try:
        yield server.base_url
    finally:
        swappable.app = None


def serve_swappable() -> Iterator[tuple[ServerThread, SwappableApp]]:
    """The body of a session fixture: a running server and the socket its apps plug into."""
    swappable = SwappableApp()
    with ServerThread(swappable) as server:
        yield server, swappable


@pytest.fixture(scope="session")
def hibob_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


@pytest.fixture
def hibob(hibob_server: tuple[ServerThread, SwappableApp]) -> Iterator[Sandbox]:
    """The sandbox HiBob over real HTTP on 127.0.0.1, with a small deterministic company."""
    company = SyntheticCompany(seed=7, size=60, today=TODAY)
    faults = Faults()
    app = hibob_emulator.create_app(
        company, credentials={"service_user_id": HIBOB_USER, "token": HIBOB_TOKEN}, faults=faults
    )
    with plugged_in(hibob_server, app) as base_url:
        yield Sandbox(company, faults, base_url)


class Harness:
    def __init__(self, store: Store, sandbox: Sandbox, tenant_id: str, connection_id: str) -> None:
        self.store = store
        self.sandbox = sandbox
        self.tenant_id = tenant_id
        self.connection_id = connection_id

    def another_connection(self, *, environment: str = "production") -> Harness:
        """A second HiBob connection of the same tenant, to the same sandbox."""
        connection = connections.create_connection(
            self.store,
            tenant_id=self.tenant_id,
            provider="hibob",
            credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
            base_url=self.sandbox.base_url,
            environment=environment,
            allow_loopback=True,
            actor="test",
        )
        return Harness(self.store, self.sandbox, self.tenant_id, connection.id)

    def sync(
        self,
        *,
        dry_run: bool = False,
        as_of: date = TODAY,
        from_store: bool = False,
        at: datetime | None = None,
    ) -> SyncReport:
        """`at` pins the run's clock (absences are confirmed against it); default: now."""
        options = SyncOptions(
            as_of=as_of,
            dry_run=dry_run,
            allow_loopback=True,
            from_store=from_store,
            sleep=lambda _s: None,
        )
        if at is not None:
            options = replace(options, clock=lambda: at)
        return run_sync(self.store, self.connection_id, options=options)

    def confirm_absences_at_once(self) -> None:
        """Policy: a second read confirms an absence however soon it comes (tests of what
        follows a confirmed absence, not of the interval itself)."""
        connections.set_policy(
            self.store,
            self.connection_id,
            {"missing_confirm_after_minutes": 0},
            tenant_id=None,
            actor="test",
        )


@pytest.fixture
def harness(store: Store, hibob: Sandbox) -> Harness:
    """A tenant with a HiBob connection to the sandbox, on each store backend."""
    credentials = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}
    return make_harness(store, hibob, "hibob", credentials)


def make_harness(
    store: Store, sandbox: Sandbox, provider: str, credentials: dict[str, str]
) -> Harness:
    tenant = tenants.create_tenant(store, "Acme", actor="test")
    connection = connections.create_connection(
        store,
        tenant_id=tenant.id,
        provider=provider,
        credentials=credentials,
        base_url=sandbox.base_url,
        environment="production",
        allow_loopback=True,
        actor="test",
    )
    return Harness(store, sandbox, tenant.id, connection.id)


def database_text(store: Store) -> str:
    """Everything the database holds, as text: the SQLite file itself, or a pg_dump."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        store.engine.dispose()  # checkpoint the WAL into the file
        return Path(str(url.database)).read_bytes().decode("latin-1")
    plain = make_url(url.render_as_string(hide_password=False)).set(drivername="postgresql")
    dump = subprocess.run(
        ["pg_dump", "--data-only", plain.render_as_string(hide_password=False)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dump.stdout
