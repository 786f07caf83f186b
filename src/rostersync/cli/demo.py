"""`rostersync demo`: the embedded default, end to end, in one process.

SQLite in a data directory, a generated master key beside it (0600), the sandbox HiBob served
by the same server, a demo tenant connected to it, a webhook destination pointing at the
built-in demo receiver, and the in-process runner syncing and delivering.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rostersync import services
from rostersync.cli.context import valid_port
from rostersync.connectors import BadInput

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from rostersync.services.links import IssuedLink
    from rostersync.store import Store

SANDBOX_USER = "SERVICE-DEMO"


def _seed(store: Store, base: str, token: str) -> tuple[str, str, str]:
    """The demo tenant, its connection to the sandbox HiBob and a webhook destination."""
    from rostersync.model import Environment

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
    return tenant.id, connection.id, webhook.signing_secret or ""


def _connect_link(store: Store) -> IssuedLink:
    """A second tenant with nothing connected yet: its HR admin connects through the link."""
    from rostersync.model import Environment

    tenant = services.tenants.create_tenant(store, "Linked Company", actor="demo")
    return services.links.issue_link(
        store,
        tenant_id=tenant.id,
        environment=Environment.PRODUCTION,
        lifetime=timedelta(days=1),
        actor="demo",
    )


def _scim_server(store: Store, base: str, tenant_id: str) -> ASGIApp:
    """An in-memory SCIM 2.0 server we did not write, standing in for the product's user store,
    and a SCIM destination for the demo tenant pointing at it."""
    try:
        from scim2_server.applications.asgi import ASGIApplication
        from scim2_server.memory import AsyncInMemoryStorage
        from scim2_server.utils import load_default_provider
    except ImportError:
        raise BadInput("--scim needs the scim2-server package (installed by `make demo`)") from None
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
        Path, typer.Option(help="Where the demo keeps its database and key.")
    ] = Path(".data/demo"),
    people: Annotated[int, typer.Option(help="Synthetic people in the sandbox HiBob.")] = 300,
    sync_every: Annotated[int, typer.Option(help="Seconds between syncs.")] = 60,
    scim: Annotated[
        bool, typer.Option(help="Also push users to a local SCIM server (scim2-server).")
    ] = False,
) -> None:
    """Run the whole system locally against a sandbox HiBob, with nothing else to install."""
    # Imported when the command runs: the web stack would add about a second to every command.
    from rostersync.cli.server import build_app, serve
    from rostersync.jobs import InProcessRunner
    from rostersync.sandbox import EMULATORS, Faults, SyntheticCompany
    from rostersync.settings import Settings
    from rostersync.web import DemoReceiver, SandboxTarget

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # httpx logs every request URL at INFO; ours (rostersync.net) already log them redacted.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # A demo starts from a clean slate: the sandbox company is regenerated on each start.
    shutil.rmtree(data_dir, ignore_errors=True)
    settings = Settings(data_dir=data_dir, allow_loopback=True, database_url=None)
    store = services.stores.open_configured_store(settings, create_key=True)
    # Where this process reaches itself (the sandbox, the receiver); links use `public`.
    base = f"http://127.0.0.1:{port}"
    public = settings.link_base(port=port)
    token = secrets.token_urlsafe(24)
    tenant_id, connection_id, secret = _seed(store, base, token)
    link = _connect_link(store)
    # The demo's operator signs in to the dashboard with this admin key (both tenants).
    admin_key = services.apikeys.create_key(
        store, tenant_id=None, name="demo dashboard", actor="demo"
    ).token

    company = SyntheticCompany(size=people)
    emulator = EMULATORS["hibob"](
        company, credentials={"service_user_id": SANDBOX_USER, "token": token}, faults=Faults()
    )
    sandbox_hibob = SandboxTarget(
        f"{base}/sandbox/hibob", {"service_user_id": SANDBOX_USER, "service_user_token": token}
    )
    mounts = {"/demo/scim": _scim_server(store, base, tenant_id)} if scim else {}
    app = build_app(
        store,
        settings,
        mounts=mounts,
        receiver=DemoReceiver(secret),
        sandboxes={"hibob": emulator},
        connect_sandboxes={"hibob": sandbox_hibob},
        link_base=public,
    )
    runner = InProcessRunner(
        store,
        sync_interval=timedelta(seconds=sync_every),
        deliver_interval=1.0,
        allow_loopback=True,
    )

    def started() -> None:
        runner.start()
        sys.stdout.write(
            f"\nrostersync demo is running at {base}/\n"
            f"  overview:        {base}/\n"
            f"  demo receiver:   {base}/demo/receiver\n"
            f"  sandbox HiBob:   {base}/sandbox/hibob/_sandbox/people\n"
            f"  connection:      {connection_id} (syncs every {sync_every}s)\n"
            f"  connect link:    {link.url(public)}\n"
            f"                   (connect HiBob for a second tenant; single use, valid 24 h)\n"
            + (f"  SCIM server:     {base}/demo/scim/v2/Users\n" if scim else "")
            + f"  dashboard:       {base}/dashboard\n"
            f"                   (sign in with the admin API key {admin_key})\n"
            f"  data directory:  {data_dir.resolve()}\n\n"
        )
        sys.stdout.flush()

    try:
        serve(app, host="127.0.0.1", port=port, on_started=started)
    finally:
        runner.stop()
