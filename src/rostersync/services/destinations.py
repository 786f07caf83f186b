"""Where a tenant's events go: webhook endpoints (Standard Webhooks) and SCIM 2.0 servers.

A webhook's signing secret and a SCIM server's bearer token go in once and never come out;
the signing secret is handed back at creation and at each rotation, that once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rostersync.connectors import BadInput
from rostersync.delivery import check_webhook_url
from rostersync.engine import check_environment
from rostersync.model import EVENT_TYPES, DestinationKind, Environment
from rostersync.store import Store
from rostersync.store.repos import audit, destinations, tenants
from rostersync.store.session import transaction
from rostersync.store.tables import Destination

OVERLAP_HOURS = destinations.OVERLAP_HOURS


@dataclass(frozen=True)
class DestinationInfo:
    id: str
    tenant_id: str
    kind: DestinationKind
    url: str
    """Every query value redacted: the query often holds the receiver's token."""
    environment: Environment
    enabled: bool
    created_at: datetime
    options: dict[str, Any]
    """Event-type filter, thin payloads, SCIM groups and hard delete: no secret."""


@dataclass(frozen=True)
class DestinationSecret(DestinationInfo):
    signing_secret: str | None
    """A webhook's signing secret, shown this once; None for a SCIM destination."""


def destination_info(row: Destination) -> DestinationInfo:
    return DestinationInfo(
        row.id,
        row.tenant_id,
        DestinationKind(row.kind),
        row.url,
        Environment(row.environment),
        row.enabled,
        row.created_at,
        dict(row.options or {}),
    )


@dataclass(frozen=True)
class DestinationSpec:
    """What a destination is asked to be, checked by `create_destination` as a whole."""

    webhook_url: str | None = None
    scim_url: str | None = None
    scim_token: str | None = None
    event_types: Iterable[str] = ()
    thin: bool = False
    scim_groups: bool = False
    hard_delete: bool = False
    environment: str = Environment.PRODUCTION

    def __repr__(self) -> str:
        # The SCIM token is a credential and the URLs may carry one in their query.
        return f"DestinationSpec(environment={self.environment!r})"

    def options(self) -> dict[str, Any]:
        if (self.webhook_url is None) == (self.scim_url is None):
            raise BadInput("give exactly one of a webhook URL and a SCIM URL")
        if self.scim_url is not None and not self.scim_token:
            raise BadInput("a SCIM destination needs the SCIM server's bearer token")
        if self.webhook_url is not None and (self.scim_groups or self.hard_delete):
            raise BadInput("SCIM groups and hard delete apply to SCIM destinations only")
        if self.scim_url is not None and self.thin:
            raise BadInput("thin payloads apply to webhook destinations only")
        wanted = set(self.event_types)
        unknown = sorted(wanted - set(EVENT_TYPES))
        if unknown:
            raise BadInput(f"unknown event type {unknown[0]!r}; known: {', '.join(EVENT_TYPES)}")
        check_environment(self.environment)
        chosen = {
            "event_types": sorted(wanted),
            "thin": self.thin,
            "groups": self.scim_groups,
            "hard_delete": self.hard_delete,
        }
        return {key: value for key, value in chosen.items() if value}


def create_destination(
    store: Store, tenant_id: str, spec: DestinationSpec, *, allow_loopback: bool, actor: str
) -> DestinationSecret:
    options = spec.options()
    url = spec.webhook_url or spec.scim_url or ""
    check_webhook_url(url, allow_loopback=allow_loopback)
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        secret: str | None = None
        if spec.scim_url is not None:
            destination = destinations.create_scim(
                session,
                store.keyring,
                tenant_id=tenant_id,
                url=spec.scim_url,
                token=spec.scim_token or "",
                environment=spec.environment,
                options=options,
            )
        else:
            destination, secret = destinations.create_webhook(
                session,
                store.keyring,
                tenant_id=tenant_id,
                url=url,
                environment=spec.environment,
                options=options,
            )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="destination.created",
            target=destination.id,
            details={"kind": destination.kind, "options": options},
        )
        return DestinationSecret(**vars(destination_info(destination)), signing_secret=secret)


def list_destinations(store: Store, *, tenant_id: str | None) -> list[DestinationInfo]:
    with transaction(store.sessions) as session:
        return [
            destination_info(d)
            for d in destinations.list_destinations(session, tenant_id=tenant_id)
        ]


def rotate_secret(
    store: Store, destination_id: str, *, tenant_id: str | None, overlap_hours: int, actor: str
) -> DestinationSecret:
    """A new signing secret, shown once; the old one keeps signing during the overlap."""
    if overlap_hours not in OVERLAP_HOURS:
        raise BadInput(f"the overlap must be from {OVERLAP_HOURS[0]} to {OVERLAP_HOURS[-1]} hours")
    with transaction(store.sessions) as session:
        destination = destinations.get_destination(session, destination_id, tenant_id=tenant_id)
        if destination.kind != DestinationKind.WEBHOOK:
            # A SCIM destination's stored secret is the server's bearer token: replacing it
            # with a signing secret would cut delivery off.
            raise BadInput(f"{destination_id} is a SCIM destination: it has no signing secret")
        secret = destinations.rotate_secret(
            store.keyring,
            destination,
            overlap=timedelta(hours=overlap_hours),
            now=datetime.now(UTC),
        )
        audit.record(
            session,
            tenant_id=destination.tenant_id,
            actor=actor,
            action="destination.secret_rotated",
            target=destination_id,
            details={"overlap_hours": overlap_hours},
        )
        return DestinationSecret(**vars(destination_info(destination)), signing_secret=secret)
