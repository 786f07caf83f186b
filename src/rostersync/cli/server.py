"""Compose the ASGI app: API, pages and, for the demo, the sandbox and the demo receiver.

Composition lives here, at the top layer, because it is the one place allowed to know every
package (DESIGN.md section 3).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from rostersync import __version__
from rostersync.api import health_router
from rostersync.store import Store
from rostersync.web import DemoReceiver, overview_router


def build_app(
    store: Store,
    *,
    receiver: DemoReceiver | None = None,
    sandboxes: dict[str, ASGIApp] | None = None,
) -> FastAPI:
    app = FastAPI(title="rostersync", version=__version__)
    app.state.store = store
    app.include_router(health_router)
    if receiver is not None:
        app.include_router(receiver.router())
        app.include_router(overview_router(store, receiver_path="/demo/receiver"))
    for slug, emulator in (sandboxes or {}).items():
        app.mount(f"/sandbox/{slug}", emulator)
    return app


def serve(
    app: FastAPI,
    *,
    host: str,
    port: int,
    on_started: Callable[[], None] | None = None,
    log_level: str = "info",
) -> None:
    """Serve until interrupted; `on_started` runs once the socket accepts connections."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level))
    if on_started is not None:
        callback = on_started

        def wait_then_call() -> None:
            while not server.started and not server.should_exit:
                time.sleep(0.05)
            if server.started:
                callback()

        threading.Thread(target=wait_then_call, name="on-started", daemon=True).start()
    logging.getLogger("rostersync").setLevel(logging.INFO)
    server.run()
