"""The `rostersync` command."""

from __future__ import annotations

import typer

from rostersync.cli import admin, extract
from rostersync.cli.demo import demo
from rostersync.cli.keys import keys_app
from rostersync.cli.links import links_app
from rostersync.cli.output import fail
from rostersync.cli.sandbox import sandbox_app
from rostersync.cli.serve import serve
from rostersync.errors import RostersyncError

app = typer.Typer(
    help="rostersync: joiners, movers and leavers from your customers' HRIS into your product.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(demo)
app.command()(serve)
app.command()(extract.providers)
app.command()(extract.extract)
app.command()(admin.sync)
app.command()(admin.deliver)
app.add_typer(admin.tenants_app, name="tenants")
app.add_typer(admin.connections_app, name="connections")
app.add_typer(admin.destinations_app, name="destinations")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.apikeys_app, name="apikeys")
app.add_typer(admin.accounts_app, name="accounts")
app.add_typer(admin.runs_app, name="runs")
app.add_typer(admin.deliveries_app, name="deliveries")
app.add_typer(admin.audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(links_app, name="links")
app.add_typer(sandbox_app, name="sandbox")


def main() -> None:
    try:
        app()
    except RostersyncError as error:
        fail(error)
