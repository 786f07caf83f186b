"""Connect links, end to end: issue one, show what a vendor needs, and create the connection.

Shared by the CLI, the admin API and the connect pages, so every path validates the same way
and is audited the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rostersync.connectors import BadInput, get_connector
from rostersync.engine.setup import ENVIRONMENTS, Created, create_connection, reconnect
from rostersync.store import Store
from rostersync.store.repos import audit, links, tenants
from rostersync.store.repos.connections import get_connection
from rostersync.store.session import transaction

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
    token: str
    """Shown once: only its hash is stored."""

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
) -> IssuedLink:
    """A connect link; with `reconnect` (a connection id) it renews that connection's
    credentials instead of creating a connection, so its people and links are kept."""
    if environment not in ENVIRONMENTS:
        raise BadInput(f"environment must be one of {', '.join(ENVIRONMENTS)}")
    expires_at = datetime.now(UTC) + lifetime
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        if reconnect is not None:
            renewed = get_connection(session, reconnect, tenant_id=tenant_id)
            if renewed.status == "disconnected":
                raise BadInput("a disconnected connection's data is gone: send a new connect link")
            environment = renewed.environment
        link, token = links.create_link(
            session,
            tenant_id=tenant_id,
            environment=environment,
            expires_at=expires_at,
            created_by=actor,
            reconnect=reconnect,
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="connect_link.created",
            target=link.id,
            details={"environment": environment, "expires_at": expires_at.isoformat()},
        )
        return IssuedLink(link.id, tenant_id, environment, expires_at, token)


@dataclass(frozen=True)
class Request:
    """One call we make to a vendor: method, documented URL, and the parameters we send."""

    method: str
    url: str
    parameters: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class VendorProfile:
    """What the connect pages show about one vendor, taken from its connector spec."""

    name: str
    display_name: str
    docs_url: str
    summary: str
    steps: tuple[str, ...]
    grant: tuple[str, ...]
    do_not_grant: tuple[str, ...]
    sources: tuple[str, ...]
    requests: tuple[Request, ...]
    """Empty for vendors read by custom code; the page then points at the API reference."""


def _shown(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def vendor_profile(provider: str) -> VendorProfile:
    connector = get_connector(provider)
    spec = getattr(connector, "spec", None)
    guide = getattr(connector, "guide", None)
    if spec is None or guide is None:
        raise BadInput(f"{connector.display_name} cannot be connected through a link yet")
    requests = tuple(
        Request(
            stream.method,
            spec.api_root + stream.path,
            tuple((k, _shown(v)) for k, v in {**stream.params, **(stream.body or {})}.items()),
        )
        for stream in spec.streams
    )
    return VendorProfile(
        connector.slug,
        connector.display_name,
        connector.docs_url,
        guide.summary,
        guide.steps,
        guide.grant,
        guide.do_not_grant,
        guide.sources,
        requests,
    )


class LinkUnavailable(BadInput):
    code = "link_unavailable"


def complete(
    store: Store,
    *,
    link_id: str,
    provider: str,
    credentials: dict[str, str],
    base_url: str | None,
    allow_loopback: bool,
) -> Created:
    """Use the link (once) and create its connection; a failure gives the link back."""
    actor = f"connect-link:{link_id}"
    with transaction(store.sessions) as session:
        link = links.claim(session, link_id, at=datetime.now(UTC))
        if link is None:
            raise LinkUnavailable("this connect link has been used or has expired")
        tenant_id, environment, existing = link.tenant_id, link.environment, link.connection_id
    try:
        if existing is not None:
            return reconnect(
                store, existing, provider=provider, credentials=credentials, actor=actor
            )
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
    return created
