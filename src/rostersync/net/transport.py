"""The transport under every client: the guard runs before each request and each connect."""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from rostersync.net.errors import TransportFailure
from rostersync.net.guard import HostGuard
from rostersync.net.tls import ClientCertificate, client_context

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class GuardedTransport(httpx.BaseTransport):
    """HTTPTransport with the guard in front of every request.

    httpx sends each redirect hop through the transport, so hops are checked like the first
    request. The connection pool is also given a network backend that connects only to
    addresses the guard has just approved, closing the gap between check and connect.

    Plain http:// gets a pool of its own: a backend sees only host and port, and the re-check
    at connect time must know whether the request will travel in clear.

    An origin (scheme, userinfo, host, port) that passed the check is not judged again for
    this transport's later requests: the check would only resolve the name once more, while
    a reused connection keeps the peer approved when it was opened and a new one is
    re-resolved and pinned at connect time anyway. A delivery round sending thousands of
    events to one receiver is spared a DNS lookup per event.
    """

    def __init__(
        self, guard: HostGuard, client_certificate: ClientCertificate | None = None
    ) -> None:
        self._guard = guard
        self._approved: set[tuple[str, bytes, bytes, int | None]] = set()
        # trust_env=False: an environment proxy would carry requests past the pinned
        # backend, and .netrc would attach credentials nobody configured here. One TLS
        # context for both pools: loading the CA bundle is the costly part of a transport.
        tls = client_context(client_certificate)
        self._https = httpx.HTTPTransport(verify=tls, trust_env=False)
        self._http = httpx.HTTPTransport(verify=tls, trust_env=False)
        _pin_connections(self._https, _CheckedBackend(guard, plain_http=False))
        _pin_connections(self._http, _CheckedBackend(guard, plain_http=True))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.userinfo, url.raw_host, url.port)
        if origin not in self._approved:
            self._guard.check(url)
            self._approved.add(origin)
        inner = self._http if request.url.scheme == "http" else self._https
        return inner.handle_request(request)

    def close(self) -> None:
        self._https.close()
        self._http.close()


class _CheckedBackend(httpcore.SyncBackend):
    def __init__(self, guard: HostGuard, *, plain_http: bool) -> None:
        super().__init__()
        self._guard = guard
        self._plain_http = plain_http

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            approved = self._guard.addresses(host, port, plain_http=self._plain_http)
        except TransportFailure as exc:
            # Surfaces as httpx.ConnectError, which send() retries like any refused connect.
            raise httpcore.ConnectError(str(exc)) from exc
        failure: httpcore.ConnectError | None = None
        for address in approved:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address to connect to for {host}")


def _pin_connections(transport: httpx.HTTPTransport, backend: _CheckedBackend) -> None:
    # httpx has no public hook for name resolution; the pool's network backend is where the
    # address actually dialled is chosen. Fail loudly if a dependency upgrade moves it, since
    # silently skipping the pin would reopen DNS rebinding.
    pool = transport._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("httpx internals changed: cannot pin connections to checked addresses")
    pool._network_backend = backend
