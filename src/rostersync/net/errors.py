"""Errors raised for outbound HTTP.

    NetError                        carries the request's safe URL (no userinfo or query)
    ├── BlockedDestination          Terminal: the guard refused the target; nothing was sent
    ├── BadClientCertificate        Terminal: a client certificate that cannot work; nothing sent
    ├── CertificateRefused          Terminal: the server refused our client certificate (mTLS)
    ├── TransportFailure            Retryable: timeouts and connection errors, retries spent
    └── RetryLater                  Retryable: the server asked for a longer pause than we wait

Statuses are not errors here: send() hands the last response back and each caller maps
statuses to its own tree (401 means something different to a connector and to a webhook).
"""

from __future__ import annotations

import httpx

from rostersync.errors import ExitCode, Retryable, RostersyncError, Terminal
from rostersync.net.redact import safe_url


class NetError(RostersyncError):
    code = "net_error"
    http_status = 503
    exit_code = ExitCode.ERROR

    def __init__(self, message: str, *, url: httpx.URL | str | None = None) -> None:
        super().__init__(message)
        self.url = safe_url(url) if url is not None else None


class BlockedDestination(NetError, Terminal):
    code = "blocked_destination"
    http_status = 422
    exit_code = ExitCode.BAD_INPUT


class BadClientCertificate(NetError, Terminal):
    """Malformed PEM, an encrypted key, a key of another certificate, or an expired one."""

    code = "bad_client_certificate"
    http_status = 422
    exit_code = ExitCode.BAD_INPUT


class CertificateRefused(NetError, Terminal):
    """The TLS handshake ended with the server refusing (or missing) our client certificate:
    sending again cannot help until the certificate is replaced."""

    code = "certificate_refused"
    http_status = 422
    exit_code = ExitCode.BAD_CREDENTIALS

    def __init__(self, message: str, *, url: httpx.URL | str | None = None, alert: str) -> None:
        super().__init__(message, url=url)
        self.alert = alert


class TransportFailure(NetError, Retryable):
    code = "transport_failure"
    http_status = 503
    exit_code = ExitCode.VENDOR_UNAVAILABLE

    def __init__(
        self, message: str, *, url: httpx.URL | str | None = None, attempts: int = 1
    ) -> None:
        super().__init__(message, url=url)
        self.attempts = attempts


class RetryLater(NetError, Retryable):
    """The server's Retry-After goes past what one call may wait; reschedule instead."""

    code = "retry_later"
    http_status = 503
    exit_code = ExitCode.VENDOR_UNAVAILABLE

    def __init__(
        self,
        message: str,
        *,
        url: httpx.URL | str | None = None,
        status_code: int,
        retry_after: float,
    ) -> None:
        super().__init__(message, url=url)
        self.status_code = status_code
        self.retry_after = retry_after
