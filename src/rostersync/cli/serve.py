"""`rostersync serve`: the API and pages, with the in-process runner (embedded mode)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from rostersync.cli.context import valid_port
from rostersync.connectors import BadInput


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", callback=valid_port)] = 8000,
    certfile: Annotated[Path | None, typer.Option(help="TLS certificate (PEM).")] = None,
    keyfile: Annotated[Path | None, typer.Option(help="TLS private key (PEM).")] = None,
    proxy_headers: Annotated[
        bool, typer.Option(help="Trust X-Forwarded-* from --forwarded-allow-ips.")
    ] = False,
    forwarded_allow_ips: Annotated[
        str, typer.Option(help="Proxies whose X-Forwarded-* headers are trusted.")
    ] = "127.0.0.1",
    workers: Annotated[
        bool, typer.Option(help="Run the in-process scheduler and outbox worker.")
    ] = True,
) -> None:
    """Serve the API (with OpenAPI docs at /docs) and, unless --no-workers, sync and deliver."""
    # Imported when the command runs: the web stack would add about a second to every command.
    from rostersync.cli.server import build_app
    from rostersync.cli.server import serve as run_server
    from rostersync.jobs import InProcessRunner
    from rostersync.services.stores import open_configured_store
    from rostersync.settings import load_settings

    if (certfile is None) != (keyfile is None):
        raise BadInput("--certfile and --keyfile go together")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = load_settings()
    store = open_configured_store(settings)
    runner = InProcessRunner(
        store,
        sync_interval=timedelta(seconds=settings.sync_interval_seconds),
        deliver_interval=settings.deliver_interval_seconds,
        allow_loopback=settings.allow_loopback,
    )
    try:
        run_server(
            build_app(
                store,
                settings,
                link_base=settings.link_base(host=host, port=port, tls=certfile is not None),
            ),
            host=host,
            port=port,
            on_started=runner.start if workers else None,
            certfile=str(certfile) if certfile else None,
            keyfile=str(keyfile) if keyfile else None,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=forwarded_allow_ips,
        )
    finally:
        if workers:
            runner.stop()
