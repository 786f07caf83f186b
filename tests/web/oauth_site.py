"""The app over real HTTP on 127.0.0.1, the Gusto and Employment Hero emulators on another
site (127.0.0.2: the consent is a cross-site round trip, as with the real vendors, so cookie
SameSite rules and the CSP apply as they will in production), and the operator's OAuth apps
in settings. Shared by the web and browser tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
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
from tests.web.conftest import free_port

SIZE = 30
VENDOR_HOST = "127.0.0.2"
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

    def link(self, *, allowed_origin: str | None = None) -> tuple[str, str]:
        """A new tenant and a connect link for it: (tenant id, URL)."""
        tenant = tenants.create_tenant(self.store, "Acme", actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment="production",
            lifetime=timedelta(days=1),
            actor="test",
            allowed_origin=allowed_origin,
        )
        return tenant.id, issued.url(self.base_url)

    def connections_of(self, tenant_id: str) -> list[Connection]:
        with transaction(self.store.sessions) as session:
            return connections.list_connections(session, tenant_id=tenant_id)

    def credentials_of(self, connection_id: str) -> dict[str, str]:
        with transaction(self.store.sessions) as session:
            row = connections.get_connection(session, connection_id, tenant_id=None)
            return connections.read_credentials(self.store.keyring, row)


@contextmanager
def oauth_site(
    folder: Path,
    *,
    configured: tuple[str, ...],
    organisations: Mapping[str, SyntheticCompany] | None = None,
    tls: tuple[str, str] | None = None,
) -> Iterator[OAuthSite]:
    """`configured`: the vendors whose OAuth app the operator registered; `organisations`:
    more Employment Hero organisations its admin sees, by id; `tls` (certfile, keyfile): the
    app is served over https, its public URL."""
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
            SyntheticCompany(seed=22, size=SIZE),
            credentials=APPS["employmenthero"],
            organisations=organisations,
        ),
    }
    with ExitStack() as running:
        vendors = {
            slug: running.enter_context(ServerThread(emulator, host=VENDOR_HOST)).base_url
            for slug, emulator in emulators.items()
        }
        port = free_port()
        public_url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        app = build_app(
            store,
            settings.model_copy(update={"public_url": public_url}),
            connect_sandboxes={slug: SandboxTarget(url, {}) for slug, url in vendors.items()},
        )
        server = running.enter_context(ServerThread(app, port=port, tls=tls))
        yield OAuthSite(store, server.base_url)
    store.engine.dispose()
