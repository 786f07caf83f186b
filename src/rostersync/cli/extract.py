"""`rostersync providers` and `rostersync extract`: run one connector, print its records."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from rostersync.cli.context import parse_day, parse_pairs
from rostersync.cli.output import emit
from rostersync.cli.progress import progress

if TYPE_CHECKING:
    from rostersync.engine import ProviderInfo


def providers(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The HRIS providers rostersync can connect to, with their credential fields (OAuth
    vendors: whether this deployment's OAuth app for them is configured)."""
    from rostersync.engine import providers as catalog
    from rostersync.settings import load_settings

    apps = load_settings().oauth
    infos = catalog()

    def how(info: ProviderInfo) -> str:
        if info.uses_oauth:
            return "OAuth consent" if info.name in apps else "OAuth app not configured"
        return ", ".join(f.name for f in info.credential_fields)

    def listed(info: ProviderInfo) -> dict[str, object]:
        extra = {"oauth_configured": info.name in apps} if info.uses_oauth else {}
        return {**info.as_dict(), **extra}

    text = "\n".join(f"{p.name}\t{p.display_name}\t{how(p)}" for p in infos)
    emit([listed(p) for p in infos], as_json=as_json, text=text)


def _as_of(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    return parse_day(value, option="--as-of")


def extract(
    provider: str,
    credential: Annotated[list[str], typer.Option(help="NAME=VALUE, once per field.")] = [],  # noqa: B006
    base_url: Annotated[
        str | None, typer.Option(help="Replace the scheme, host and port of the vendor's API.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: the day statuses are read against.")
    ] = None,
) -> None:
    """Read everything a credential can see and print it as JSON Lines (nothing is stored)."""
    from rostersync.connectors import ReadContext, get_connector, read_records
    from rostersync.engine import validate_credentials
    from rostersync.net import parse_url
    from rostersync.settings import load_settings

    settings = load_settings()
    credentials = parse_pairs(credential, option="--credential")
    validate_credentials(provider, credentials)
    connector = get_connector(provider)
    if base_url is not None:
        parse_url(base_url, name="base URL")
    connector.check_target(credentials, base_url, allow_loopback=settings.allow_loopback)
    context = ReadContext(
        credentials=credentials,
        as_of=_as_of(as_of),
        base_url=base_url,
        allow_loopback=settings.allow_loopback,
    )
    out = sys.stdout
    with progress(f"reading {connector.display_name}", "records", as_json=False) as ticker:
        for record in read_records(connector, context):
            out.write(record.model_dump_json() + "\n")
            ticker.advance()
    out.flush()
