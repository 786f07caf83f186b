"""The OAuth 2.0 authorization code grant (RFC 6749 4.1) for vendors connected by consent.

Where the admin is sent (the vendor's authorize URL, with `state` and a PKCE S256 challenge
where the vendor supports one, RFC 7636), and what the callback's code is worth: the token
endpoint's refresh token, plus the values the vendor names only after the consent (Gusto's
company uuid), read with the new access token. Where the consent covers several accounts
(an Employment Hero admin of several organisations), the answer says which, by name, and the
admin chooses. Every call goes through the connector's guarded client and its allowed hosts;
nothing here is logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from rostersync.connectors.auth import Bearer
from rostersync.connectors.base import ReadContext
from rostersync.connectors.declarative import DeclarativeConnector, resolve_url
from rostersync.connectors.errors import BadInput, BadPayload
from rostersync.connectors.http import VendorClient, parse_json, read_body
from rostersync.connectors.providers import Discovery, Listed, OAuthApp
from rostersync.connectors.responses import TOKEN_RESPONSES
from rostersync.net import RetryPolicy

MAX_VALUE = 200
"""The longest token or discovered id kept: real ones are 32 to 100 characters."""
MAX_TOKEN = 4096
"""Refresh tokens are opaque strings or JWTs; a few kilobytes at most."""
MAX_NAME = 120
"""An account's name as shown to the admin choosing it; longer ones are cut."""

# A code is good once: a retried POST after a lost answer could only be refused.
_ONCE = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class OAuthClient:
    """The operator's app at the vendor."""

    client_id: str
    client_secret: str = field(repr=False)


@dataclass(frozen=True)
class Account:
    """One of the accounts a consent covers: the value of its credential field, and its name."""

    id: str
    name: str


@dataclass(frozen=True)
class Choice:
    """The consent covers several accounts: the admin picks one for `field`."""

    field: str
    accounts: tuple[Account, ...]


@dataclass(frozen=True)
class Granted:
    """What a callback's code is worth: every credential field, or all but the one the admin
    still has to choose."""

    credentials: dict[str, str] = field(repr=False)
    choice: Choice | None = None


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636 4.1, 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def oauth_app(connector: DeclarativeConnector) -> OAuthApp:
    app = connector.spec.provider.oauth
    if app is None:
        raise BadInput(f"{connector.display_name} is not connected through OAuth")
    return app


def authorize_url(
    connector: DeclarativeConnector,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    challenge: str | None,
    base_url: str | None,
) -> str:
    """Where the admin's browser goes to say Allow."""
    app = oauth_app(connector)
    query = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "state": state,
    }
    if app.scopes:
        query["scope"] = " ".join(app.scopes)
    if app.pkce and challenge:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    root = connector.root({}, base_url)
    return f"{resolve_url(app.authorize_url, root, base_url)}?{urlencode(query)}"


def _token(value: Any, name: str, vendor: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BadPayload(f"{vendor}'s token endpoint sent no usable {name}")
    return value


def _unsaid(discovery: Discovery, vendor: str) -> BadPayload:
    return BadPayload(
        f"{vendor} did not say which account the consent was for "
        f"(GET {discovery.path.split('?')[0]}); ask the admin to try again"
    )


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip() or not value.isprintable():
        return None
    return value.strip() if len(value) <= limit else None


def _at(document: Any, pointer: tuple[str | int, ...]) -> Any:
    value = document
    for step in pointer:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    return value


def _accounts(items: Any, listed: Listed) -> tuple[Account, ...] | None:
    if not isinstance(items, list):
        return None
    accounts = []
    for item in items:
        if not isinstance(item, Mapping):
            return None
        account_id = _text(item.get(listed.id_key), MAX_VALUE)
        if account_id is None:
            return None
        # A name too long or unprintable is shown cut, or as its id: still the admin's choice.
        name = item.get(listed.name_key)
        shown = " ".join(name.split())[:MAX_NAME] if isinstance(name, str) else ""
        accounts.append(Account(account_id, shown if shown.isprintable() and shown else account_id))
    return tuple(accounts)


def _discovered(document: Any, discovery: Discovery, vendor: str) -> str | Choice:
    """The field's value, or the accounts the admin chooses it from."""
    found = _at(document, discovery.pointer)
    if discovery.listed is None:
        value = _text(found, MAX_VALUE)
        if value is None:
            raise _unsaid(discovery, vendor)
        return value
    accounts = _accounts(found, discovery.listed)
    if not accounts:
        raise _unsaid(discovery, vendor)
    if len(accounts) == 1:
        return accounts[0].id
    return Choice(discovery.field, accounts)


def exchange_code(
    connector: DeclarativeConnector,
    client: OAuthClient,
    *,
    code: str,
    redirect_uri: str,
    verifier: str | None,
    base_url: str | None,
    allow_loopback: bool,
) -> Granted:
    """The connection's credentials for an authorization code: the app, the refresh token
    and every discovered field, but for one the admin chooses (at most one vendor field is
    ever listed). Raises AuthRevoked if the vendor refuses the code."""
    app = oauth_app(connector)
    vendor = connector.display_name
    root = connector.root({}, base_url)
    context = ReadContext(
        credentials={},
        as_of=datetime.now(UTC).date(),
        base_url=base_url,
        allow_loopback=allow_loopback,
    )
    # RFC 6749 4.1.3, client credentials in the body (2.3.1): what both vendors document.
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    if app.pkce and verifier:
        form["code_verifier"] = verifier
    token_url = resolve_url(app.token_url, root, base_url)
    endpoint = "POST token endpoint"
    with (
        VendorClient(
            vendor=vendor,
            root=root,
            allowed_hosts=connector.allowed_hosts,
            context=context,
            headers=connector.spec.headers,
            policy=_ONCE,
            classifier=TOKEN_RESPONSES,
        ) as tokens,
        tokens.stream("POST", token_url, data=form) as response,
    ):
        body = parse_json(
            read_body(response, vendor=vendor, endpoint=endpoint), vendor=vendor, endpoint=endpoint
        )
    if not isinstance(body, Mapping):
        raise BadPayload(f"{vendor}'s token endpoint did not answer a JSON object")
    access = _token(body.get("access_token"), "access token", vendor, MAX_TOKEN)
    credentials = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "refresh_token": _token(body.get("refresh_token"), "refresh token", vendor, MAX_TOKEN),
    }
    auth = Bearer("{token}").build({"token": access}, None, lambda url: url)
    with VendorClient(
        vendor=vendor,
        root=root,
        allowed_hosts=connector.allowed_hosts,
        context=context,
        auth=auth,
        headers=connector.spec.headers,
    ) as api:
        choice = None
        for discovery in app.discovery:
            where = f"GET {discovery.path}"
            with api.stream("GET", discovery.path) as response:
                document = parse_json(
                    read_body(response, vendor=vendor, endpoint=where),
                    vendor=vendor,
                    endpoint=where,
                )
            found = _discovered(document, discovery, vendor)
            if isinstance(found, Choice):
                choice = found
            else:
                credentials[discovery.field] = found
    return Granted(credentials, choice)
