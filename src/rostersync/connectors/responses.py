"""The one reading of a vendor's answer: status (and, where a vendor needs it, body) -> the
ConnectorError the engine acts on, or None for a success.

    401              AuthRevoked        the credentials are wrong or were revoked
    403              PermissionDenied   the API user lacks a permission
    429              RateLimited        still limited after the client waited
    5xx              VendorUnavailable  after the client's retries (a 503 with Retry-After too:
                                        the client waited as asked, and the run retries later)
    404, 410, ...    BadPayload         not an answer the connector expects (wrong host, retired)

Token endpoints read 400 as refused credentials too (RFC 6749 section 5.2, invalid_grant). A
vendor overrides a status with `ResponseClassifier.overriding`, or reads a body first (a SOAP
fault says in its body whether it is about credentials).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from rostersync.connectors.errors import (
    AuthRevoked,
    BadPayload,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    VendorUnavailable,
)

Rule = tuple[type[ConnectorError], str]
"""The error kind, and what follows "<vendor> answered HTTP <status> to <endpoint>"."""

BodyReader = Callable[[httpx.Response, str, str], ConnectorError | None]
"""(response, vendor, endpoint) -> the error its body stands for, or None: by status, then."""

_STATUSES: Mapping[int, Rule] = {
    401: (AuthRevoked, ": the credentials are wrong or were revoked"),
    403: (PermissionDenied, ": the API user lacks a permission for this endpoint"),
    429: (RateLimited, ": rate limit still exceeded after waiting"),
}


@dataclass(frozen=True)
class ResponseClassifier:
    statuses: Mapping[int, Rule] = field(default_factory=lambda: dict(_STATUSES))
    body_statuses: frozenset[int] = frozenset()
    """Statuses whose body `read_body` is asked about before the status rules apply."""
    read_body: BodyReader | None = None

    def overriding(self, rules: Mapping[int, Rule]) -> ResponseClassifier:
        return ResponseClassifier({**self.statuses, **rules}, self.body_statuses, self.read_body)

    def error(
        self, response: httpx.Response, *, vendor: str, endpoint: str
    ) -> ConnectorError | None:
        status = response.status_code
        if 200 <= status < 300:
            return None
        if self.read_body is not None and status in self.body_statuses:
            from_body = self.read_body(response, vendor, endpoint)
            if from_body is not None:
                return from_body
        where = f"{vendor} answered HTTP {status} to {endpoint}"
        kind, reason = self.statuses.get(status) or _by_class(response)
        return kind(where + reason, vendor=vendor, endpoint=endpoint, status=status)

    def check(self, response: httpx.Response, *, vendor: str, endpoint: str) -> None:
        error = self.error(response, vendor=vendor, endpoint=endpoint)
        if error is not None:
            raise error


def _by_class(response: httpx.Response) -> Rule:
    if response.status_code >= 500:
        return VendorUnavailable, " after retries"
    return BadPayload, ", which the connector does not expect"


API_RESPONSES = ResponseClassifier()
"""What a vendor's data endpoints mean, unless its spec overrides a status."""

TOKEN_RESPONSES = API_RESPONSES.overriding(
    {
        400: (AuthRevoked, ": the credentials were refused"),
        401: (AuthRevoked, ": the credentials were refused"),
        403: (PermissionDenied, ": the app or API user lacks a permission"),
    }
)
"""OAuth and vendor token endpoints: a refused grant is revoked credentials, whatever status."""
