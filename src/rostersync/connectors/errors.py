"""What can go wrong reading a vendor, in the terms the engine acts on.

    ConnectorError(RostersyncError)
    ├── AuthRevoked        401: credentials wrong or revoked -> connection needs_reauth
    ├── PermissionDenied   403: the service user lacks a permission -> needs_reauth, says which
    ├── RateLimited        429 beyond what we may wait for -> retry the run later
    ├── VendorUnavailable  5xx, timeouts, connection failures after retries -> retry later
    ├── BadPayload         a page we cannot read (truncated, malformed) -> the run fails whole
    └── BadInput           missing credential field, base URL not allowed -> fix the input

InvalidSpec(ValueError) is apart: a connector's own spec is wrong, found when it is built.

Messages name the vendor, the endpoint path and the status, never credentials or people data.
"""

from __future__ import annotations

from rostersync.errors import ExitCode, Retryable, RostersyncError, Terminal


class ConnectorError(RostersyncError):
    code = "connector_error"
    http_status = 502
    exit_code = ExitCode.ERROR

    def __init__(
        self,
        message: str,
        *,
        vendor: str | None = None,
        endpoint: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.vendor = vendor
        self.endpoint = endpoint
        """Method and path only: never a query, which may hold a filter on a person."""
        self.status = status
        """The vendor's HTTP status, where an answer came."""


class AuthRevoked(ConnectorError, Terminal):
    code = "auth_revoked"
    http_status = 422
    exit_code = ExitCode.BAD_CREDENTIALS


class PermissionDenied(ConnectorError, Terminal):
    code = "permission_denied"
    http_status = 422
    exit_code = ExitCode.BAD_CREDENTIALS


class RateLimited(ConnectorError, Retryable):
    code = "rate_limited"
    http_status = 503
    exit_code = ExitCode.VENDOR_UNAVAILABLE


class VendorUnavailable(ConnectorError, Retryable):
    code = "vendor_unavailable"
    http_status = 503
    exit_code = ExitCode.VENDOR_UNAVAILABLE


class BadPayload(ConnectorError, Terminal):
    code = "bad_payload"
    http_status = 502
    exit_code = ExitCode.BAD_PAYLOAD


class BadInput(ConnectorError, Terminal):
    code = "bad_input"
    http_status = 422
    exit_code = ExitCode.BAD_INPUT


class InvalidSpec(ValueError):
    """A ConnectorSpec (or its paginator) that cannot work, refused when it is built."""
