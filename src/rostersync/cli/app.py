"""The `rostersync` command."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from rostersync import __version__
from rostersync.cli import admin, extract
from rostersync.cli.demo import demo
from rostersync.cli.keys import keys_app
from rostersync.cli.links import links_app
from rostersync.cli.output import fail, fail_with
from rostersync.cli.sandbox import sandbox_app
from rostersync.cli.serve import serve
from rostersync.errors import ExitCode, RostersyncError
from rostersync.settings import SettingsInvalid

app = typer.Typer(
    help="rostersync: joiners, movers and leavers from your customers' HRIS into your product.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(shown: bool) -> None:
    if shown:
        typer.echo(f"rostersync {__version__}")
        raise typer.Exit


@app.callback()
def options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """rostersync: joiners, movers and leavers from your customers' HRIS into your product."""


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
    # Our modules log for servers (serve and demo set logging up). A one-shot command speaks
    # through its output and one error line, not through Python's last-resort log handler.
    logging.getLogger("rostersync").addHandler(logging.NullHandler())
    try:
        app()
    except RostersyncError as error:
        fail(error)
    except SettingsInvalid as error:
        fail_with(str(error), ExitCode.BAD_INPUT)
