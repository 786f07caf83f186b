"""`rostersync demo`: the embedded default, end to end, in one process.

SQLite in a data directory, a generated master key beside it (0600), the sandbox HiBob and
Gusto served by the same server, a demo tenant connected to HiBob, a second one whose connect
link offers both (Gusto through its emulated consent page: the demo registers its OAuth app
with it, so the admin only clicks Allow), a webhook destination pointing at the built-in demo
receiver, and the in-process runner syncing and delivering. The next start reuses the
directory, its key and its tenants (demo_dir.py); none is ever deleted.
"""

from __future__ import annotations

import logging
import secrets
import socket
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import SecretStr

from rostersync import services
from rostersync.cli.context import valid_port
from rostersync.cli.demo_dir import DemoDir, DemoState, claim_port
from rostersync.connectors import BadInput
from rostersync.settings import OAuthAppSettings

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from rostersync.store import Store
    from rostersync.web import DemoAccess

SANDBOX_USER = "SERVICE-DEMO"
ADMIN_KEY_NAME = "demo dashboard"
GUSTO_CLIENT_ID = "rostersync-demo"
"""The demo's OAuth app at the sandbox Gusto; its secret is kept in demo.json."""
GUSTO_SEED = 43
"""Its synthetic company: another employer than the HiBob one (seed 42)."""
GUSTO_COMPANY_UUID = "0de70000-0000-4000-8000-00000000de70"
"""The one company the sandbox Gusto's consent grants (what GET /v1/token_info names)."""


def _seed(store: Store, base: str) -> DemoState:
    """The demo tenant, its connection to the sandbox HiBob, a webhook destination, and a second
    tenant with nothing connected yet (its HR admin connects through the link)."""
    from rostersync.model import Environment

    token = secrets.token_urlsafe(24)
    tenant = services.tenants.create_tenant(store, "Demo Company", actor="demo")
    connection = services.connections.create_connection(
        store,
        tenant_id=tenant.id,
        provider="hibob",
        credentials={"service_user_id": SANDBOX_USER, "service_user_token": token},
        base_url=f"{base}/sandbox/hibob",
        environment=Environment.PRODUCTION,
        allow_loopback=True,
        actor="demo",
    )
    webhook = services.destinations.create_destination(
        store,
        tenant.id,
        services.destinations.DestinationSpec(webhook_url=f"{base}/demo/receiver"),
        allow_loopback=True,
        actor="demo",
    )
    linked = services.tenants.create_tenant(store, "Linked Company", actor="demo")
    return DemoState(
        tenant.id,
        connection.id,
        linked.id,
        token,
        webhook.signing_secret or "",
        secrets.token_urlsafe(24),
    )


def _seeded(store: Store, demo_dir: DemoDir, base: str) -> DemoState:
    """The last start's tenants when they are still in the database, else new ones."""
    state = demo_dir.state()
    known = {t.id for t in services.tenants.list_tenants(store)}
    if state is None or not {state.tenant_id, state.linked_tenant_id} <= known:
        state = _seed(store, base)
        demo_dir.save(state)
    elif not state.gusto_client_secret:
        state = replace(state, gusto_client_secret=secrets.token_urlsafe(24))
        demo_dir.save(state)
    return state


def _admin_key(store: Store) -> str:
    """A new admin key for this start; the previous starts' ones are revoked."""
    for key in services.apikeys.list_keys(store, tenant_id=None):
        if key.name == ADMIN_KEY_NAME and key.tenant_id is None and key.revoked_at is None:
            services.apikeys.revoke_key(store, key.id, tenant_id=None, actor="demo")
    return services.apikeys.create_key(
        store, tenant_id=None, name=ADMIN_KEY_NAME, actor="demo"
    ).token


def _connect_link(store: Store, tenant_id: str, base: str) -> str | None:
    """A link for the second tenant's HR admin, while that tenant has nothing connected."""
    from rostersync.model import Environment

    if services.connections.list_connections(store, tenant_id=tenant_id):
        return None
    return services.links.issue_link(
        store,
        tenant_id=tenant_id,
        environment=Environment.PRODUCTION,
        lifetime=timedelta(days=1),
        actor="demo",
    ).url(base)


def _scim_server(store: Store, base: str, tenant_id: str) -> ASGIApp:
    """An in-memory SCIM 2.0 server we did not write, standing in for the product's user store,
    and a SCIM destination for the demo tenant pointing at it (kept from a previous start)."""
    try:
        from scim2_server.applications.asgi import ASGIApplication
        from scim2_server.memory import AsyncInMemoryStorage
        from scim2_server.utils import load_default_provider
    except ImportError:
        raise BadInput("--scim needs the scim2-server package (installed by `make demo`)") from None
    from rostersync.model import DestinationKind

    existing = services.destinations.list_destinations(store, tenant_id=tenant_id)
    if not any(d.kind == DestinationKind.SCIM for d in existing):
        services.destinations.create_destination(
            store,
            tenant_id,
            services.destinations.DestinationSpec(
                scim_url=f"{base}/demo/scim/v2", scim_token=secrets.token_urlsafe(24)
            ),
            allow_loopback=True,
            actor="demo",
        )
    # scim2-server types its ASGI callables with plain dicts; at runtime it is a standard app.
    app: ASGIApp = ASGIApplication(AsyncInMemoryStorage(), load_default_provider())  # type: ignore[assignment]
    return app


def demo(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.", callback=valid_port)] = 8000,
    data_dir: Annotated[
        Path,
        typer.Option(help="Where the demo keeps its database and key; reused by the next start."),
    ] = Path(".data/demo"),
    people: Annotated[
        int, typer.Option(help="Synthetic people in each sandbox company (HiBob, Gusto).")
    ] = 300,
    sync_every: Annotated[int, typer.Option(help="Seconds between syncs.")] = 60,
    scim: Annotated[
        bool, typer.Option(help="Also push users to a local SCIM server (scim2-server).")
    ] = False,
) -> None:
    """Run the whole system locally against sandbox HiBob and Gusto, with nothing to install."""
    # The port first: a second demo on a taken port stops before it touches any file.
    sock = claim_port(port)
    demo_dir = DemoDir(data_dir)
    try:
        _run(sock, demo_dir, port=port, people=people, sync_every=sync_every, scim=scim)
    finally:
        demo_dir.release()
        sock.close()


def _quiet_logs() -> None:
    """Start-up and the first sync log a line per request and per delivery (hundreds), which
    scrolled the banner away: the demo shows runs and deliveries on its pages instead."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for name in ("httpx", "alembic", "rostersync.delivery", "rostersync.net"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _gusto_app(secret: str, callback: str) -> tuple[OAuthAppSettings, dict[str, str]]:
    """The demo's OAuth app at the sandbox Gusto: as the operator registers it in settings, and
    as the emulator knows it. The refresh token it starts with is never handed out: the
    consent issues the connection's own."""
    emulated = {
        "client_id": GUSTO_CLIENT_ID,
        "client_secret": secret,
        "refresh_token": secrets.token_urlsafe(24),
        "company_uuid": GUSTO_COMPANY_UUID,
    }
    app = OAuthAppSettings(
        client_id=GUSTO_CLIENT_ID, client_secret=SecretStr(secret), redirect_uri=callback
    )
    return app, emulated


def _run(
    sock: socket.socket, demo_dir: DemoDir, *, port: int, people: int, sync_every: int, scim: bool
) -> None:
    # Imported when the command runs: the web stack would add about a second to every command.
    from rostersync.cli.server import build_app, serve
    from rostersync.jobs import InProcessRunner
    from rostersync.sandbox import EMULATORS, Faults, SyntheticCompany
    from rostersync.settings import load_settings
    from rostersync.web import DemoAccess, DemoReceiver, SandboxTarget
    from rostersync.web.connect_oauth import CALLBACK_PATH

    _quiet_logs()
    # The demo's own key file, database and schedule, whatever ROSTERSYNC_* a walk-through
    # exported: the dashboard's "next sync" is then the scheduler's own.
    settings = load_settings(
        data_dir=demo_dir.path,
        allow_loopback=True,
        database_url=None,
        master_key=None,
        master_key_file=None,
        sync_interval_seconds=sync_every,
    )
    store = services.stores.open_configured_store(settings, create_key=True)
    # Where this process reaches itself (the sandbox, the receiver); links use `public`.
    base = f"http://127.0.0.1:{port}"
    public = settings.link_base(port=port)
    state = _seeded(store, demo_dir, base)
    # Its OAuth app too: the one registered with the sandbox Gusto, kept in the data directory.
    # Registered with one callback, as Gusto has it: a consent sends its code nowhere else.
    gusto_callback = f"{public}{CALLBACK_PATH}"
    gusto_app, gusto_credentials = _gusto_app(state.gusto_client_secret, gusto_callback)
    settings = settings.model_copy(update={"oauth": {"gusto": gusto_app}})
    access = DemoAccess(
        base_url=base,
        admin_key=_admin_key(store),
        connect_link=_connect_link(store, state.linked_tenant_id, public),
        data_dir=str(demo_dir.path.resolve()),
        sync_every=settings.sync_interval_seconds,
    )
    # Same seed, same people: a restart reads the company its database already holds. Gusto
    # gets a company of its own: the second tenant is another employer.
    company = SyntheticCompany(size=people)
    emulators: dict[str, ASGIApp] = {
        "hibob": EMULATORS["hibob"](
            company,
            credentials={"service_user_id": SANDBOX_USER, "token": state.sandbox_token},
            faults=Faults(),
        ),
        "gusto": EMULATORS["gusto"](
            SyntheticCompany(seed=GUSTO_SEED, size=people),
            credentials=gusto_credentials,
            faults=Faults(),
            redirect_uris=(gusto_callback,),
        ),
    }
    targets = {
        "hibob": SandboxTarget(
            f"{base}/sandbox/hibob",
            {"service_user_id": SANDBOX_USER, "service_user_token": state.sandbox_token},
        ),
        # Nothing to show the admin: the consent gives the credentials.
        "gusto": SandboxTarget(f"{base}/sandbox/gusto", {}),
    }
    mounts = {"/demo/scim": _scim_server(store, base, state.tenant_id)} if scim else {}
    app = build_app(
        store,
        settings,
        mounts=mounts,
        receiver=DemoReceiver(state.webhook_secret),
        sandboxes=emulators,
        connect_sandboxes=targets,
        demo_access=access,
        link_base=public,
    )
    runner = InProcessRunner(
        store,
        sync_interval=timedelta(seconds=settings.sync_interval_seconds),
        deliver_interval=1.0,
        allow_loopback=True,
    )
    text = banner(access, state.connection_id, scim=scim)

    def started() -> None:
        sys.stdout.write(text)
        sys.stdout.flush()
        # The first sync and its deliveries, then the banner again: start-up is over and the
        # links and key are the last lines on the screen.
        runner.run_once()
        runner.start()
        sys.stdout.write("start-up finished: first sync and deliveries done\n" + text)
        sys.stdout.flush()

    try:
        serve(app, host="127.0.0.1", port=port, on_started=started, access_log=False, sock=sock)
    finally:
        runner.stop()


def banner(access: DemoAccess, connection_id: str, *, scim: bool) -> str:
    base = access.base_url
    link = (
        f"  connect link:    {access.connect_link}\n"
        "                   (connect HiBob, or Gusto by clicking Allow on its sandbox consent\n"
        "                   page, for a second tenant; single use, valid 24 h)\n"
        if access.connect_link
        else "  connect link:    used (the second tenant is connected)\n"
    )
    return (
        f"\nrostersync demo is running at {base}/\n"
        f"  overview:        {base}/\n"
        f"  demo receiver:   {base}/demo/receiver\n"
        f"  sandbox HiBob:   {base}/sandbox/hibob/_sandbox/people\n"
        f"  sandbox Gusto:   {base}/sandbox/gusto/_sandbox/people (OAuth app registered)\n"
        f"  connection:      {connection_id} (syncs every {access.sync_every}s)\n"
        + link
        + (f"  SCIM server:     {base}/demo/scim/v2/Users\n" if scim else "")
        + f"  dashboard:       {base}/dashboard\n"
        f"                   (sign in with the admin API key {access.admin_key})\n"
        f"  data directory:  {access.data_dir} (kept: the next start reuses it)\n\n"
    )
