"""A vendor's HTTP API as connectors see it: documented paths, statuses turned into errors.

The client itself comes from rostersync.net (TLS, timeouts, retries, host guard); this module
adds what is common to every vendor: where the API root is, and what a status means for a sync.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
import ijson

from rostersync.connectors.base import ReadContext
from rostersync.connectors.errors import (
    AuthRevoked,
    BadInput,
    BadPayload,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    VendorUnavailable,
)
from rostersync.net import (
    BlockedDestination,
    HostGuard,
    RetryLater,
    RetryPolicy,
    TransportFailure,
    build_client,
)
from rostersync.net import send as send_with_retries


def effective_root(api_root: str, base_url: str | None) -> str:
    """The documented root, or the same root on another scheme, host and port (plus a prefix)."""
    if not base_url:
        return api_root.rstrip("/")
    override = urlsplit(base_url)
    if override.scheme not in ("http", "https") or not override.hostname:
        raise BadInput(f"base URL must look like https://host[:port], got {override.scheme}://…")
    if override.username or override.password or override.query or override.fragment:
        raise BadInput("base URL must not carry credentials, a query or a fragment")
    documented = urlsplit(api_root)
    return f"{override.scheme}://{override.netloc}{override.path.rstrip('/')}{documented.path}"


def check_base_url(root: str, allowed_hosts: tuple[str, ...], *, allow_loopback: bool) -> None:
    """Refuse, before anything is stored, an API root the host guard would refuse at sync time."""
    guard = HostGuard(allowed_hosts=allowed_hosts, allow_loopback=allow_loopback)
    try:
        guard.check(root + "/")
    except BlockedDestination as exc:
        raise BadInput(str(exc)) from exc


class VendorClient:
    """One read's HTTP session with a vendor; closes its connections when the read ends."""

    def __init__(
        self,
        *,
        vendor: str,
        root: str,
        allowed_hosts: tuple[str, ...],
        context: ReadContext,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.vendor = vendor
        self.root = root
        guard = HostGuard(allowed_hosts=allowed_hosts, allow_loopback=context.allow_loopback)
        self._client = build_client(guard, auth=auth, headers=headers)
        self._policy = policy or RetryPolicy()
        self._sleep = context.sleep

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._client.close()

    def parse_json(self, response: httpx.Response, endpoint: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise BadPayload(
                f"{self.vendor} sent a response that is not JSON to {endpoint}"
            ) from exc

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Iterator[httpx.Response]:
        """A checked response whose body is read as it arrives, so memory stays flat.

        `path` is under the API root, or an absolute URL the vendor gave (a next-page link);
        either way the host guard checks it before anything is sent.
        """
        url = path if path.startswith(("https://", "http://")) else self.root + path
        request = self._client.build_request(method, url, params=params, json=json)
        try:
            response = send_with_retries(
                self._client, request, policy=self._policy, sleep=self._sleep, stream=True
            )
        except BlockedDestination as exc:
            raise BadInput(f"{self.vendor}: {exc}") from exc
        except TransportFailure as exc:
            raise VendorUnavailable(f"{self.vendor} did not answer {method} {path}") from exc
        except RetryLater as exc:
            raise RateLimited(
                f"{self.vendor} asked to wait {exc.retry_after:.0f}s on {method} {path}"
            ) from exc
        try:
            self._raise_for_status(response, f"{method} {path}")
            yield response
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise BadPayload(f"{self.vendor} broke off the response to {method} {path}") from exc
        finally:
            response.close()

    def _raise_for_status(self, response: httpx.Response, endpoint: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"{self.vendor} answered HTTP {status} to {endpoint}"
        error: ConnectorError
        if status == 401:
            error = AuthRevoked(f"{where}: the credentials are wrong or were revoked")
        elif status == 403:
            error = PermissionDenied(f"{where}: the API user lacks a permission for this endpoint")
        elif status == 429:
            error = RateLimited(f"{where}: rate limit still exceeded after waiting")
        elif status >= 500:
            error = VendorUnavailable(f"{where} after retries")
        else:
            error = BadPayload(f"{where}, which the connector does not expect")
        raise error


class ChunkReader:
    """A read()-able view of a streamed body, for the incremental JSON and XML parsers."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


def iter_json_items(response: httpx.Response, records_path: str, *, vendor: str) -> Iterator[Any]:
    """Yield each record of the list at `records_path` ("" = the body) as it is parsed.

    A body without that list is an error, not an empty company: a read that finds nobody
    because the vendor changed its shape must not look like everyone leaving.
    """
    found = False

    def watched(events: Iterator[tuple[str, str, Any]]) -> Iterator[tuple[str, str, Any]]:
        nonlocal found
        for prefix, event, value in events:
            if prefix == records_path and event == "start_array":
                found = True
            yield prefix, event, value

    item_prefix = f"{records_path}.item" if records_path else "item"
    try:
        events = ijson.parse(ChunkReader(response.iter_bytes()), use_float=True)
        yield from ijson.items(watched(events), item_prefix)
    except ijson.JSONError as exc:
        raise BadPayload(f"{vendor} sent a truncated or malformed response") from exc
    if not found:
        where = f" at {records_path!r}" if records_path else ""
        raise BadPayload(f"{vendor} sent a response without its list of records{where}")
