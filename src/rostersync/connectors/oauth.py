"""The OAuth 2.0 authorization code grant (RFC 6749 4.1) for vendors connected by consent.

Where the admin is sent (the vendor's authorize URL, with `state` and a PKCE S256 challenge
where the vendor supports one, RFC 7636), and what the callback's code is worth: the token
endpoint's refresh token, plus the values the vendor names only after the consent (Gusto's
company uuid), read with the new access token. Every call goes through the connector's
guarded client and its allowed hosts; nothing here is logged.
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
from rostersync.connectors.providers import Discovery, OAuthApp
from rostersync.connectors.responses import TOKEN_RESPONSES
from rostersync.net import RetryPolicy

MAX_VALUE = 200
"""The longest token or discovered id kept: real ones are 32 to 100 characters."""
MAX_TOKEN = 4096
"""Refresh tokens are opaque strings or JWTs; a few kilobytes at most."""

# A code is good once: a retried POST after a lost answer could only be refused.
_ONCE = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class OAuthClient:
    """The operator's app at the vendor."""

    client_id: str
    client_secret: str = field(repr=False)


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


def _discovered(document: Any, discovery: Discovery, vendor: str) -> str:
    value = document
    for step in discovery.pointer:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and len(value) > step else None
        else:
            value = value.get(step) if isinstance(value, Mapping) else None
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > MAX_VALUE
        or not value.isprintable()
    ):
        raise BadPayload(
            f"{vendor} did not say which account the consent was for "
            f"(GET {discovery.path}); ask the admin to try again"
        )
    return value.strip()


def exchange_code(
    connector: DeclarativeConnector,
    client: OAuthClient,
    *,
    code: str,
    redirect_uri: str,
    verifier: str | None,
    base_url: str | None,
    allow_loopback: bool,
) -> dict[str, str]:
    """The connection's credentials for an authorization code: the app, the refresh token
    and every discovered field. Raises AuthRevoked if the vendor refuses the code."""
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
        for discovery in app.discovery:
            where = f"GET {discovery.path}"
            with api.stream("GET", discovery.path) as response:
                document = parse_json(
                    read_body(response, vendor=vendor, endpoint=where),
                    vendor=vendor,
                    endpoint=where,
                )
            credentials[discovery.field] = _discovered(document, discovery, vendor)
    return credentials
