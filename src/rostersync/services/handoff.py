"""Hand-off: how a product learns about the connection its customer made through a link.

Merge Link's public-token pattern. A link may carry a `redirect_url` (where the finish page
sends the admin back, with `code` and the product's `state`) and an `allowed_origin` (the one
origin that may frame the flow and receive the code by postMessage). Completing the flow issues
a one-time code; the product exchanges it, with its API key, for the connection's account token.
The code is random, stored hashed, valid for minutes and good once; the token is made at the
exchange, so no token is ever stored, even for those minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from rostersync.connectors import BadInput
from rostersync.errors import ExitCode
from rostersync.model import ConnectionStatus, Environment
from rostersync.store import Store
from rostersync.store.repos import audit, connections, handoff
from rostersync.store.repos.handoff import CodeState
from rostersync.store.session import transaction

__all__ = [
    "CODE_LIFETIME",
    "NO_HANDOFF",
    "CodeUnavailable",
    "CodeUnknown",
    "Exchanged",
    "Handoff",
    "check_handoff",
    "exchange_code",
]

CODE_LIFETIME = timedelta(minutes=10)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_MAX_URL = 2000
_MAX_STATE = 500
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Handoff:
    """Where a link's product is told the code: a page to send the admin back to, and the
    origin allowed to embed the flow. Either, both or neither."""

    redirect_url: str | None = None
    allowed_origin: str | None = None
    state: str | None = None

    def return_url(self, code: str) -> str | None:
        """`redirect_url` with `code` (and `state`) added to the query it already has."""
        if self.redirect_url is None:
            return None
        parts = urlsplit(self.redirect_url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("code", "state")]
        query.append(("code", code))
        if self.state is not None:
            query.append(("state", self.state))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def exit_url(self) -> str | None:
        """`redirect_url` telling the product the admin left without connecting."""
        if self.redirect_url is None:
            return None
        parts = urlsplit(self.redirect_url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("error", "state")]
        query.append(("error", "exited"))
        if self.state is not None:
            query.append(("state", self.state))
        return urlunsplit(parts._replace(query=urlencode(query)))


NO_HANDOFF = Handoff()
"""A link that only connects: no page to return to, and no origin may frame it."""


def _web_url(value: str, name: str) -> tuple[str, str, int | None, str]:
    """(scheme, host, port, rest) of an https URL (http only for this machine), or one line
    saying what is wrong with it; the value itself is not repeated (it may carry a token)."""
    if len(value) > _MAX_URL or _UNSAFE.search(value):
        raise BadInput(f"{name} must be a URL of at most {_MAX_URL} characters, without spaces")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise BadInput(f"{name} is not a valid URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise BadInput(f"{name} must be an https:// URL with a host")
    if parts.scheme == "http" and host not in _LOCAL_HOSTS:
        raise BadInput(f"{name} must use https (http only for localhost or 127.0.0.1)")
    if parts.username is not None or parts.password is not None:
        raise BadInput(f"{name} must not carry a user name or password")
    if parts.fragment or value.endswith("#"):
        raise BadInput(f"{name} must not have a #fragment")
    default = {"https": 443, "http": 80}[parts.scheme]
    return parts.scheme, host, None if port == default else port, value


def _origin(value: str) -> str:
    scheme, host, port, _ = _web_url(value, "allowed_origin")
    parts = urlsplit(value)
    if parts.path not in ("", "/") or parts.query or value.endswith("?"):
        raise BadInput("allowed_origin must be scheme://host[:port], with no path or query")
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + (f":{port}" if port is not None else "")


def check_handoff(
    redirect_url: str | None, allowed_origin: str | None, state: str | None = None
) -> Handoff:
    """The hand-off a link may carry, checked; an origin is normalised as browsers spell it
    (lower-case host, no default port), since postMessage and CSP compare it exactly."""
    redirect = redirect_url.strip() if redirect_url else None
    if redirect is not None:
        _web_url(redirect, "redirect_url")
    if state is not None and (len(state) > _MAX_STATE or _UNSAFE.search(state)):
        raise BadInput(f"state must be at most {_MAX_STATE} printable characters, no spaces")
    origin = _origin(allowed_origin.strip()) if allowed_origin else None
    return Handoff(redirect, origin, state or None)


def issue_code(store: Store, *, tenant_id: str, link_id: str, connection_id: str) -> str:
    """The one-time code for a completed link; only its hash is kept."""
    with transaction(store.sessions) as session:
        return handoff.issue_code(
            session,
            tenant_id=tenant_id,
            link_id=link_id,
            connection_id=connection_id,
            expires_at=datetime.now(UTC) + CODE_LIFETIME,
        )


class CodeUnavailable(BadInput):
    """Used or expired: the caller holds a code that was real, and is told which."""

    code = "code_unavailable"
    http_status = 410
    exit_code = ExitCode.BAD_INPUT


class CodeUnknown(BadInput):
    """Never issued, or another tenant's (one answer for both, like every other route)."""

    code = "code_unknown"
    http_status = 404
    exit_code = ExitCode.BAD_INPUT


_MINUTES = CODE_LIFETIME // timedelta(minutes=1)
_REFUSED: dict[CodeState, tuple[type[BadInput], str]] = {
    CodeState.USED: (
        CodeUnavailable,
        "this code was already exchanged: a code works once (its token was returned then)",
    ),
    CodeState.EXPIRED: (
        CodeUnavailable,
        f"this code has expired: exchange it within {_MINUTES} minutes of the connection",
    ),
    CodeState.UNKNOWN: (CodeUnknown, "no such code for this tenant"),
}


@dataclass(frozen=True)
class Exchanged:
    connection_id: str
    tenant_id: str
    vendor: str
    environment: Environment
    account_token: str
    """For the pull API's X-Account-Token: shown this once; any earlier token stops working."""

    def __repr__(self) -> str:
        return f"Exchanged(connection_id={self.connection_id!r}, tenant_id={self.tenant_id!r})"


def exchange_code(store: Store, code: str, *, tenant_id: str | None, actor: str) -> Exchanged:
    """The connection a code was issued for, with a new account token; the code is spent.

    A used or expired code is a 410 saying which; an unknown or another tenant's code a 404,
    the same answer for both, so a key learns nothing about codes it may not exchange.
    """
    at = datetime.now(UTC)
    with transaction(store.sessions) as session:
        redeemed = handoff.redeem(session, code.strip(), tenant_id=tenant_id, at=at)
        if redeemed.connection_id is None:
            error, message = _REFUSED[redeemed.state]
            raise error(message)
        connection = connections.get_connection(
            session, redeemed.connection_id, tenant_id=tenant_id
        )
        if connection.status == ConnectionStatus.DISCONNECTED:
            raise CodeUnavailable("this connection was disconnected: there is nothing to exchange")
        token = connections.issue_account_token(connection)
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="connection.code_exchanged",
            target=connection.id,
        )
        return Exchanged(
            connection.id,
            connection.tenant_id,
            connection.provider,
            Environment(connection.environment),
            token,
        )
