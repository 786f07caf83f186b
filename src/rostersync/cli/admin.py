"""Operator commands: tenants, connections, destinations, sync, deliver, db."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from rostersync.cli.context import open_configured_store, parse_day, parse_pairs, within
from rostersync.cli.output import emit, emit_rows
from rostersync.connectors import BadInput
from rostersync.delivery import deliver_due
from rostersync.delivery.validation import check_webhook_url
from rostersync.engine import setup
from rostersync.engine.approval import decide
from rostersync.engine.policy import Policy
from rostersync.engine.sync import SyncOptions, run_sync
from rostersync.model import EVENT_TYPES
from rostersync.net import parse_url
from rostersync.settings import load_settings
from rostersync.store import NotFound
from rostersync.store.repos import apikeys, audit, connections, destinations, outbox, runs, tenants
from rostersync.store.repos.accounts import AccountIn
from rostersync.store.session import transaction
from rostersync.store.tables import Destination

JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]

tenants_app = typer.Typer(help="Tenants: one per customer of your product.", no_args_is_help=True)
connections_app = typer.Typer(help="Connections to a customer's HRIS.", no_args_is_help=True)
destinations_app = typer.Typer(help="Where events are delivered.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
apikeys_app = typer.Typer(help="API keys (admin or per tenant).", no_args_is_help=True)
accounts_app = typer.Typer(help="Existing product accounts, for matching.", no_args_is_help=True)
runs_app = typer.Typer(help="Sync runs and their reports.", no_args_is_help=True)
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
    created = setup.create_tenant(open_configured_store(), name, actor="cli", timezone=timezone)
    emit({"id": created.id, "name": name}, as_json=as_json, text=created.id)


@tenants_app.command("list")
def tenants_list(as_json: JsonFlag = False) -> None:
    store = open_configured_store()
    with transaction(store.sessions) as session:
        emit_rows(tenants.list_tenants(session), ("id", "name", "timezone"), as_json=as_json)


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
    if base_url is not None:
        parse_url(base_url, name="base URL")
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
    store = open_configured_store()
    with transaction(store.sessions) as session:
        emit_rows(
            connections.list_connections(session, tenant_id=tenant),
            ("id", "tenant_id", "provider", "environment", "status", "last_sync_at"),
            as_json=as_json,
        )


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
    store = open_configured_store()
    if set_json is not None:
        try:
            values = json.loads(set_json)
        except json.JSONDecodeError:
            raise BadInput("--set takes a JSON object") from None
        setup.set_policy(store, connection_id, values, tenant_id=None, actor="cli")
    with transaction(store.sessions) as session:
        current = connections.get_connection(session, connection_id, tenant_id=None).policy
    typer.echo(json.dumps(Policy.model_validate(current or {}).model_dump(mode="json"), indent=2))


@connections_app.command("disconnect")
def connections_disconnect(connection_id: str) -> None:
    """Delete the credentials and purge the connection's people, groups and locations."""
    setup.disconnect(open_configured_store(), connection_id, tenant_id=None, actor="cli")
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
    count = setup.import_accounts(open_configured_store(), tenant, items, actor="cli")
    typer.echo(f"{count} accounts imported")


def _read_accounts(path: Path) -> list[AccountIn]:
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


def _accounts(reader: csv.DictReader[str]) -> list[AccountIn]:
    if reader.fieldnames is None or "account_id" not in reader.fieldnames:
        raise BadInput("the CSV needs a header with at least account_id (and email, hris_id)")
    return [
        AccountIn(
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
    store = open_configured_store()
    with transaction(store.sessions) as session:
        if tenant is not None:
            tenants.get_tenant(session, tenant)
        key, token = apikeys.create_key(session, tenant_id=tenant, name=name)
        audit.record(session, tenant_id=tenant, actor="cli", action="apikey.created", target=key.id)
        key_id = key.id
    emit(
        {"id": key_id, "tenant_id": tenant, "token": token},
        as_json=as_json,
        text=f"{key_id}\nAPI key (shown once): {token}",
    )


@apikeys_app.command("list")
def apikeys_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    store = open_configured_store()
    with transaction(store.sessions) as session:
        emit_rows(
            apikeys.list_keys(session, tenant_id=tenant),
            ("id", "tenant_id", "name", "created_at", "revoked_at"),
            as_json=as_json,
        )


@apikeys_app.command("revoke")
def apikeys_revoke(key_id: str) -> None:
    store = open_configured_store()
    with transaction(store.sessions) as session:
        apikeys.revoke_key(session, key_id, at=datetime.now(UTC))
        audit.record(session, tenant_id=None, actor="cli", action="apikey.revoked", target=key_id)
    typer.echo(f"{key_id} revoked")


@runs_app.command("list")
def runs_list(
    connection: Annotated[str | None, typer.Option(help="Only this connection.")] = None,
    as_json: JsonFlag = False,
) -> None:
    store = open_configured_store()
    with transaction(store.sessions) as session:
        emit_rows(
            runs.list_runs(session, tenant_id=None, connection_id=connection),
            ("id", "connection_id", "status", "started_at", "counts"),
            as_json=as_json,
        )


@runs_app.command("approve")
def runs_approve(run_id: str, as_json: JsonFlag = False) -> None:
    """Apply a held run's plan as it was planned, and deliver its events (audited)."""
    report = decide(open_configured_store(), run_id, approve=True, tenant_id=None, actor="cli")
    emit(
        report.as_dict(), as_json=as_json, text=f"{run_id} approved: {len(report.actions)} actions"
    )


@runs_app.command("reject")
def runs_reject(run_id: str) -> None:
    """Discard a held run's plan; nothing of it is delivered (audited)."""
    decide(open_configured_store(), run_id, approve=False, tenant_id=None, actor="cli")
    typer.echo(f"{run_id} rejected")


@runs_app.command("show")
def runs_show(run_id: str, as_json: JsonFlag = False) -> None:
    """A run's report: counts per action, status, error, and each action with its cause."""
    store = open_configured_store()
    with transaction(store.sessions) as session:
        run = runs.get_run(session, run_id, tenant_id=None)
        actions = [
            {
                "id": a.id,
                "kind": a.kind,
                "remote_id": a.remote_id,
                "rule": a.rule,
                "changed_fields": a.changed_fields,
                "from_status": a.from_status,
                "to_status": a.to_status,
                "account_id": a.account_id,
                "cause": a.cause,
            }
            for a in runs.run_actions(session, run)
        ]
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
    if (webhook_url is None) == (scim_url is None):
        raise BadInput("give exactly one of --webhook-url and --scim-url")
    if scim_url is not None and not scim_token:
        raise BadInput("--scim-url needs --scim-token (or ROSTERSYNC_SCIM_TOKEN)")
    if webhook_url is not None and (scim_groups or hard_delete):
        raise BadInput("--scim-groups and --hard-delete apply to SCIM destinations only")
    if scim_url is not None and thin:
        raise BadInput("--thin applies to webhook destinations only")
    unknown = sorted(set(event_type or ()) - set(EVENT_TYPES))
    if unknown:
        raise BadInput(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
    url = webhook_url or scim_url or ""
    options: dict[str, object] = {
        key: value
        for key, value in {
            "event_types": sorted(set(event_type or ())),
            "thin": thin,
            "groups": scim_groups,
            "hard_delete": hard_delete,
        }.items()
        if value
    }
    settings = load_settings()
    check_webhook_url(url, allow_loopback=settings.allow_loopback)
    store = open_configured_store(settings)
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant)
        if scim_token is not None and scim_url is not None:
            destination = destinations.create_scim(
                session,
                store.keyring,
                tenant_id=tenant,
                url=scim_url,
                token=scim_token,
                environment=environment,
                options=options,
            )
            secret = None
        else:
            destination, secret = destinations.create_webhook(
                session,
                store.keyring,
                tenant_id=tenant,
                url=url,
                environment=environment,
                options=options,
            )
        destination_id, kind = destination.id, destination.kind
    values: dict[str, object] = {"id": destination_id, "tenant_id": tenant, "kind": kind}
    values["options"] = options
    text = destination_id
    if secret is not None:
        values["signing_secret"] = secret
        text += f"\nsigning secret (shown once): {secret}"
    emit(values, as_json=as_json, text=text)


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
            as_of=parse_day(as_of, option="--as-of") if as_of else None,
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


@destinations_app.command("rotate-secret")
def destinations_rotate_secret(
    destination_id: str,
    overlap_hours: Annotated[
        int,
        typer.Option(
            help="Hours during which events carry both signatures (at most a week).",
            callback=within(destinations.OVERLAP_HOURS),
        ),
    ] = 24,
    as_json: JsonFlag = False,
) -> None:
    """A new signing secret, printed once; the old one still signs during the overlap."""
    store = open_configured_store()
    now = datetime.now(UTC)
    with transaction(store.sessions) as session:
        destination = session.get(Destination, destination_id)
        if destination is None:
            raise NotFound("destination", destination_id)
        secret = destinations.rotate_secret(
            store.keyring, destination, overlap=timedelta(hours=overlap_hours), now=now
        )
        audit.record(
            session,
            tenant_id=destination.tenant_id,
            actor="cli",
            action="destination.secret_rotated",
            target=destination_id,
            details={"overlap_hours": overlap_hours},
        )
    emit(
        {"id": destination_id, "signing_secret": secret},
        as_json=as_json,
        text=f"new signing secret (shown once): {secret}",
    )


@deliveries_app.command("list")
def deliveries_list(
    status: Annotated[str, typer.Option(help="pending, delivered or failed.")] = "failed",
    tenant: Annotated[str | None, typer.Option(help="Only this tenant.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Outbox entries by status, with their last HTTP status (never their bodies)."""
    store = open_configured_store()
    with transaction(store.sessions) as session:
        emit_rows(
            outbox.list_entries(session, tenant_id=tenant, status=status),
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
    store = open_configured_store()
    with transaction(store.sessions) as session:
        count = outbox.replay(session, tenant_id=None, entry_ids=entry_ids, now=datetime.now(UTC))
        audit.record(
            session,
            tenant_id=None,
            actor="cli",
            action="deliveries.replayed",
            details={"count": count},
        )
    typer.echo(f"{count} entries will be sent again")
