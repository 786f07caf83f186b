"""Operator commands: tenants, connections, destinations, keys, runs, deliveries, audit, db.

Each command parses its options, calls one service and prints what it returns. A service's
module (and the store under it) is imported when its command runs: `services` is a lazy face.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from rostersync import services
from rostersync.cli.branding import branding_app
from rostersync.cli.context import parse_day, parse_pairs, within
from rostersync.cli.output import Column, emit, emit_rows, fail_with
from rostersync.cli.progress import progress
from rostersync.connectors import BadInput

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

tenants_app = typer.Typer(help="Tenants: one per customer of your product.", no_args_is_help=True)
tenants_app.add_typer(branding_app, name="branding")
connections_app = typer.Typer(help="Connections to a customer's HRIS.", no_args_is_help=True)
destinations_app = typer.Typer(help="Where events are delivered.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
apikeys_app = typer.Typer(help="API keys (admin or per tenant).", no_args_is_help=True)
accounts_app = typer.Typer(help="Existing product accounts, for matching.", no_args_is_help=True)
runs_app = typer.Typer(help="Sync runs and their reports.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log: who did what, when.", no_args_is_help=True)
deliveries_app = typer.Typer(help="Events in the outbox: list and replay.", no_args_is_help=True)


@tenants_app.command("create")
def tenants_create(
    name: str,
    timezone: Annotated[
        str, typer.Option(help="IANA zone: 'today' for start dates is the tenant's today.")
    ] = "UTC",
    as_json: JsonFlag = False,
) -> None:
    """Create a tenant and print its id."""
    created = services.tenants.create_tenant(
        services.stores.open_configured_store(), name, actor="cli", timezone=timezone
    )
    emit({"id": created.id, "name": name}, as_json=as_json, text=created.id)


@tenants_app.command("list")
def tenants_list(as_json: JsonFlag = False) -> None:
    emit_rows(
        services.tenants.list_tenants(services.stores.open_configured_store()),
        ("id", "name", "timezone"),
        as_json=as_json,
    )


@connections_app.command("create")
def connections_create(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    provider: Annotated[str, typer.Option(help="Provider name, see `rostersync providers`.")],
    credential: Annotated[list[str], typer.Option(help="NAME=VALUE, once per credential field.")],
    base_url: Annotated[
        str | None, typer.Option(help="Replace the scheme, host and port of the vendor's API.")
    ] = None,
    environment: Annotated[str, typer.Option(help="production or staging.")] = "production",
    check: Annotated[
        bool, typer.Option(help="Read from the vendor first; refused credentials store nothing.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Create a connection; its credentials are stored encrypted and never shown again."""
    from rostersync.settings import load_settings

    settings = load_settings()
    created = services.connections.create_connection(
        services.stores.open_configured_store(settings),
        tenant_id=tenant,
        provider=provider,
        credentials=parse_pairs(credential, option="--credential"),
        base_url=base_url,
        environment=environment,
        allow_loopback=settings.allow_loopback,
        actor="cli",
        check=check,
    )
    emit(
        {"id": created.id, "tenant_id": tenant, "account_token": created.account_token},
        as_json=as_json,
        text=f"{created.id}\naccount token for the pull API (shown once): {created.account_token}",
    )


@connections_app.command("list")
def connections_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Connections and their status; credentials are never shown."""
    emit_rows(
        services.connections.list_connections(
            services.stores.open_configured_store(), tenant_id=tenant
        ),
        ("id", "tenant_id", "provider", "environment", "status", "last_sync_at"),
        as_json=as_json,
    )


@connections_app.command("show")
def connections_show(connection_id: str, as_json: JsonFlag = False) -> None:
    """One connection and its status; credentials are never shown."""
    shown = services.connections.get_connection(
        services.stores.open_configured_store(), connection_id, tenant_id=None
    )
    text = f"{shown.id}\t{shown.provider}\t{shown.environment}\t{shown.status}"
    if shown.status_reason:
        text += f"\n{shown.status_reason}"
    emit(asdict(shown), as_json=as_json, text=text)


@connections_app.command("sync-status")
def connections_sync_status(connection_id: str, as_json: JsonFlag = False) -> None:
    """How fresh the connection's data is, and when its next sync starts."""
    from rostersync.settings import load_settings

    settings = load_settings()
    status = services.connections.sync_status(
        services.stores.open_configured_store(settings),
        connection_id,
        tenant_id=None,
        sync_interval=timedelta(seconds=settings.sync_interval_seconds),
    )
    values = {
        "connection_id": status.connection.id,
        "connection_status": status.connection.status,
        "status": status.state,
        "reason": status.reason,
        "last_sync_result": status.last_result,
        "data_fresh_as_of": status.connection.last_sync_at,
        "next_sync_start": status.next_sync_start,
    }
    text = status.state + (f": {status.reason}" if status.reason else "")
    emit(values, as_json=as_json, text=text)


@connections_app.command("promote")
def connections_promote(connection_id: str) -> None:
    """A staging connection goes to production: from now on it delivers to production."""
    services.connections.promote(
        services.stores.open_configured_store(), connection_id, tenant_id=None, actor="cli"
    )
    typer.echo(f"{connection_id} promoted to production")


@connections_app.command("policy")
def connections_policy(
    connection_id: str,
    set_json: Annotated[
        str | None,
        typer.Option(
            "--set",
            help='The whole policy as JSON, e.g. \'{"lookahead_days": 7, "leave": "suspend", '
            '"scope": {"exclude_email_domains": ["contractors.example"]}}\'',
        ),
    ] = None,
) -> None:
    """Show a connection's lifecycle policy, or replace it with --set (validated, audited)."""
    store = services.stores.open_configured_store()
    if set_json is not None:
        try:
            values = json.loads(set_json)
        except json.JSONDecodeError:
            raise BadInput("--set takes a JSON object") from None
        policy = services.connections.set_policy(
            store, connection_id, values, tenant_id=None, actor="cli"
        )
    else:
        policy = services.connections.get_policy(store, connection_id, tenant_id=None)
    typer.echo(json.dumps(policy.model_dump(mode="json"), indent=2))


@connections_app.command("disconnect")
def connections_disconnect(connection_id: str) -> None:
    """Delete the credentials and purge the connection's people, groups and locations."""
    services.connections.disconnect(
        services.stores.open_configured_store(), connection_id, tenant_id=None, actor="cli"
    )
    typer.echo(f"{connection_id} disconnected; its people data is deleted")


@accounts_app.command("import")
def accounts_import(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    csv_file: Annotated[
        Path, typer.Argument(help="CSV with columns account_id, email, hris_id (optional).")
    ],
) -> None:
    """Existing product accounts, so joiners are linked to them instead of created twice."""
    items = _read_accounts(csv_file)
    count = services.accounts.import_accounts(
        services.stores.open_configured_store(), tenant, items, actor="cli"
    )
    typer.echo(f"{count} accounts imported")


def _read_accounts(path: Path) -> list[services.accounts.AccountIn]:
    # The rows hold emails: errors name the file and what is wrong, never a value.
    try:
        # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte order mark before the header.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _accounts(csv.DictReader(handle))
    except csv.Error as exc:
        raise BadInput(f"{path.name} is not a readable CSV ({exc})") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path.name} is not UTF-8 text: save the CSV as UTF-8") from None
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None


def _accounts(reader: csv.DictReader[str]) -> list[services.accounts.AccountIn]:
    if reader.fieldnames is None or "account_id" not in reader.fieldnames:
        raise BadInput("the CSV needs a header with at least account_id (and email, hris_id)")
    return [
        services.accounts.AccountIn(
            row["account_id"].strip(),
            (row.get("email") or "").strip() or None,
            (row.get("hris_id") or "").strip() or None,
        )
        for row in reader
        if (row.get("account_id") or "").strip()
    ]


@apikeys_app.command("create")
def apikeys_create(
    tenant: Annotated[str | None, typer.Option(help="Scope the key to this tenant.")] = None,
    admin: Annotated[bool, typer.Option("--admin", help="A key for every tenant.")] = False,
    name: Annotated[str, typer.Option(help="What the key is for.")] = "api",
    as_json: JsonFlag = False,
) -> None:
    """Create an API key and print it, once (only a hash is stored)."""
    if admin == (tenant is not None):
        raise BadInput("give either --tenant ID or --admin")
    key = services.apikeys.create_key(
        services.stores.open_configured_store(), tenant_id=tenant, name=name, actor="cli"
    )
    emit(
        {"id": key.id, "tenant_id": tenant, "token": key.token},
        as_json=as_json,
        text=f"{key.id}\nAPI key (shown once): {key.token}",
    )


@apikeys_app.command("list")
def apikeys_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    emit_rows(
        services.apikeys.list_keys(services.stores.open_configured_store(), tenant_id=tenant),
        ("id", "tenant_id", "name", "created_at", "revoked_at"),
        as_json=as_json,
    )


@apikeys_app.command("revoke")
def apikeys_revoke(key_id: str) -> None:
    services.apikeys.revoke_key(
        services.stores.open_configured_store(), key_id, tenant_id=None, actor="cli"
    )
    typer.echo(f"{key_id} revoked")


@runs_app.command("list")
def runs_list(
    connection: Annotated[str | None, typer.Option(help="Only this connection.")] = None,
    as_json: JsonFlag = False,
) -> None:
    emit_rows(
        services.runs.list_runs(
            services.stores.open_configured_store(), tenant_id=None, connection_id=connection
        ),
        ("id", "connection_id", "status", "dry_run", "started_at", "counts", "error_code"),
        as_json=as_json,
        columns=RUN_COLUMNS,
    )


def _count(name: str) -> Column:
    return lambda run: run["counts"].get(name, "")


# A run's counts as columns of their own: the ones an operator scans a history for.
RUN_COLUMNS: dict[str, Column] = {
    "RUN": lambda run: run["id"],
    "CONNECTION": lambda run: run["connection_id"],
    "STATUS": lambda run: f"{run['status']} (dry run)" if run["dry_run"] else run["status"],
    "STARTED (UTC)": lambda run: run["started_at"],
    "READ": _count("employees_read"),
    "PROVISION": _count("provision"),
    "UPDATE": _count("update"),
    "DEPROVISION": _count("deprovision"),
    "NEEDS A PERSON": _count("needs_a_person"),
    "ERROR": lambda run: run["error_code"],
}


@runs_app.command("approve")
def runs_approve(run_id: str, as_json: JsonFlag = False) -> None:
    """Apply a held run's plan as it was planned, and deliver its events (audited)."""
    store = services.stores.open_configured_store()
    report = services.approvals.decide(store, run_id, approve=True, tenant_id=None, actor="cli")
    emit(
        report.as_dict(), as_json=as_json, text=f"{run_id} approved: {len(report.actions)} actions"
    )


@runs_app.command("reject")
def runs_reject(run_id: str) -> None:
    """Discard a held run's plan; nothing of it is delivered (audited)."""
    services.approvals.decide(
        services.stores.open_configured_store(), run_id, approve=False, tenant_id=None, actor="cli"
    )
    typer.echo(f"{run_id} rejected")


@runs_app.command("show")
def runs_show(run_id: str, as_json: JsonFlag = False) -> None:
    """A run's report: counts per action, status, error, and each action with its cause."""
    run = services.runs.get_run(services.stores.open_configured_store(), run_id, tenant_id=None)
    actions = [asdict(a) for a in run.actions]
    error = {"code": run.error_code, "message": run.error_message} if run.error_code else None
    report = {
        "id": run.id,
        "connection_id": run.connection_id,
        "status": run.status,
        "report": run.report,
        "dry_run": run.dry_run,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "counts": run.counts,
        "error": error,
        "actions": actions,
    }
    lines = [f"{run_id} {run.status}", ", ".join(f"{k}={v}" for k, v in run.counts.items())]
    if error:
        lines.append(f"{error['code']}: {error['message']}")
    lines += [f"{a['kind']}\t{a['remote_id']}\t{a['cause']}" for a in actions]
    emit(report, as_json=as_json, text="\n".join(lines))


@destinations_app.command("create")
def destinations_create(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    webhook_url: Annotated[
        str | None, typer.Option(help="HTTPS endpoint that receives signed events.")
    ] = None,
    scim_url: Annotated[
        str | None, typer.Option(help="SCIM 2.0 base URL (the one /Users is under).")
    ] = None,
    scim_token: Annotated[
        str | None,
        typer.Option(
            help="Bearer token for the SCIM server; stored encrypted, never shown.",
            envvar="ROSTERSYNC_SCIM_TOKEN",
            show_envvar=True,
        ),
    ] = None,
    event_type: Annotated[
        list[str] | None,
        typer.Option(help="Deliver only this event type (repeatable), e.g. user.provision."),
    ] = None,
    thin: Annotated[
        bool, typer.Option(help="Webhooks carry ids only; the receiver pulls the rest.")
    ] = False,
    scim_groups: Annotated[
        bool, typer.Option(help="Keep SCIM Groups for departments and teams.")
    ] = False,
    hard_delete: Annotated[
        bool,
        typer.Option(help="SCIM: DELETE users on user.delete (after the policy's grace period)."),
    ] = False,
    environment: Annotated[str, typer.Option(help="production or staging.")] = "production",
    as_json: JsonFlag = False,
) -> None:
    """Create a webhook destination (prints its signing secret, once) or a SCIM destination."""
    spec = services.destinations.DestinationSpec(
        webhook_url=webhook_url,
        scim_url=scim_url,
        scim_token=scim_token,
        event_types=event_type or (),
        thin=thin,
        scim_groups=scim_groups,
        hard_delete=hard_delete,
        environment=environment,
    )
    from rostersync.settings import load_settings

    settings = load_settings()
    created = services.destinations.create_destination(
        services.stores.open_configured_store(settings),
        tenant,
        spec,
        allow_loopback=settings.allow_loopback,
        actor="cli",
    )
    values: dict[str, object] = {
        "id": created.id,
        "tenant_id": tenant,
        "kind": created.kind,
        "options": created.options,
    }
    text = created.id
    if created.signing_secret is not None:
        values["signing_secret"] = created.signing_secret
        text += f"\nsigning secret (shown once): {created.signing_secret}"
    emit(values, as_json=as_json, text=text)


@destinations_app.command("list")
def destinations_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Destinations and their options; secrets and tokens are never shown."""
    emit_rows(
        services.destinations.list_destinations(
            services.stores.open_configured_store(), tenant_id=tenant
        ),
        ("id", "tenant_id", "kind", "url", "environment", "enabled", "options"),
        as_json=as_json,
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
    from rostersync.settings import load_settings

    settings = load_settings()
    store = services.stores.open_configured_store(settings)
    with progress("reading", "records", as_json=as_json) as ticker:
        report = services.runs.sync_now(
            store,
            connection_id,
            tenant_id=None,
            allow_loopback=settings.allow_loopback,
            dry_run=dry_run,
            as_of=parse_day(as_of, option="--as-of") if as_of else None,
            on_record=ticker.advance,
            on_planning=lambda: ticker.stage("planning and applying"),
        )
    counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
    text = f"{report.run_id} {report.status}" + (f": {counts}" if counts else "")
    emit(report.as_dict(), as_json=as_json, text=text)
    if not report.ok:
        # The exit code of the error that failed the run: 3 for refused credentials, and so on.
        fail_with(f"{report.error_code}: {report.error_message}", report.exit_code)


def deliver(
    limit: Annotated[
        int | None, typer.Option(help="Send at most this many entries.", min=1)
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Send every outbox entry that is due (or --limit of them); say how many remain due."""
    from rostersync.settings import load_settings

    settings = load_settings()
    store = services.stores.open_configured_store(settings)
    with progress("delivering", "entries sent", as_json=as_json) as ticker:
        result = services.deliveries.deliver_now(
            store, allow_loopback=settings.allow_loopback, limit=limit, on_round=ticker.advance
        )
    values = {
        "delivered": result.delivered,
        "retrying": result.retrying,
        "failed": result.failed,
        "remaining": result.remaining,
    }
    text = f"delivered={result.delivered}, retrying={result.retrying}, failed={result.failed}"
    if result.remaining:
        text += (
            f"\n{result.remaining} pending: due now and not sent (run `rostersync deliver` again)"
        )
    emit(values, as_json=as_json, text=text)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the current schema (commands also do this on first use)."""
    services.stores.open_configured_store()
    typer.echo("database is at the current schema")


def _overlap_hours(param: typer.CallbackParam, value: int) -> int:
    return within(services.destinations.OVERLAP_HOURS)(param, value)


@destinations_app.command("rotate-secret")
def destinations_rotate_secret(
    destination_id: str,
    overlap_hours: Annotated[
        int,
        typer.Option(
            help="Hours during which events carry both signatures (at most a week).",
            callback=_overlap_hours,
        ),
    ] = 24,
    as_json: JsonFlag = False,
) -> None:
    """A new signing secret, printed once; the old one still signs during the overlap."""
    rotated = services.destinations.rotate_secret(
        services.stores.open_configured_store(),
        destination_id,
        tenant_id=None,
        overlap_hours=overlap_hours,
        actor="cli",
    )
    emit(
        {"id": destination_id, "signing_secret": rotated.signing_secret},
        as_json=as_json,
        text=f"new signing secret (shown once): {rotated.signing_secret}",
    )


@deliveries_app.command("list")
def deliveries_list(
    status: Annotated[str, typer.Option(help="pending, sending, delivered or failed.")] = "failed",
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Outbox entries by status, with their last HTTP status (never their bodies)."""
    emit_rows(
        services.deliveries.list_deliveries(
            services.stores.open_configured_store(), tenant_id=tenant, status=status
        ),
        (
            "id",
            "event_type",
            "destination_id",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
        ),
        as_json=as_json,
    )


@deliveries_app.command("replay")
def deliveries_replay(
    entry_ids: Annotated[list[str], typer.Argument(help="webhook-ids of failed entries.")],
) -> None:
    """Send failed entries again, with the same webhook-id."""
    count = services.deliveries.replay(
        services.stores.open_configured_store(), entry_ids, tenant_id=None, actor="cli"
    )
    typer.echo(f"{count} entries will be sent again")


@audit_app.command("list")
def audit_list(
    tenant: Annotated[str, typer.Option(help="Tenant id.")],
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    """Who did what to a tenant's objects, and when: ids and field names, no personal values."""
    emit_rows(
        services.audit.list_audit(
            services.stores.open_configured_store(), tenant_id=tenant, limit=limit
        ),
        ("at", "actor", "action", "target", "details"),
        as_json=as_json,
    )
