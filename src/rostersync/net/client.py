"""The only place outbound HTTP clients are built, and the retry loop they are driven by."""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from rostersync import __version__
from rostersync.net.errors import CertificateRefused, RetryLater, TransportFailure
from rostersync.net.guard import HostGuard
from rostersync.net.redact import SafeUrlsInLogs, safe_url
from rostersync.net.tls import ClientCertificate, refused_certificate
from rostersync.net.transport import GuardedTransport

USER_AGENT = f"rostersync/{__version__}"

# A vendor that cannot accept a connection in 10 s is down; waiting the full read timeout
# for the handshake only delays the retry.
CONNECT_TIMEOUT = 10.0

_RETRY_AFTER_STATUSES = frozenset({429, 503})
_DELTA_SECONDS = re.compile(r"[0-9]+")

logger = logging.getLogger("rostersync.net")
# Every client is built here, so here is where httpx's own request log stops showing queries.
logging.getLogger("httpx").addFilter(SafeUrlsInLogs())

Client = httpx.Client
"""For annotations elsewhere: only build_client may construct one (ruff TID251)."""


def build_client(
    guard: HostGuard,
    *,
    timeout: float = 30.0,
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = False,
    base_url: str = "",
    client_certificate: ClientCertificate | None = None,
) -> httpx.Client:
    """A client that verifies TLS, times out, and lets ``guard`` vet every request;
    ``client_certificate`` is presented to every https server it reaches (mutual TLS)."""
    merged = httpx.Headers({"User-Agent": USER_AGENT})
    merged.update(headers or {})
    return httpx.Client(
        transport=GuardedTransport(guard, client_certificate),
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        auth=auth,
        headers=merged,
        follow_redirects=follow_redirects,
        base_url=base_url,
        trust_env=False,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How long ``send`` keeps trying.

    ``max_retry_after`` caps the total of the server's Retry-After pauses one call will sit
    through; past it ``send`` raises RetryLater so a job can be rescheduled instead of a
    worker sleeping for an hour.
    """

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_factor: float = 2.0
    max_wait: float = 60.0
    max_retry_after: float = 300.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    wait_hint: Callable[[httpx.Response], float | None] | None = None
    """A vendor's own "wait this long" header, read when Retry-After is absent."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int) -> float:
        """Wait after failed ``attempt`` (1-based): exponential, capped, half of it jittered."""
        ceiling = min(self.max_wait, self.backoff_base * self.backoff_factor ** (attempt - 1))
        # Jitter only spreads many workers' retries apart; it protects nothing secret.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311


DEFAULT_POLICY = RetryPolicy()


def send(
    client: httpx.Client,
    request: httpx.Request,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    stream: bool = False,
) -> httpx.Response:
    """Send ``request``, retrying timeouts, connection errors and ``policy.retry_statuses``.

    Build ``request`` with ``client.build_request`` so the client's headers (User-Agent)
    and base URL apply; httpx merges them there, not in ``send``.

    Returns the last response once attempts run out on a status: mapping statuses to errors
    is the caller's job. Raises TransportFailure when they run out on transport errors,
    RetryLater when the server asks for more patience than the policy has,
    CertificateRefused at once when the TLS handshake refuses our client certificate (no
    retry can change that), and lets BlockedDestination through untouched. With
    ``stream=True`` the returned response is unread and the caller closes it. Request
    bodies must be replayable (bytes, not generators) to be retried.
    """
    where = safe_url(request.url)
    attempt = 0
    waited_for_server = 0.0
    while True:
        attempt += 1
        last = attempt >= policy.max_attempts
        try:
            response = client.send(request, stream=stream)
        except (httpx.TransportError, TransportFailure) as exc:
            alert = refused_certificate(exc)
            if alert is not None:
                # An auth flow's own request (a token call) is the one that met the refusal.
                failed = _failed_request(exc) or request
                raise CertificateRefused(
                    f"{failed.method} {safe_url(failed.url)}: the server refused the TLS client "
                    f"certificate ({alert})",
                    url=failed.url,
                    alert=alert,
                ) from exc
            outcome = type(exc).__name__
            if last:
                logger.warning(
                    "%s %s: %s on attempt %d; giving up", request.method, where, outcome, attempt
                )
                raise TransportFailure(
                    f"{request.method} {where} failed after {attempt} attempts ({outcome})",
                    url=request.url,
                    attempts=attempt,
                ) from exc
            wait = policy.backoff(attempt)
        except httpx.RequestError as exc:
            # Redirect loops and undecodable bodies: trying again gets the same answer.
            raise TransportFailure(
                f"{request.method} {where} failed ({type(exc).__name__})",
                url=request.url,
                attempts=attempt,
            ) from exc
        else:
            status = response.status_code
            outcome = str(status)
            if status not in policy.retry_statuses or last:
                logger.debug("%s %s: %d on attempt %d", request.method, where, status, attempt)
                return response
            response.close()
            asked = retry_after(response) if status in _RETRY_AFTER_STATUSES else None
            if asked is None and policy.wait_hint is not None and status == 429:
                asked = policy.wait_hint(response)
            if asked is None:
                wait = policy.backoff(attempt)
            elif waited_for_server + asked > policy.max_retry_after:
                logger.warning(
                    "%s %s: %d asks to retry after %.0fs; rescheduling",
                    request.method,
                    where,
                    status,
                    asked,
                )
                raise RetryLater(
                    f"{request.method} {where} answered {status}, retry after {asked:.0f}s",
                    url=request.url,
                    status_code=status,
                    retry_after=asked,
                )
            else:
                wait = asked
                waited_for_server += asked
        logger.warning(
            "%s %s: %s on attempt %d of %d; retrying in %.2fs",
            request.method,
            where,
            outcome,
            attempt,
            policy.max_attempts,
            wait,
        )
        sleep(wait)


def _failed_request(error: BaseException) -> httpx.Request | None:
    try:
        return error.request if isinstance(error, httpx.RequestError) else None
    except RuntimeError:  # httpx raises it when the error was made without a request
        return None


def retry_after(response: httpx.Response | None) -> float | None:
    """Seconds the server asked us to wait, from delta-seconds or an HTTP-date (RFC 9110
    section 10.2.3): vendors and webhook receivers alike send either form."""
    if response is None:
        return None
    return retry_after_seconds(response.headers.get("Retry-After"))


RETRY_AFTER_CEILING = 86_400.0
"""The longest wait a Retry-After is taken at: a remote server's header must not push a date
past what datetime can hold (an OverflowError that would stop every tenant's deliveries)."""


def retry_after_seconds(header: str | None) -> float | None:
    """The seconds a Retry-After header value asks for, at most RETRY_AFTER_CEILING; None when
    absent or unreadable."""
    value = (header or "").strip()
    if _DELTA_SECONDS.fullmatch(value):
        return min(float(value), RETRY_AFTER_CEILING)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        # HTTP-dates are GMT by definition; "-0000" parses as naive but means the same.
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - datetime.now(UTC)).total_seconds()), RETRY_AFTER_CEILING)
