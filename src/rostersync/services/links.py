"""Connect links, end to end: issue one, open it, and use it once to create (or renew) the
connection.

Links are random, stored hashed, expiring, single-use and bound to one tenant and one
environment; only the issuer ever sees the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta

from rostersync.connectors import BadInput
from rostersync.engine import check_environment
from rostersync.errors import ExitCode
from rostersync.model import ConnectionStatus
from rostersync.services.connections import ConnectionInfo, create_connection, reconnect
from rostersync.services.handoff import NO_HANDOFF, Handoff, check_handoff, issue_code
from rostersync.store import Store
from rostersync.store.repos import audit, connections, links, tenants
from rostersync.store.repos.links import LinkState
from rostersync.store.session import transaction

__all__ = [
    "MAX_LIFETIME",
    "CompletedConnection",
    "IssuedLink",
    "LinkState",
    "LinkUnavailable",
    "OpenedLink",
    "complete",
    "issue_link",
    "open_link",
    "parse_lifetime",
]

MAX_LIFETIME = timedelta(days=30)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_MAX_DIGITS = len(str(MAX_LIFETIME // timedelta(minutes=1)))


def parse_lifetime(text: str) -> timedelta:
    """`30m`, `12h`, `7d`: how long a link stays valid (at most 30 days)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", text.lower())
    if match is None:
        raise BadInput(f"expiry must look like 30m, 12h or 7d, got {text[:20]!r}")
    digits, unit = match.group(1).lstrip("0") or "0", _UNITS[match.group(2)]
    # A number with more digits than 30 days has minutes is too long in any unit: refused
    # here, before int() or timedelta() overflow on it.
    lifetime = timedelta(**{unit: int(digits)}) if len(digits) <= _MAX_DIGITS else None
    if lifetime is None or not timedelta(0) < lifetime <= MAX_LIFETIME:
        raise BadInput("a connect link must expire within 30 days")
    return lifetime


@dataclass(frozen=True)
class IssuedLink:
    id: str
    tenant_id: str
    environment: str
    expires_at: datetime
    reconnect: str | None
    """The connection whose credentials the link renews, if it renews one."""
    token: str
    handoff: Handoff

    def __repr__(self) -> str:
        return f"IssuedLink(id={self.id!r}, tenant_id={self.tenant_id!r})"

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/connect/{self.token}"


def issue_link(
    store: Store,
    *,
    tenant_id: str,
    environment: str,
    lifetime: timedelta,
    actor: str,
    reconnect: str | None = None,
    redirect_url: str | None = None,
    allowed_origin: str | None = None,
    state: str | None = None,
) -> IssuedLink:
    """A connect link; with `reconnect` (a connection id of the same tenant) it renews that
    connection's credentials instead of creating a connection, so its people are kept.

    `redirect_url`, `allowed_origin` and `state` say how the product is handed the connection
    when the admin finishes (services.handoff)."""
    check_environment(environment)
    handoff = check_handoff(redirect_url, allowed_origin, state)
    expires_at = datetime.now(UTC) + lifetime
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        if reconnect is not None:
            renewed = connections.get_connection(session, reconnect, tenant_id=tenant_id)
            if renewed.status == ConnectionStatus.DISCONNECTED:
                raise BadInput("a disconnected connection's data is gone: send a new connect link")
            environment = renewed.environment
        link, token = links.create_link(
            session,
            tenant_id=tenant_id,
            environment=environment,
            expires_at=expires_at,
            created_by=actor,
            reconnect=reconnect,
            redirect_url=handoff.redirect_url,
            allowed_origin=handoff.allowed_origin,
            return_state=handoff.state,
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="connect_link.created",
            target=link.id,
            details={
                "environment": environment,
                "expires_at": expires_at.isoformat(),
                "allowed_origin": handoff.allowed_origin,
                "redirects": handoff.redirect_url is not None,
            },
        )
        return IssuedLink(link.id, tenant_id, environment, expires_at, reconnect, token, handoff)


@dataclass(frozen=True)
class OpenedLink:
    """What a token is worth now; the link's fields are None when the token is unknown."""

    state: LinkState
    link_id: str | None = None
    tenant_id: str | None = None
    tenant_name: str = ""
    environment: str = ""
    connection_id: str | None = None
    handoff: Handoff = NO_HANDOFF
    expires_at: datetime | None = None


def open_link(store: Store, token: str) -> OpenedLink:
    with transaction(store.sessions) as session:
        resolved = links.resolve(session, token, at=datetime.now(UTC))
        link = resolved.link
        if link is None:
            return OpenedLink(resolved.state)
        tenant = tenants.get_tenant(session, link.tenant_id)
        return OpenedLink(
            resolved.state,
            link.id,
            link.tenant_id,
            tenant.name,
            link.environment,
            link.connection_id,
            Handoff(link.redirect_url, link.allowed_origin, link.return_state),
            link.expires_at,
        )


class LinkUnavailable(BadInput):
    code = "link_unavailable"
    http_status = 410
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class CompletedConnection(ConnectionInfo):
    handoff_code: str
    """One-time code the product exchanges for the account token (services.handoff)."""

    def __repr__(self) -> str:
        return f"CompletedConnection(id={self.id!r}, tenant_id={self.tenant_id!r})"


def complete(
    store: Store,
    *,
    link_id: str,
    provider: str,
    credentials: dict[str, str],
    base_url: str | None,
    allow_loopback: bool,
) -> CompletedConnection:
    """Use the link (once) and create (or renew) its connection, with the one-time code that
    hands it to the product; a failure gives the link back."""
    actor = f"connect-link:{link_id}"
    with transaction(store.sessions) as session:
        link = links.claim(session, link_id, at=datetime.now(UTC))
        if link is None:
            raise LinkUnavailable("this connect link has been used or has expired")
        tenant_id, environment, existing = link.tenant_id, link.environment, link.connection_id
    try:
        if existing is not None:
            renewed = reconnect(
                store, existing, provider=provider, credentials=credentials, actor=actor
            )
            return _handed_off(store, link_id, renewed)
        # Its account token is dropped here: the product gets a new one for the code.
        created = create_connection(
            store,
            tenant_id=tenant_id,
            provider=provider,
            credentials=credentials,
            base_url=base_url,
            environment=environment,
            allow_loopback=allow_loopback,
            actor=actor,
        )
    except BaseException:
        with transaction(store.sessions) as session:
            links.release(session, link_id)
        raise
    with transaction(store.sessions) as session:
        links.attach(session, link_id, created.id)
    return _handed_off(store, link_id, created)


def _handed_off(store: Store, link_id: str, done: ConnectionInfo) -> CompletedConnection:
    code = issue_code(store, tenant_id=done.tenant_id, link_id=link_id, connection_id=done.id)
    # `done` may be a CreatedConnection: only ConnectionInfo's fields go on (not its token).
    info = {f.name: getattr(done, f.name) for f in fields(ConnectionInfo)}
    return CompletedConnection(**info, handoff_code=code)
