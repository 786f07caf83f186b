"""Auth kinds a spec declares, each turned into an httpx.Auth from the stored credentials.

Values are templates over the credential fields (`{api_key}`, `{user}@{tenant}`), so one kind
serves every vendor that uses it. OAuth tokens are fetched through the same guarded client as
the API calls; a refreshed refresh token is handed back to be stored encrypted again.
`MutualTls` is not an httpx.Auth: it names the credential fields holding a client certificate,
which the client presents on every connection, the token call's included.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from rostersync.connectors.errors import BadInput, BadPayload
from rostersync.connectors.http import parse_json, read_body
from rostersync.connectors.responses import TOKEN_RESPONSES
from rostersync.net import BadClientCertificate, ClientCertificate


def render(template: str, credentials: Mapping[str, str]) -> str:
    try:
        return template.format_map(credentials)
    except KeyError as exc:
        raise BadInput(f"missing credential field {exc.args[0]!r}") from None


CredentialsSaver = Callable[[Mapping[str, str]], None]
UrlResolver = Callable[[str], str]
"""Documented URL or path -> the URL to call (the base URL override applies to token URLs too)."""


class AuthKind(Protocol):
    def build(
        self, credentials: Mapping[str, str], save: CredentialsSaver | None, resolve: UrlResolver
    ) -> httpx.Auth:
        """The httpx.Auth for one read."""
        ...


@dataclass(frozen=True)
class Basic:
    username: str
    password: str

    def build(
        self,
        credentials: Mapping[str, str],
        save: CredentialsSaver | None,  # noqa: ARG002
        resolve: UrlResolver,  # noqa: ARG002
    ) -> httpx.Auth:
        return httpx.BasicAuth(
            render(self.username, credentials), render(self.password, credentials)
        )


class _Headers(httpx.Auth):
    def __init__(self, headers: Mapping[str, str]) -> None:
        self._headers = dict(headers)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(self._headers)
        yield request


@dataclass(frozen=True)
class Header:
    """A static header: `Authorization: Bearer {token}`, `X-API-Key: {api_key}`, ..."""

    name: str
    value: str

    def build(
        self,
        credentials: Mapping[str, str],
        save: CredentialsSaver | None,  # noqa: ARG002
        resolve: UrlResolver,  # noqa: ARG002
    ) -> httpx.Auth:
        return _Headers({self.name: render(self.value, credentials)})


def Bearer(template: str) -> Header:
    return Header("Authorization", f"Bearer {template}")


_TOKEN_ENDPOINT = "the token endpoint"


class _TokenAuth(httpx.Auth):
    """Gets an access token before the first call and again once when a call answers 401."""

    def __init__(self, fetch: Callable[[], httpx.Request], on_token: Callable[[Any], str]) -> None:
        self._fetch = fetch
        self._on_token = on_token
        self._token: str | None = None
        self._expires_at = 0.0

    def _token_flow(self) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield self._fetch()
        endpoint = f"POST {response.request.url.path}"
        TOKEN_RESPONSES.check(response, vendor=_TOKEN_ENDPOINT, endpoint=endpoint)
        body = parse_json(
            read_body(response, vendor=_TOKEN_ENDPOINT, endpoint=endpoint),
            vendor=_TOKEN_ENDPOINT,
            endpoint=endpoint,
        )
        self._token = self._on_token(body)
        expires_in = body.get("expires_in") if isinstance(body, Mapping) else None
        self._expires_at = time.monotonic() + (float(expires_in) - 30 if expires_in else 3000)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is None or time.monotonic() >= self._expires_at:
            yield from self._token_flow()
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            yield from self._token_flow()
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request


def _access_token(body: Any) -> str:
    token = body.get("access_token") if isinstance(body, Mapping) else None
    if not isinstance(token, str) or not token:
        raise BadPayload("the token endpoint sent no access_token")
    return token


def _client_auth_header(client_id: str, client_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()


@dataclass(frozen=True)
class BasicWithHeader:
    """HTTP Basic plus a static header on every call: UKG Pro's service account (Basic) with
    the customer's `US-Customer-Api-Key`."""

    basic: Basic
    header: Header

    def build(
        self,
        credentials: Mapping[str, str],
        save: CredentialsSaver | None,  # noqa: ARG002
        resolve: UrlResolver,  # noqa: ARG002
    ) -> httpx.Auth:
        username = render(self.basic.username, credentials)
        password = render(self.basic.password, credentials)
        return _Headers(
            {
                "Authorization": _client_auth_header(username, password),
                self.header.name: render(self.header.value, credentials),
            }
        )


@dataclass(frozen=True)
class OAuth2ClientCredentials:
    token_url: str
    """Absolute, or a path under the API root."""
    client_id: str = "{client_id}"
    client_secret: str = "{client_secret}"
    scope: str | None = None
    secret_in_body: bool = False
    """Send the client credentials as form fields instead of HTTP Basic (RFC 6749 2.3.1)."""

    @property
    def sign_in(self) -> str:
        """The call that trades the credentials for a token, as the disclosure shows it."""
        return self.token_url

    def build(
        self,
        credentials: Mapping[str, str],
        save: CredentialsSaver | None,  # noqa: ARG002
        resolve: UrlResolver,
    ) -> httpx.Auth:
        client_id = render(self.client_id, credentials)
        client_secret = render(self.client_secret, credentials)
        form = {"grant_type": "client_credentials"}
        if self.scope:
            form["scope"] = self.scope
        headers = {}
        if self.secret_in_body:
            form |= {"client_id": client_id, "client_secret": client_secret}
        else:
            headers["Authorization"] = _client_auth_header(client_id, client_secret)
        url = resolve(render(self.token_url, credentials))

        def fetch() -> httpx.Request:
            return httpx.Request("POST", url, data=form, headers=headers)

        return _TokenAuth(fetch, _access_token)


@dataclass(frozen=True)
class OAuth2Refresh:
    """Authorization code grant, after the consent: a stored refresh token buys access tokens.

    Vendors that rotate refresh tokens send a new one with each access token; it is handed to
    `save` so the store keeps the newest (encrypted) and the next sync does not lock itself out.
    """

    token_url: str
    client_id: str = "{client_id}"
    client_secret: str = "{client_secret}"
    refresh_token_field: str = "refresh_token"

    @property
    def sign_in(self) -> str:
        """The call that trades the refresh token for an access token (see above)."""
        return self.token_url

    def build(
        self, credentials: Mapping[str, str], save: CredentialsSaver | None, resolve: UrlResolver
    ) -> httpx.Auth:
        current = dict(credentials)
        url = resolve(render(self.token_url, credentials))

        def fetch() -> httpx.Request:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": current[self.refresh_token_field],
                "client_id": render(self.client_id, current),
                "client_secret": render(self.client_secret, current),
            }
            return httpx.Request("POST", url, data=form)

        def on_token(body: Any) -> str:
            token = _access_token(body)
            rotated = body.get("refresh_token")
            if (
                isinstance(rotated, str)
                and rotated
                and rotated != current[self.refresh_token_field]
            ):
                current[self.refresh_token_field] = rotated
                if save is not None:
                    save(dict(current))
            return token

        return _TokenAuth(fetch, on_token)


@dataclass(frozen=True)
class MutualTls:
    """A client certificate chain and private key (PEM), from credential fields."""

    certificate: str = "{client_certificate}"
    private_key: str = "{private_key}"

    def build(self, credentials: Mapping[str, str]) -> ClientCertificate:
        """The pair, checked: BadInput says in one line why it cannot work."""
        try:
            return ClientCertificate(
                render(self.certificate, credentials), render(self.private_key, credentials)
            )
        except BadClientCertificate as exc:
            raise BadInput(str(exc)) from None
