"""Connections to a customer's HRIS: create, read, policy, promote, reconnect, disconnect.

Credentials go in and never come out: no value here carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from rostersync.connectors import BadInput, get_connector
from rostersync.engine import (
    Policy,
    check_credentials,
    check_environment,
    events,
    validate_credentials,
    validate_policy,
)
from rostersync.model import ConnectionEvent, ConnectionStatus, Environment, RunStatus
from rostersync.net import parse_url
from rostersync.services.runs import RunInfo, run_info
from rostersync.services.schedule import NextSyncState, next_sync
from rostersync.store import Store
from rostersync.store.repos import (
    audit,
    connections,
    handoff,
    links,
    outbox,
    people,
    runs,
    staging,
    tenants,
)
from rostersync.store.session import transaction
from rostersync.store.tables import Connection


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    tenant_id: str
    provider: str
    environment: Environment
    status: ConnectionStatus
    status_reason: str | None
    base_url: str | None
    created_at: datetime
    last_sync_at: datetime | None


@dataclass(frozen=True)
class CreatedConnection(ConnectionInfo):
    account_token: str
    """For the pull API's X-Account-Token: shown this once, only its hash is kept."""


def connection_info(row: Connection) -> ConnectionInfo:
    return ConnectionInfo(
        row.id,
        row.tenant_id,
        row.provider,
        Environment(row.environment),
        ConnectionStatus(row.status),
        row.status_reason,
        row.base_url,
        row.created_at,
        row.last_sync_at,
    )


def create_connection(
    store: Store,
    *,
    tenant_id: str,
    provider: str,
    credentials: dict[str, str],
    base_url: str | None,
    environment: str,
    allow_loopback: bool,
    actor: str,
    check: bool = False,
) -> CreatedConnection:
    """`check` reads from the vendor first: refused credentials raise and store nothing."""
    check_environment(environment)
    if base_url is not None:
        parse_url(base_url, name="base URL")
    validate_credentials(provider, credentials)
    get_connector(provider).check_target(credentials, base_url, allow_loopback=allow_loopback)
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
    if check:
        credentials = check_credentials(
            provider,
            credentials,
            base_url=base_url,
            allow_loopback=allow_loopback,
            as_of=datetime.now(UTC).date(),
        )
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        connection = connections.create_connection(
            session,
            store.keyring,
            tenant_id=tenant_id,
            provider=provider,
            credentials=credentials,
            base_url=base_url,
            environment=environment,
        )
        account_token = connections.issue_account_token(connection)
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="connection.created",
            target=connection.id,
            details={"provider": provider, "environment": environment},
        )
        # In the creating transaction (outbox): the event exists if and only if the connection does.
        created = events.connection_event(
            connection,
            event_type=ConnectionEvent.CREATED,
            event_id=f"created:{connection.id}",
            details={"vendor": provider, "environment": environment},
            at=connection.created_at,
        )
        events.publish(session, store.keyring, connection, (created,), connection.created_at)
        return CreatedConnection(**vars(connection_info(connection)), account_token=account_token)


def list_connections(store: Store, *, tenant_id: str | None) -> list[ConnectionInfo]:
    with transaction(store.sessions) as session:
        rows = connections.list_connections(session, tenant_id=tenant_id)
        return [connection_info(c) for c in rows]


def get_connection(store: Store, connection_id: str, *, tenant_id: str | None) -> ConnectionInfo:
    with transaction(store.sessions) as session:
        return connection_info(
            connections.get_connection(session, connection_id, tenant_id=tenant_id)
        )


SyncState = Literal["DISABLED", "DONE", "FAILED", "PARTIALLY_SYNCED", "PAUSED", "SYNCING"]
"""Merge's sync-status vocabulary, which the pull API's consumers already know."""
_RESULT: dict[str, SyncState] = {
    RunStatus.RUNNING: "SYNCING",
    RunStatus.SUCCEEDED: "DONE",
    RunStatus.FAILED: "FAILED",
    RunStatus.HELD: "PAUSED",
    RunStatus.REJECTED: "FAILED",
}


_STARTS = (NextSyncState.DUE, NextSyncState.SCHEDULED)


@dataclass(frozen=True)
class SyncStatus:
    """How fresh a connection's data is. Dry runs are previews and do not count."""

    connection: ConnectionInfo
    state: SyncState
    reason: str | None
    """Why the state is what it is, when not DONE."""
    latest: RunInfo | None
    last_finished: RunInfo | None
    next_sync_start: datetime | None

    @property
    def last_result(self) -> SyncState | None:
        return _RESULT.get(self.last_finished.status) if self.last_finished else None


def _state(
    connection: ConnectionInfo, latest: RunInfo | None, finished: RunInfo | None
) -> tuple[SyncState, str | None]:
    if connection.status == ConnectionStatus.DISCONNECTED:
        return "DISABLED", "the connection was disconnected"
    if connection.status != ConnectionStatus.ACTIVE:
        return "FAILED", connection.status_reason or f"the connection is {connection.status}"
    if latest is None:
        return "SYNCING", "waiting for the first sync"
    state = _RESULT.get(latest.status, "FAILED")
    reasons = {
        RunStatus.HELD: f"run {latest.id} is held for approval",
        RunStatus.REJECTED: f"run {latest.id} was rejected; the data is from the sync before it",
        RunStatus.FAILED: latest.error_message,
    }
    return state, reasons.get(latest.status) if finished is latest else None


def sync_status(
    store: Store, connection_id: str, *, tenant_id: str | None, sync_interval: timedelta
) -> SyncStatus:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        real = [
            run_info(r)
            for r in runs.list_runs(
                session, tenant_id=connection.tenant_id, connection_id=connection.id
            )
            if not r.dry_run
        ]
        info = connection_info(connection)
        blocked = runs.blocked_connections(session, connection_ids=(connection.id,))
    latest = real[0] if real else None
    finished = next((r for r in real if r.finished_at is not None), None)
    state, reason = _state(info, latest, finished)
    # The scheduler's own rule: a start is promised only when the scheduler will make one.
    coming = next_sync(
        info.status,
        info.last_sync_at,
        blocked_by=blocked.get(connection.id, ()),
        interval=sync_interval,
        now=datetime.now(UTC),
    )
    next_start = coming.at if coming.state in _STARTS else None
    return SyncStatus(info, state, reason, latest, finished, next_start)


def get_policy(store: Store, connection_id: str, *, tenant_id: str | None) -> Policy:
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        return Policy.model_validate(connection.policy or {})


def set_policy(
    store: Store, connection_id: str, policy: dict[str, Any], *, tenant_id: str | None, actor: str
) -> Policy:
    """Validate and store a connection's lifecycle policy (audited, with the new values)."""
    validated = validate_policy(policy)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        connection.policy = validated.model_dump(mode="json")
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.policy_changed",
            target=connection.id,
            details={"policy": connection.policy},
        )
    return validated


def promote(
    store: Store, connection_id: str, *, tenant_id: str | None, actor: str
) -> ConnectionInfo:
    """A staging connection goes to production: from now on it delivers to production."""
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        if connection.environment != Environment.STAGING:
            raise BadInput(f"connection {connection_id} is not a staging connection")
        connection.environment = Environment.PRODUCTION
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.promoted",
            target=connection.id,
            details={"from": Environment.STAGING, "to": Environment.PRODUCTION},
        )
        return connection_info(connection)


def reconnect(
    store: Store, connection_id: str, *, provider: str, credentials: dict[str, str], actor: str
) -> ConnectionInfo:
    """New credentials for a connection that needs them: same connection, same people, so
    nobody is invited twice; syncing resumes."""
    validate_credentials(provider, credentials)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        if connection.status == ConnectionStatus.DISCONNECTED:
            raise BadInput("this connection was disconnected: its data is gone, connect anew")
        if connection.provider != provider:
            raise BadInput(f"this link renews a {connection.provider} connection, not {provider}")
        connections.replace_credentials(store.keyring, connection, credentials)
        connection.status, connection.status_reason = ConnectionStatus.ACTIVE, None
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.reconnected",
            target=connection.id,
        )
        return connection_info(connection)


def disconnect(store: Store, connection_id: str, *, tenant_id: str | None, actor: str) -> None:
    """Revoke from our side, totally: forget the credentials, purge the connection's people
    data and every event about them, discard held plans (they hold names), and revoke every
    outstanding link of the connection, so nothing can bring it back.

    Runs, actions (ids and field names only) and the audit log stay, so what happened before
    remains explainable; the audit entry records who disconnected and when.
    """
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        people.purge(session, connection)
        staging.discard_connection(session, connection.id)
        outbox.purge_subject_prefix(session, f"{connection.id}:")
        discarded = runs.discard_held(session, connection, actor=f"disconnect by {actor}")
        revoked = links.revoke_for_connection(session, connection.id, at=datetime.now(UTC))
        handoff.purge_for_connection(session, connection.id)
        connections.disconnect(connection)
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.disconnected",
            target=connection.id,
            details={
                "purged": ["people", "groups", "locations", "undelivered and delivered events"],
                "held_runs_discarded": discarded,
                "links_revoked": revoked,
            },
        )
