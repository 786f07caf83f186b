"""Creating tenants, connections and destinations, with every input checked first.

Shared by the CLI, the admin API and the connect flow, so a bad input gets the same clear
error everywhere and nothing half-made is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from rostersync.connectors import BadInput, get_connector
from rostersync.engine.policy import Policy
from rostersync.store import Store
from rostersync.store.repos import (
    accounts,
    audit,
    connections,
    links,
    outbox,
    people,
    runs,
    tenants,
)
from rostersync.store.repos.accounts import AccountIn
from rostersync.store.session import transaction

ENVIRONMENTS = ("production", "staging")


@dataclass(frozen=True)
class Created:
    id: str
    tenant_id: str
    account_token: str | None = None
    """For a connection: its pull-API account token, shown this once."""


def create_tenant(store: Store, name: str, *, actor: str, timezone: str = "UTC") -> Created:
    if not name.strip():
        raise BadInput("a tenant needs a name")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"unknown time zone {timezone!r}; use an IANA name like Europe/London"
        ) from None
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, name.strip(), timezone=timezone)
        audit.record(
            session, tenant_id=tenant.id, actor=actor, action="tenant.created", target=tenant.id
        )
        return Created(tenant.id, tenant.id)


def validate_credentials(provider: str, credentials: dict[str, str]) -> None:
    connector = get_connector(provider)
    declared = {f.name for f in connector.credential_fields}
    unknown = sorted(credentials.keys() - declared)
    if unknown:
        raise BadInput(
            f"{connector.display_name} has no credential field {unknown[0]!r}; "
            f"its fields are: {', '.join(sorted(declared))}"
        )
    missing = [
        f.name for f in connector.credential_fields if f.required and not credentials.get(f.name)
    ]
    if missing:
        raise BadInput(f"{connector.display_name} needs the credential field {missing[0]!r}")


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
) -> Created:
    if environment not in ENVIRONMENTS:
        raise BadInput(f"environment must be one of {', '.join(ENVIRONMENTS)}")
    validate_credentials(provider, credentials)
    connector = get_connector(provider)
    connector.check_target(credentials, base_url, allow_loopback=allow_loopback)
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
        return Created(connection.id, tenant_id, account_token)


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
        outbox.purge_subject_prefix(session, f"{connection.id}:")
        discarded = runs.discard_held(session, connection, actor=f"disconnect by {actor}")
        revoked = links.revoke_for_connection(session, connection.id, at=datetime.now(UTC))
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


def set_policy(
    store: Store, connection_id: str, policy: dict[str, Any], *, tenant_id: str | None, actor: str
) -> Policy:
    """Validate and store a connection's lifecycle policy (audited, with the new values)."""
    try:
        validated = Policy.model_validate(policy)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors()
        )
        raise BadInput(f"invalid policy: {problems}") from None
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


def import_accounts(store: Store, tenant_id: str, items: list[AccountIn], *, actor: str) -> int:
    """Existing product accounts to match people against (emails kept only as blind index)."""
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        count = accounts.upsert_accounts(
            session, store.keyring, tenant_id=tenant_id, accounts=items
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="accounts.imported",
            details={"count": count},
        )
    return count


def promote(store: Store, connection_id: str, *, tenant_id: str | None, actor: str) -> None:
    """A staging connection goes to production: from now on it delivers to production."""
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        if connection.environment != "staging":
            raise BadInput(f"connection {connection_id} is not a staging connection")
        connection.environment = "production"
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.promoted",
            target=connection.id,
            details={"from": "staging", "to": "production"},
        )


def reconnect(
    store: Store, connection_id: str, *, provider: str, credentials: dict[str, str], actor: str
) -> Created:
    """New credentials for a connection that needs them: same connection, same people, so
    nobody is invited twice; syncing resumes."""
    validate_credentials(provider, credentials)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        if connection.status == "disconnected":
            raise BadInput("this connection was disconnected: its data is gone, connect anew")
        if connection.provider != provider:
            raise BadInput(f"this link renews a {connection.provider} connection, not {provider}")
        connections.replace_credentials(store.keyring, connection, credentials)
        connection.status, connection.status_reason = "active", None
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.reconnected",
            target=connection.id,
        )
        return Created(connection.id, connection.tenant_id)
