"""`rostersync links create`: a connect link for a customer's HR admin."""

from __future__ import annotations

from typing import Annotated

import typer

from rostersync import services
from rostersync.cli.output import emit

links_app = typer.Typer(help="Connect links for customers' HR admins.", no_args_is_help=True)


@links_app.command("create")
def links_create(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    environment: Annotated[str, typer.Option(help="production or staging.")] = "production",
    expires: Annotated[str, typer.Option(help="Lifetime: 30m, 12h, 7d (at most 30d).")] = "7d",
    reconnect: Annotated[
        str | None,
        typer.Option(help="A connection id: the link renews its credentials, people kept."),
    ] = None,
    base_url: Annotated[
        str, typer.Option(help="Where this server is reached, as the admin will open it.")
    ] = "http://127.0.0.1:8000",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Create a single-use connect link and print its URL (shown once: only a hash is kept)."""
    issued = services.links.issue_link(
        services.stores.open_configured_store(),
        tenant_id=tenant,
        environment=environment,
        lifetime=services.links.parse_lifetime(expires),
        actor="cli",
        reconnect=reconnect,
    )
    url = issued.url(base_url)
    emit(
        {
            "id": issued.id,
            "tenant_id": tenant,
            "environment": issued.environment,
            "expires_at": issued.expires_at.isoformat(),
            "reconnect": issued.reconnect,
            "url": url,
        },
        as_json=as_json,
        text=url,
    )
