"""The consent step of OAuth vendors, by vendor slug: where to send the admin, and the
credentials a callback's code is worth (connectors.oauth does the work)."""

from __future__ import annotations

from rostersync.connectors import BadInput, get_connector
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.oauth import (
    Account,
    Choice,
    Granted,
    OAuthClient,
    authorize_url,
    exchange_code,
    pkce_pair,
)

__all__ = [
    "Account",
    "Choice",
    "Granted",
    "OAuthClient",
    "authorization_url",
    "exchange",
    "pkce_pair",
    "uses_pkce",
]


def _connector(provider: str) -> DeclarativeConnector:
    connector = get_connector(provider)
    if not isinstance(connector, DeclarativeConnector) or connector.spec.provider.oauth is None:
        raise BadInput(f"{connector.display_name} is not connected through OAuth")
    return connector


def uses_pkce(provider: str) -> bool:
    app = _connector(provider).spec.provider.oauth
    return app is not None and app.pkce


def authorization_url(
    provider: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    challenge: str | None,
    base_url: str | None,
) -> str:
    return authorize_url(
        _connector(provider),
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=state,
        challenge=challenge,
        base_url=base_url,
    )


def exchange(
    provider: str,
    client: OAuthClient,
    *,
    code: str,
    redirect_uri: str,
    verifier: str | None,
    base_url: str | None,
    allow_loopback: bool,
) -> Granted:
    connector = _connector(provider)
    connector.check_target({}, base_url, allow_loopback=allow_loopback)
    return exchange_code(
        connector,
        client,
        code=code,
        redirect_uri=redirect_uri,
        verifier=verifier,
        base_url=base_url,
        allow_loopback=allow_loopback,
    )
