"""A vendor's HTTP API as connectors see it: documented paths, bounded bodies, and statuses
turned into errors by the spec's ResponseClassifier.

The client itself comes from rostersync.net (TLS, timeouts, retries, host guard); this module
adds what is common to every vendor: where the API root is, and what a status means for a sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
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
    RateLimited,
    VendorUnavailable,
)
from rostersync.connectors.pacing import Pacer, RateLimit
from rostersync.connectors.responses import API_RESPONSES, ResponseClassifier
from rostersync.net import (
    BlockedDestination,
    CertificateRefused,
    ClientCertificate,
    HostGuard,
    RetryLater,
    RetryPolicy,
    TransportFailure,
    build_client,
)
from rostersync.net import send as send_with_retries

# The ceiling on what one vendor response may cost, enforced as the bytes arrive: a parser only
# ever sees a body that is within it, and stops at the first level past MAX_DEPTH.
MiB = 1 << 20
MAX_DEPTH = 64
"""Nesting levels of JSON or XML. The deepest real shape we read (a Workday Get_Workers
envelope) is about 15; nothing legitimate comes near 64, and parsers' costs grow with depth."""
MAX_BODY_BYTES = 32 * MiB
"""A body held whole in memory (a page, a token answer, a SOAP fault). A page of a thousand
records is about 1 MiB in the most verbose vendor; 32 keeps a wide margin and bounds memory."""
MAX_STREAMED_BYTES = 512 * MiB
"""A body parsed as it arrives (a whole-company answer, a SOAP page), whose memory stays flat.
HiBob sends about 800 bytes a person: 512 MiB holds 600,000 people, and bounds how long a
hostile endless body can hold a read."""


def capped(chunks: Iterable[bytes], *, limit: int, vendor: str, endpoint: str) -> Iterator[bytes]:
    """The chunks of a body, refused as soon as they add up to more than `limit` bytes."""
    received = 0
    for chunk in chunks:
        received += len(chunk)
        if received > limit:
            raise BadPayload(
                f"{vendor} sent more than {limit // MiB} MiB in answer to {endpoint}, "
                "the most one response may hold",
                vendor=vendor,
                endpoint=endpoint,
            )
        yield chunk


def read_body(response: httpx.Response, *, vendor: str, endpoint: str) -> bytes:
    """response.read(), refused past MAX_BODY_BYTES of decoded content (a gzip bomb is small)."""
    content = b"".join(
        capped(response.iter_bytes(), limit=MAX_BODY_BYTES, vendor=vendor, endpoint=endpoint)
    )
    # What read() itself keeps: httpx reads an auth flow's responses again once it has them.
    response._content = content
    return content


def too_deep(vendor: str, endpoint: str) -> BadPayload:
    return BadPayload(
        f"{vendor} sent a response to {endpoint} nested deeper than {MAX_DEPTH} levels"
    )


def _within_depth(document: Any) -> bool:
    level = [document] if isinstance(document, dict | list) else []
    for _ in range(MAX_DEPTH):
        if not level:
            return True
        level = [
            child
            for container in level
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
    return not level


def parse_json(body: bytes, *, vendor: str, endpoint: str) -> Any:
    """A whole JSON body (already within MAX_BODY_BYTES), refused past MAX_DEPTH.

    The stdlib parser costs memory in proportion to the bytes, whatever their nesting, and
    stops itself near a thousand levels; the depth is then checked before anything reads
    the document.
    """
    try:
        document = json.loads(body)
    except RecursionError:
        raise too_deep(vendor, endpoint) from None
    except ValueError as exc:
        raise BadPayload(
            f"{vendor} sent a response that is not JSON to {endpoint}",
            vendor=vendor,
            endpoint=endpoint,
        ) from exc
    if not _within_depth(document):
        raise too_deep(vendor, endpoint)
    return document


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
        classifier: ResponseClassifier = API_RESPONSES,
        limits: Sequence[RateLimit] = (),
        client_certificate: ClientCertificate | None = None,
    ) -> None:
        self.vendor = vendor
        self.classifier = classifier
        self.root = root
        guard = HostGuard(allowed_hosts=allowed_hosts, allow_loopback=context.allow_loopback)
        self._client = build_client(
            guard, auth=auth, headers=headers, client_certificate=client_certificate
        )
        self._policy = policy or RetryPolicy()
        self._sleep = context.sleep
        self._pacer = Pacer(limits, context.sleep)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._client.close()

    @contextmanager
    def stream(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> Iterator[httpx.Response]:
        """A checked response whose body is read as it arrives, so memory stays flat.

        `path` is under the API root, or an absolute URL the vendor gave (a next-page link);
        either way the host guard checks it before anything is sent.
        """
        url = path if path.startswith(("https://", "http://")) else self.root + path
        request = self._client.build_request(method, url, params=params, json=json, data=data)
        self._pacer.wait()
        try:
            response = send_with_retries(
                self._client, request, policy=self._policy, sleep=self._sleep, stream=True
            )
        except BlockedDestination as exc:
            raise BadInput(f"{self.vendor}: {exc}") from exc
        except CertificateRefused as exc:
            # The token call goes first, so the refused URL may be the token endpoint's.
            raise AuthRevoked(
                f"{self.vendor} refused the TLS client certificate ({exc.alert}) at {exc.url}: "
                "give the certificate the vendor signed for this app, with its private key",
                vendor=self.vendor,
                endpoint=f"{method} {path}",
            ) from exc
        except TransportFailure as exc:
            raise VendorUnavailable(
                f"{self.vendor} did not answer {method} {path}",
                vendor=self.vendor,
                endpoint=f"{method} {path}",
            ) from exc
        except RetryLater as exc:
            raise RateLimited(
                f"{self.vendor} asked to wait {exc.retry_after:.0f}s on {method} {path}",
                vendor=self.vendor,
                endpoint=f"{method} {path}",
                status=exc.status_code,
            ) from exc
        try:
            self.classifier.check(response, vendor=self.vendor, endpoint=f"{method} {path}")
            yield response
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise BadPayload(
                f"{self.vendor} broke off the response to {method} {path}",
                vendor=self.vendor,
                endpoint=f"{method} {path}",
            ) from exc
        finally:
            response.close()


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


_OPENS = frozenset(("start_map", "start_array"))
_CLOSES = frozenset(("end_map", "end_array"))
_ITEM, _ELSEWHERE = "item", "\x00"


def iter_json_items(
    response: httpx.Response, records_path: str, *, vendor: str, endpoint: str
) -> Iterator[Any]:
    """Yield each record of the list at `records_path` ("" = the body) as it is parsed.

    A body without that list is an error, not an empty company: a read that finds nobody
    because the vendor changed its shape must not look like everyone leaving.
    """
    # ijson's own prefixes join every key above each event, and it builds a whole buffer's
    # events at once: memory grows with depth times key length, which a small hostile body
    # turns into gigabytes. The parser here gives bare events; only whether an event sits
    # at a record of the list is worked out, from a path that cannot outgrow MAX_DEPTH.
    target = records_path.split(".") if records_path else []
    item = [*target, _ITEM]
    found = False

    def located(events: Iterator[tuple[str, Any]]) -> Iterator[tuple[str, str, Any]]:
        nonlocal found
        path: list[str] = []
        # Containers open within the current record: ijson.items takes every event of a
        # record it has started, whatever its prefix, so there only depth is counted (most
        # of a body's events are there).
        inside = 0
        ceiling = MAX_DEPTH - len(item)
        for event, value in events:
            if inside:
                if event in _OPENS:
                    inside += 1
                    if inside > ceiling:
                        raise too_deep(vendor, endpoint)
                elif event in _CLOSES:
                    inside -= 1
                yield _ELSEWHERE, event, value
                continue
            at_item = False
            if event == "map_key":
                path[-1] = value
            elif event in _CLOSES:
                path.pop()
            else:
                at_item = len(path) == len(item) and path == item
                if event in _OPENS:
                    if at_item:
                        inside = 1
                    else:
                        if event == "start_array" and path == target:
                            found = True
                        path.append(_ITEM if event == "start_array" else _ELSEWHERE)
                        if len(path) > MAX_DEPTH:
                            raise too_deep(vendor, endpoint)
            yield (_ITEM if at_item else _ELSEWHERE), event, value

    chunks = capped(
        response.iter_bytes(), limit=MAX_STREAMED_BYTES, vendor=vendor, endpoint=endpoint
    )
    try:
        events = ijson.basic_parse(ChunkReader(chunks), use_float=True)
        yield from ijson.items(located(events), _ITEM)
    except ijson.JSONError as exc:
        raise BadPayload(f"{vendor} sent a truncated or malformed response") from exc
    if not found:
        where = f" at {records_path!r}" if records_path else ""
        raise BadPayload(f"{vendor} sent a response without its list of records{where}")
