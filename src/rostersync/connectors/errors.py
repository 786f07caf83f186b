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

from rostersync.errors import Retryable, RostersyncError, Terminal


class ConnectorError(RostersyncError):
    code = "connector_error"


class AuthRevoked(ConnectorError, Terminal):
    code = "auth_revoked"


class PermissionDenied(ConnectorError, Terminal):
    code = "permission_denied"


class RateLimited(ConnectorError, Retryable):
    code = "rate_limited"


class VendorUnavailable(ConnectorError, Retryable):
    code = "vendor_unavailable"


class BadPayload(ConnectorError, Terminal):
    code = "bad_payload"


class BadInput(ConnectorError, Terminal):
    code = "bad_input"


class InvalidSpec(ValueError):
    """A ConnectorSpec (or its paginator) that cannot work, refused when it is built."""
