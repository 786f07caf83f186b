"""Standard Webhooks (https://www.standardwebhooks.com/): sign a stored body and POST it.

The signature covers `{webhook-id}.{webhook-timestamp}.{raw body}` with HMAC-SHA256 under the
endpoint's `whsec_` secret, computed by the `standardwebhooks` package so that any receiver
using a Standard Webhooks library verifies it. Redirects are never followed: a webhook URL
that redirects is a misconfiguration, and following it would skip the host guard's intent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

from rostersync.net import HostGuard, NetError, PostClient, retry_after_seconds


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


def webhook_client(url: str, *, allow_loopback: bool, timeout: float = 15.0) -> PostClient:
    """One client per destination and round: its connections are reused across events."""
    return PostClient(url, HostGuard(allow_loopback=allow_loopback), timeout=timeout)


def post(client: PostClient, *, signer: Signer, message_id: str, body: str) -> Outcome:
    # Signed at the moment of sending: receivers reject timestamps more than minutes away.
    at = datetime.now(UTC)
    try:
        answer = client.post(body.encode(), signer.headers(message_id, at, body))
    except NetError as exc:
        return Outcome(False, None, str(exc))
    status = answer.status_code
    if 200 <= status < 300:
        return Outcome(True, status, None)
    return Outcome(
        False,
        status,
        f"receiver answered HTTP {status}",
        retry_after=retry_after_seconds(answer.retry_after),
        gone=status == 410,
    )
