"""POSTs to one origin over kept-alive HTTP/1.1 connections: the webhook sender.

A delivery round sends thousands of small signed bodies to one receiver. httpx spends about
three times the CPU of the request itself building its request and response models, which
made delivery several times slower than the network allows. This client does the one thing a
webhook needs with the standard library's ``http.client``, under the same rules as
``build_client``: the host guard approves the URL once and every address actually dialled
(DNS rebinding), TLS is verified with httpx's own context, redirects are never followed,
timeouts apply to connect and to each read, and a receiver's answer is read only up to a
bound. Connectors and SCIM keep httpx: they need its auth flows, paging and streaming.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from dataclasses import dataclass
from functools import cache
from types import TracebackType

import httpx

from rostersync.net.client import CONNECT_TIMEOUT, USER_AGENT
from rostersync.net.errors import TransportFailure
from rostersync.net.guard import HostGuard, parse_url
from rostersync.net.redact import safe_url

ANSWER_LIMIT = 64 * 1024
"""Bytes of a receiver's answer read: enough for any error text; the rest is not wanted."""


_CLOSED_MEANWHILE = (
    http.client.RemoteDisconnected,
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
)


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    retry_after: str | None
    """The raw Retry-After header, for ``retry_after_seconds``."""


@cache
def _tls() -> ssl.SSLContext:
    # httpx's context (certifi roots, its TLS versions): the same trust as every other client.
    return httpx.create_ssl_context(verify=True, trust_env=False)


class PostClient:
    """POSTs to ``url`` only; safe to share between threads (each takes its own connection)."""

    def __init__(self, url: str, guard: HostGuard, *, timeout: float = 15.0) -> None:
        parsed = parse_url(url)
        guard.check(parsed)
        self._guard = guard
        self._where = safe_url(parsed)
        self._tls = parsed.scheme == "https"
        self._host = parsed.raw_host.decode("ascii")
        self._port = parsed.port or (443 if self._tls else 80)
        self._target = parsed.raw_path.decode("ascii")
        self._timeout = timeout
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def post(self, body: bytes, headers: dict[str, str]) -> Answer:
        """Send one POST. Raises TransportFailure when no answer came (after one retry on a
        fresh connection if a kept-alive one had been closed by the receiver meanwhile)."""
        reused = self._take()
        if reused is not None:
            try:
                return self._exchange(reused, body, headers)
            except _CLOSED_MEANWHILE:
                # Receivers close idle keep-alive connections at will. Sending again is safe:
                # the webhook-id lets a receiver drop a duplicate. A timeout is not retried.
                reused.close()
            except (OSError, http.client.HTTPException) as exc:
                reused.close()
                raise self._failure(exc) from exc
        connection = self._connect()
        try:
            return self._exchange(connection, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            raise self._failure(exc) from exc

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def __enter__(self) -> PostClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _failure(self, exc: Exception) -> TransportFailure:
        if isinstance(exc, TimeoutError):
            return TransportFailure(
                f"POST {self._where}: no answer within {self._timeout:g} s", url=self._where
            )
        return TransportFailure(
            f"POST {self._where} failed ({type(exc).__name__})", url=self._where
        )

    def _take(self) -> http.client.HTTPConnection | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _connect(self) -> http.client.HTTPConnection:
        approved = self._guard.addresses(self._host, self._port, plain_http=not self._tls)
        failure: OSError | None = None
        for address in approved:
            try:
                sock = socket.create_connection(
                    (address, self._port), timeout=min(self._timeout, CONNECT_TIMEOUT)
                )
            except OSError as exc:
                failure = exc
                continue
            try:
                sock.settimeout(self._timeout)
                if self._tls:
                    sock = _tls().wrap_socket(sock, server_hostname=self._host)
            except OSError as exc:
                sock.close()
                raise TransportFailure(
                    f"POST {self._where}: TLS failed ({type(exc).__name__})", url=self._where
                ) from exc
            # The socket is the approved address; the name is what Host and SNI carry.
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
            connection.sock = sock
            return connection
        raise TransportFailure(
            f"POST {self._where}: could not connect ({type(failure).__name__})", url=self._where
        ) from failure

    def _exchange(
        self, connection: http.client.HTTPConnection, body: bytes, headers: dict[str, str]
    ) -> Answer:
        connection.request("POST", self._target, body, {"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read(ANSWER_LIMIT)
        answer = Answer(response.status, response.getheader("Retry-After"))
        if response.isclosed() and not response.will_close:
            with self._lock:
                self._idle.append(connection)
        else:
            connection.close()
        return answer
