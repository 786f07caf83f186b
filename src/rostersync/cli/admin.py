"""Operator commands: tenants, connections, destinations, sync, deliver, db."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from rostersync.cli.context import open_configured_store, parse_pairs
from rostersync.cli.output import emit
from rostersync.delivery import deliver_due
from rostersync.delivery.validation import check_webhook_url
from rostersync.engine import setup
from rostersync.engine.sync import SyncOptions, run_sync
from rostersync.settings import load_settings
from rostersync.store.repos import destinations, tenants
from rostersync.store.session import transaction

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

tenants_app = typer.Typer(help="Tenants: one per customer of your product.", no_args_is_help=True)
connections_app = typer.Typer(help="Connections to a customer's HRIS.", no_args_is_help=True)
destinations_app = typer.Typer(help="Where events are delivered.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)


@tenants_app.command("create")
def tenants_create(name: str, as_json: JsonFlag = False) -> None:
    """Create a tenant and print its id."""
    created = setup.create_tenant(open_configured_store(), name, actor="cli")
    emit({"id": created.id, "name": name}, as_json=as_json, text=created.id)


@tenants_app.command("list")
def tenants_list(as_json: JsonFlag = False) -> None:
    store = open_configured_store()
    with transaction(store.sessions) as session:
        rows = [{"id": t.id, "name": t.name} for t in tenants.list_tenants(session)]
    emit(rows, as_json=as_json, text="\n".join(f"{r['id']}\t{r['name']}" for r in rows))


@connections_app.command("create")
def connections_create(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    provider: Annotated[str, typer.Option(help="Provider name, see `rostersync providers`.")],
    credential: Annotated[list[str], typer.Option(help="NAME=VALUE, once per credential field.")],
    base_url: Annotated[
        str | None, typer.Option(help="Replace the scheme, host and port of the vendor's API.")
    ] = None,
    environment: Annotated[str, typer.Option(help="production or staging.")] = "production",
    as_json: JsonFlag = False,
) -> None:
    """Create a connection; its credentials are stored encrypted and never shown again."""
    settings = load_settings()
    created = setup.create_connection(
        open_configured_store(settings),
        tenant_id=tenant,
        provider=provider,
        credentials=parse_pairs(credential, option="--credential"),
        base_url=base_url,
        environment=environment,
        allow_loopback=settings.allow_loopback,
        actor="cli",
    )
    emit({"id": created.id, "tenant_id": tenant}, as_json=as_json, text=created.id)


@destinations_app.command("create")
def destinations_create(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    webhook_url: Annotated[str, typer.Option(help="HTTPS endpoint that receives the events.")],
    environment: Annotated[str, typer.Option(help="production or staging.")] = "production",
    as_json: JsonFlag = False,
) -> None:
    """Create a webhook destination and print its signing secret, once."""
    settings = load_settings()
    check_webhook_url(webhook_url, allow_loopback=settings.allow_loopback)
    store = open_configured_store(settings)
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant)
        destination, secret = destinations.create_webhook(
            session, store.keyring, tenant_id=tenant, url=webhook_url, environment=environment
        )
        destination_id = destination.id
    emit(
        {"id": destination_id, "tenant_id": tenant, "signing_secret": secret},
        as_json=as_json,
        text=f"{destination_id}\nsigning secret (shown once): {secret}",
    )


def sync(
    connection_id: str,
    dry_run: Annotated[bool, typer.Option(help="Show the actions; deliver nothing.")] = False,
    as_of: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: the day statuses are read against.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run one sync of a connection now and print its report."""
    settings = load_settings()
    report = run_sync(
        open_configured_store(settings),
        connection_id,
        options=SyncOptions(
            as_of=date.fromisoformat(as_of) if as_of else None,
            dry_run=dry_run,
            allow_loopback=settings.allow_loopback,
        ),
    )
    counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
    text = f"{report.run_id} {report.status}" + (f": {counts}" if counts else "")
    if report.error_message:
        text += f"\n{report.error_code}: {report.error_message}"
    emit(report.as_dict(), as_json=as_json, text=text)
    if not report.ok:
        raise typer.Exit(1)


def deliver(as_json: JsonFlag = False) -> None:
    """Send every outbox entry that is due, once."""
    settings = load_settings()
    result = deliver_due(open_configured_store(settings), allow_loopback=settings.allow_loopback)
    values = {"delivered": result.delivered, "retrying": result.retrying, "failed": result.failed}
    emit(values, as_json=as_json, text=", ".join(f"{k}={v}" for k, v in values.items()))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the current schema (commands also do this on first use)."""
    open_configured_store()
    typer.echo("database is at the current schema")
