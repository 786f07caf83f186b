"""The app over real HTTP on 127.0.0.1 with the Gusto and Employment Hero emulators mounted
and the operator's OAuth apps at both in settings (shared by the web and browser tests)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import employmenthero, gusto
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import OAuthAppSettings, Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.repos import connections
from rostersync.store.session import transaction
from rostersync.store.tables import Connection
from rostersync.web import SandboxTarget

SIZE = 30
APPS = {
    "gusto": {
        "client_id": "gusto-app-e2e",
        "client_secret": "gusto-secret-e2e-0123456789",
        "refresh_token": "gusto-unused-refresh-token",
        "company_uuid": "c0f0e1d2-0000-4000-8000-0000000000e2",
    },
    "employmenthero": {
        "client_id": "eh-app-e2e",
        "client_secret": "eh-secret-e2e-0123456789",
        "refresh_token": "eh-refresh-token-e2e",
        "organisation_id": "0e0e0e0e-0000-4000-8000-0000000000e2",
    },
}
NAMES = {"gusto": "Gusto", "employmenthero": "Employment Hero"}


@dataclass
class OAuthSite:
    store: Store
    base_url: str

    def link(self) -> tuple[str, str]:
        """A new tenant and a connect link for it: (tenant id, URL)."""
        tenant = tenants.create_tenant(self.store, "Acme", actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment="production",
            lifetime=timedelta(days=1),
            actor="test",
        )
        return tenant.id, issued.url(self.base_url)

    def connections_of(self, tenant_id: str) -> list[Connection]:
        with transaction(self.store.sessions) as session:
            return connections.list_connections(session, tenant_id=tenant_id)

    def credentials_of(self, connection_id: str) -> dict[str, str]:
        with transaction(self.store.sessions) as session:
            row = connections.get_connection(session, connection_id, tenant_id=None)
            return connections.read_credentials(self.store.keyring, row)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def oauth_site(folder: Path, *, configured: tuple[str, ...]) -> Iterator[OAuthSite]:
    """`configured`: the vendors whose OAuth app the operator registered."""
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    settings = Settings(
        data_dir=folder,
        allow_loopback=True,
        oauth={
            slug: OAuthAppSettings(
                client_id=APPS[slug]["client_id"], client_secret=APPS[slug]["client_secret"]
            )
            for slug in configured
        },
    )
    emulators = {
        # Strict: the refresh token the consent gave is spent by the preflight, so a sync
        # succeeds only if every rotated one was stored.
        "gusto": gusto.create_app(
            SyntheticCompany(seed=21, size=SIZE),
            credentials=APPS["gusto"],
            faults=Faults(),
            strict_refresh_rotation=True,
        ),
        "employmenthero": employmenthero.create_app(
            SyntheticCompany(seed=22, size=SIZE), credentials=APPS["employmenthero"]
        ),
    }
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = build_app(
        store,
        settings,
        sandboxes=dict(emulators),
        connect_sandboxes={slug: SandboxTarget(f"{base}/sandbox/{slug}", {}) for slug in emulators},
    )
    with ServerThread(app, port=port):
        yield OAuthSite(store, base)
    store.engine.dispose()
