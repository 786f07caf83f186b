"""Where a tenant's events go. Signing secrets are stored encrypted and shown once.

A destination URL's query string often carries the receiver's token (`?token=...`), so it is
a secret too: `url` keeps the URL with every query value replaced by `***`, safe to show and
log, and `url_query` the query itself, encrypted. Only `target_url` puts them back together.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.model import DestinationKind, Environment
from rostersync.store.crypto import Keyring
from rostersync.store.errors import NotFound
from rostersync.store.tables import Destination, new_id

_CIPHER_CONTEXT = "destinations.secret"
_PREVIOUS_CONTEXT = "destinations.previous_secret"
_QUERY_CONTEXT = "destinations.url_query"
_REDACTED = "***"


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


OVERLAP_HOURS = range(7 * 24 + 1)
"""How long a rotated-out secret may keep signing: up to a week, for receivers to roll out."""


def create_webhook(
    session: Session,
    keyring: Keyring,
    *,
    tenant_id: str,
    url: str,
    environment: str = Environment.PRODUCTION,
    options: dict[str, Any] | None = None,
) -> tuple[Destination, str]:
    """Returns the destination and its signing secret, which is never readable again."""
    secret = _new_secret()
    return _create(
        session, keyring, tenant_id, DestinationKind.WEBHOOK, url, secret, environment, options
    ), secret


def create_scim(
    session: Session,
    keyring: Keyring,
    *,
    tenant_id: str,
    url: str,
    token: str,
    environment: str = Environment.PRODUCTION,
    options: dict[str, Any] | None = None,
) -> Destination:
    """A SCIM 2.0 service provider; its bearer token is kept where a webhook keeps its secret."""
    return _create(
        session, keyring, tenant_id, DestinationKind.SCIM, url, token, environment, options
    )


def _create(
    session: Session,
    keyring: Keyring,
    tenant_id: str,
    kind: DestinationKind,
    url: str,
    secret: str,
    environment: str,
    options: dict[str, Any] | None,
) -> Destination:
    shown, query = _split_query(url)
    destination = Destination(
        id=new_id("dst"),
        tenant_id=tenant_id,
        kind=kind,
        url=shown,
        url_query=None if query is None else keyring.encrypt(query, context=_QUERY_CONTEXT),
        secret=keyring.encrypt(secret, context=_CIPHER_CONTEXT),
        environment=environment,
        options=dict(options or {}),
    )
    session.add(destination)
    session.flush()
    return destination


def _split_query(url: str) -> tuple[str, str | None]:
    """The URL to store and show (query values redacted) and its query, if it has one.

    The fragment is dropped: it is never sent, and it could hold a token as well.
    """
    base, _, query = url.partition("#")[0].partition("?")
    if not query:
        return base, None
    return f"{base}?{redact_query(query)}", query


def redact_query(query: str) -> str:
    """`token=abc&team=x` as `token=***&team=***`; a part without `=` may be a bare token."""
    parts = (
        p.partition("=")[0] + "=" + _REDACTED if "=" in p else _REDACTED for p in query.split("&")
    )
    return "&".join(parts)


def target_url(keyring: Keyring, destination: Destination) -> str:
    """The URL events are sent to, query included: for the sender only, never for display."""
    if destination.url_query is None:
        return destination.url
    query = keyring.decrypt(destination.url_query, context=_QUERY_CONTEXT)
    return f"{destination.url.partition('?')[0]}?{query}"


def signing_secret(keyring: Keyring, destination: Destination) -> str:
    """The webhook signing secret, or the SCIM bearer token."""
    return keyring.decrypt(destination.secret, context=_CIPHER_CONTEXT)


def signing_secrets(keyring: Keyring, destination: Destination, *, now: datetime) -> list[str]:
    """The current secret, and during a rotation's overlap the previous one too."""
    current = [signing_secret(keyring, destination)]
    until = destination.previous_secret_until
    if destination.previous_secret is None or until is None or until <= now:
        return current
    previous = keyring.decrypt(destination.previous_secret, context=_PREVIOUS_CONTEXT)
    return [*current, previous]


def rotate_secret(
    keyring: Keyring, destination: Destination, *, overlap: timedelta, now: datetime
) -> str:
    """A new signing secret; the old one keeps signing alongside it for `overlap`."""
    previous = signing_secret(keyring, destination)
    secret = _new_secret()
    destination.secret = keyring.encrypt(secret, context=_CIPHER_CONTEXT)
    destination.previous_secret = keyring.encrypt(previous, context=_PREVIOUS_CONTEXT)
    destination.previous_secret_until = now + overlap
    return secret


def active_destinations(session: Session, *, tenant_id: str, environment: str) -> list[Destination]:
    query = select(Destination).where(
        Destination.tenant_id == tenant_id,
        Destination.environment == environment,
        Destination.enabled.is_(True),
    )
    return list(session.scalars(query.order_by(Destination.created_at)))


def get_destination(session: Session, destination_id: str, *, tenant_id: str | None) -> Destination:
    """`tenant_id=None` is for operator tools only; another tenant's destination is NotFound."""
    destination = session.get(Destination, destination_id)
    if destination is None or (tenant_id is not None and destination.tenant_id != tenant_id):
        raise NotFound("destination", destination_id)
    return destination


def list_destinations(session: Session, *, tenant_id: str | None) -> list[Destination]:
    query = select(Destination).order_by(Destination.created_at)
    if tenant_id is not None:
        query = query.where(Destination.tenant_id == tenant_id)
    return list(session.scalars(query))
