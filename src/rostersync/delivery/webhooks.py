"""Standard Webhooks (https://www.standardwebhooks.com/): sign a stored body and POST it.

The signature covers `{webhook-id}.{webhook-timestamp}.{raw body}` with HMAC-SHA256 under the
endpoint's `whsec_` secret, computed by the `standardwebhooks` package so that any receiver
using a Standard Webhooks library verifies it. Redirects are never followed: a webhook URL
that redirects is a misconfiguration, and following it would skip the host guard's intent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from rostersync.net import Client, HostGuard, NetError, RetryPolicy, build_client, retry_after, send

_NO_RETRY = RetryPolicy(max_attempts=1)
"""The outbox schedules retries itself, hours apart; one attempt per delivery here."""


@dataclass(frozen=True, slots=True)
class Outcome:
    delivered: bool
    status_code: int | None
    error: str | None
    retry_after: float | None = None
    gone: bool = False
    """410 Gone: the receiver asks us to stop sending to this endpoint."""
    final: bool = False
    """The receiver refused the request itself (e.g. SCIM 400): a retry gets the same answer."""


class Signer:
    """An endpoint's secrets, decoded once for the many events of a round."""

    def __init__(self, secrets: Sequence[str]) -> None:
        self._webhooks = [Webhook(secret) for secret in secrets]

    def headers(self, message_id: str, at: datetime, body: str) -> dict[str, str]:
        """One `v1,` signature per secret, space-separated: during a rotation both verify."""
        signatures = " ".join(w.sign(message_id, at, body) for w in self._webhooks)
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signatures,
            "content-type": "application/json",
        }


def signed_headers(
    secrets: Sequence[str], message_id: str, at: datetime, body: str
) -> dict[str, str]:
    return Signer(secrets).headers(message_id, at, body)


def webhook_client(*, allow_loopback: bool, timeout: float = 15.0) -> Client:
    """One client per destination and round: its connections are reused across events."""
    return build_client(HostGuard(allow_loopback=allow_loopback), timeout=timeout)


def post(
    client: Client,
    url: str,
    *,
    signer: Signer,
    message_id: str,
    body: str,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    # Signed at the moment of sending: receivers reject timestamps more than minutes away.
    at = datetime.now(UTC)
    request = client.build_request(
        "POST", url, content=body.encode(), headers=signer.headers(message_id, at, body)
    )
    try:
        response = send(client, request, policy=_NO_RETRY, sleep=sleep)
    except NetError as exc:
        return Outcome(False, None, str(exc))
    response.close()
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, None)
    return Outcome(
        False,
        response.status_code,
        f"receiver answered HTTP {response.status_code}",
        retry_after=retry_after(response),
        gone=response.status_code == 410,
    )
