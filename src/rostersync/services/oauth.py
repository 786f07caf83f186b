"""OAuth consent from a connect link: begin it (a single-use `state` and, where the vendor
takes one, a PKCE verifier) and finish it (spend the state, exchange the code).

The state is stored hashed for a few minutes (RFC 6749 10.12); the verifier never is: the
caller keeps it in the admin's browser, sealed, beside the state (RFC 7636).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rostersync.connectors import BadInput
from rostersync.engine.oauth import (
    Account,
    Choice,
    Granted,
    OAuthClient,
    authorization_url,
    exchange,
    pkce_pair,
    uses_pkce,
)
from rostersync.errors import ExitCode
from rostersync.store import Store
from rostersync.store.repos import oauth_grants
from rostersync.store.session import transaction

__all__ = [
    "CONSENT_LIFETIME",
    "Account",
    "Choice",
    "Consent",
    "ConsentUnavailable",
    "Granted",
    "OAuthClient",
    "begin_consent",
    "finish_consent",
    "spend_state",
]

CONSENT_LIFETIME = timedelta(minutes=10)
"""Long enough to sign in at the vendor and read its consent page; short for a stolen state."""


class ConsentUnavailable(BadInput):
    """The callback's state was used, has expired, or was never this link's."""

    code = "consent_unavailable"
    http_status = 400
    exit_code = ExitCode.BAD_INPUT


@dataclass(frozen=True)
class Consent:
    """Where to send the admin, and what the browser keeps until the callback."""

    url: str = field(repr=False)
    state: str = field(repr=False)
    verifier: str | None = field(repr=False)


def begin_consent(
    store: Store,
    *,
    link_id: str,
    provider: str,
    client: OAuthClient,
    redirect_uri: str,
    base_url: str | None,
) -> Consent:
    now = datetime.now(UTC)
    verifier, challenge = pkce_pair() if uses_pkce(provider) else (None, None)
    with transaction(store.sessions) as session:
        state = oauth_grants.create_grant(
            session,
            link_id=link_id,
            provider=provider,
            expires_at=now + CONSENT_LIFETIME,
        )
    url = authorization_url(
        provider,
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        state=state,
        challenge=challenge,
        base_url=base_url,
    )
    return Consent(url, state, verifier)


def spend_state(store: Store, *, link_id: str, provider: str, state: str) -> None:
    """Use the state once, whatever the vendor answered; ConsentUnavailable if it cannot be."""
    with transaction(store.sessions) as session:
        spent = oauth_grants.claim_grant(
            session, state, link_id=link_id, provider=provider, at=datetime.now(UTC)
        )
    if not spent:
        raise ConsentUnavailable("this sign-in has expired or was already used")


def finish_consent(
    store: Store,
    *,
    link_id: str,
    provider: str,
    state: str,
    code: str,
    verifier: str | None,
    client: OAuthClient,
    redirect_uri: str,
    base_url: str | None,
    allow_loopback: bool,
) -> Granted:
    """The connection's credentials for the callback's code (but for an account the admin
    still chooses); nothing is stored yet (the flow checks and discloses before the admin
    confirms, as after a credential form)."""
    spend_state(store, link_id=link_id, provider=provider, state=state)
    return exchange(
        provider,
        client,
        code=code,
        redirect_uri=redirect_uri,
        verifier=verifier,
        base_url=base_url,
        allow_loopback=allow_loopback,
    )
