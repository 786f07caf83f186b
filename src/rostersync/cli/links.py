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
    redirect_url: Annotated[
        str | None,
        typer.Option(help="Where the finish page sends the admin back, with ?code=&state=."),
    ] = None,
    allowed_origin: Annotated[
        str | None,
        typer.Option(help="Your app's origin (https://app.example.com): may embed the flow."),
    ] = None,
    state: Annotated[
        str | None, typer.Option(help="Opaque value given back beside the code.")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Where this server is reached, as the admin will open it "
            "[default: ROSTERSYNC_PUBLIC_URL, else http://127.0.0.1:8000]."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Create a single-use connect link and print its URL (shown once: only a hash is kept)."""
    from rostersync.settings import load_settings

    settings = load_settings()
    issued = services.links.issue_link(
        services.stores.open_configured_store(settings),
        tenant_id=tenant,
        environment=environment,
        lifetime=services.links.parse_lifetime(expires),
        actor="cli",
        reconnect=reconnect,
        redirect_url=redirect_url,
        allowed_origin=allowed_origin,
        state=state,
    )
    url = issued.url(base_url or settings.link_base())
    emit(
        {
            "id": issued.id,
            "tenant_id": tenant,
            "environment": issued.environment,
            "expires_at": issued.expires_at.isoformat(),
            "reconnect": issued.reconnect,
            "redirect_url": issued.handoff.redirect_url,
            "allowed_origin": issued.handoff.allowed_origin,
            "url": url,
        },
        as_json=as_json,
        text=url,
    )
