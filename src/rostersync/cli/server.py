"""Compose the ASGI app: API, pages and, for the demo, the sandbox and the demo receiver.

Composition lives here, at the top layer, because it is the one place allowed to know every
package (DESIGN.md section 3).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from rostersync import __version__
from rostersync.api import (
    admin_router,
    deliveries_router,
    feed_router,
    health_router,
    hris_router,
    install_error_handlers,
    keys_router,
    links_router,
)
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.web import (
    DemoAccess,
    DemoReceiver,
    SandboxTarget,
    connect_router,
    docs_router,
    overview_router,
    static_router,
)
from rostersync.web.access_log import REDACTED_ACCESS_LOG
from rostersync.web.dashboard import dashboard_router
from rostersync.web.security import SecurityHeaders


def build_app(
    store: Store,
    settings: Settings,
    *,
    receiver: DemoReceiver | None = None,
    sandboxes: dict[str, ASGIApp] | None = None,
    connect_sandboxes: dict[str, SandboxTarget] | None = None,
    mounts: dict[str, ASGIApp] | None = None,
    demo_access: DemoAccess | None = None,
    link_base: str | None = None,
) -> FastAPI:
    """`connect_sandboxes` (demo only): connect links point those vendors at their emulators;
    `demo_access` (demo only): the banner's links and key, repeated on the overview page.
    `link_base` (default: Settings.link_base()) starts every URL the app hands out."""
    app = FastAPI(
        title="rostersync",
        version=__version__,
        description="Self-hosted HRIS integration: joiners, movers and leavers. "
        "Authenticate with an API key: `Authorization: Bearer rsk_…`.",
        # FastAPI's pages load a CDN's scripts, which the CSP refuses: web.docs serves ours.
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.settings = settings
    app.state.link_base = link_base or settings.link_base()
    install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    app.include_router(health_router)
    app.include_router(admin_router)
    app.include_router(links_router)
    app.include_router(keys_router)
    app.include_router(deliveries_router)
    app.include_router(
        connect_router(store, settings, public_url=app.state.link_base, sandboxes=connect_sandboxes)
    )
    app.include_router(feed_router)
    app.include_router(hris_router)
    app.include_router(dashboard_router(store, settings))
    app.include_router(static_router)
    app.include_router(docs_router(title=app.title, openapi_url=app.openapi_url or ""))
    if receiver is not None:
        app.include_router(receiver.router())
        app.include_router(
            overview_router(store, receiver_path="/demo/receiver", access=demo_access)
        )
    for slug, emulator in (sandboxes or {}).items():
        app.mount(f"/sandbox/{slug}", emulator)
    for path, mounted in (mounts or {}).items():
        app.mount(path, mounted)
    return app


def serve(
    app: FastAPI,
    *,
    host: str,
    port: int,
    on_started: Callable[[], None] | None = None,
    log_level: str = "info",
    access_log: bool = True,
    sock: socket.socket | None = None,
    certfile: str | None = None,
    keyfile: str | None = None,
    proxy_headers: bool = False,
    forwarded_allow_ips: str | None = None,
) -> None:
    """Serve until interrupted; `on_started` runs once the socket accepts connections.

    With `certfile`/`keyfile` uvicorn terminates TLS itself; behind a proxy, `proxy_headers`
    trusts X-Forwarded-Proto/For from `forwarded_allow_ips` only. `sock`, already bound to
    `host`:`port`, is served instead of binding anew (the demo holds its port from the start).
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        server_header=False,
    )
    # uvicorn logs each request's whole target, and a connect link carries its token in the path.
    logging.getLogger("uvicorn.access").addFilter(REDACTED_ACCESS_LOG)
    server = uvicorn.Server(config)
    if on_started is not None:
        callback = on_started

        def wait_then_call() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                callback()

        threading.Thread(target=wait_then_call, name="on-started", daemon=True).start()
    logging.getLogger("rostersync").setLevel(logging.INFO)
    server.run(sockets=[sock] if sock is not None else None)
