"""`rostersync tenants branding`: a tenant's own brand on its connect pages (show, set, clear).

`set` replaces the tenant's brand whole, like the API's PUT: an option left out is the
deployment's (ROSTERSYNC_BRANDING__*).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from rostersync import services
from rostersync.cli.output import emit
from rostersync.connectors import BadInput

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

branding_app = typer.Typer(
    help="A tenant's own brand on its connect pages; unset fields are the deployment's.",
    no_args_is_help=True,
)


def _read_logo(path: Path) -> bytes:
    # One byte past the limit is enough for the service to refuse a larger file.
    limit = services.branding.LOGO_MAX_BYTES + 1
    try:
        with path.open("rb") as image:
            return image.read(limit)
    except OSError:
        raise BadInput(f"cannot read logo file {path}") from None


def _show(brand: services.branding.TenantBrand, *, as_json: bool) -> None:
    values = asdict(brand)
    text = "\n".join(
        f"{name}: {'(deployment)' if value is None else value}"
        for name, value in values.items()
        if name != "tenant_id"
    )
    emit(values, as_json=as_json, text=text)


@branding_app.command("show")
def branding_show(
    tenant: Annotated[str, typer.Option(help="Tenant id.")], as_json: JsonFlag = False
) -> None:
    """What the tenant set; '(deployment)' where its pages show the deployment's."""
    _show(
        services.branding.get_branding(services.stores.open_configured_store(), tenant),
        as_json=as_json,
    )


@branding_app.command("set")
def branding_set(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    name: Annotated[str | None, typer.Option(help="The product name the pages show.")] = None,
    primary_colour: Annotated[
        str | None, typer.Option(help="#rrggbb for buttons and links, 4.5:1 against white.")
    ] = None,
    accent_colour: Annotated[
        str | None, typer.Option(help="#rrggbb for the band under the header.")
    ] = None,
    support: Annotated[
        str | None, typer.Option(help="An e-mail address or https:// URL for help.")
    ] = None,
    logo_file: Annotated[
        Path | None, typer.Option(help="A PNG, JPEG, WebP or SVG image of at most 128 KiB.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replace the tenant's brand: an option left out is the deployment's."""
    saved = services.branding.set_branding(
        services.stores.open_configured_store(),
        tenant,
        product_name=name,
        primary_colour=primary_colour,
        accent_colour=accent_colour,
        support_contact=support,
        logo=_read_logo(logo_file) if logo_file is not None else None,
        actor="cli",
    )
    _show(saved, as_json=as_json)


@branding_app.command("clear")
def branding_clear(tenant: Annotated[str, typer.Option(help="Tenant id.")]) -> None:
    """The tenant's pages show the deployment's brand again."""
    services.branding.clear_branding(services.stores.open_configured_store(), tenant, actor="cli")
