"""POSTs to one origin over kept-alive HTTP/1.1 connections: the webhook sender.

A delivery round sends thousands of small signed bodies to one receiver. httpx spends about
three times the CPU of the request itself building its request and response models, which
made delivery several times slower than the network allows. This client does the one thing a
webhook needs with the standard library: it writes each request itself, head and body in one
write, and reads the answer with ``http.client``'s parser, under the same rules as
``build_client``: the host guard approves the URL once and every address actually dialled
(DNS rebinding), TLS is verified with httpx's own context, redirects are never followed,
a timeout bounds connect and each whole exchange (a receiver dripping bytes or `100 Continue`
lines cannot hold a sending thread past it), and a receiver's answer is read only up to a
bound. Connectors and SCIM keep httpx: they need its auth flows, paging and streaming.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import threading
import time
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


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each given only what is left of the exchange's time: a per-read
    timeout alone lets a receiver sending one byte at a time hold the thread for ever."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the exchange's time is spent")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


class _TimedSocket:
    """What ``http.client.HTTPResponse`` reads an answer through (it calls ``makefile``)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        if mode != "rb":
            raise ValueError(f"an answer is only read, in binary, not {mode!r}")
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


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
        target = parsed.raw_path.decode("ascii")
        host = f"[{self._host}]" if ":" in self._host else self._host
        if parsed.port is not None:
            host = f"{host}:{parsed.port}"
        self._head = (
            f"POST {target} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n".encode(
                "ascii"
            )
        )
        """What every request of this client starts with."""
        self._timeout = timeout
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def post(self, body: bytes, headers: dict[str, str]) -> Answer:
        """Send one POST. Raises TransportFailure when no answer came (after one retry on a
        fresh connection if a kept-alive one had been closed by the receiver meanwhile)."""
        request = self._request(body, headers)
        reused = self._take()
        if reused is not None:
            try:
                return self._exchange(reused, request)
            except _CLOSED_MEANWHILE:
                # Receivers close idle keep-alive connections at will. Sending again is safe:
                # the webhook-id lets a receiver drop a duplicate. A timeout is not retried.
                reused.close()
            except (OSError, http.client.HTTPException) as exc:
                reused.close()
                raise self._failure(exc) from exc
        sock = self._connect()
        try:
            return self._exchange(sock, request)
        except (OSError, http.client.HTTPException) as exc:
            sock.close()
            raise self._failure(exc) from exc

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

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

    def _take(self) -> socket.socket | None:
        with self._lock:
            return self._idle.pop() if self._idle else None

    def _connect(self) -> socket.socket:
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
                # A request is one write (see _request), so Nagle's algorithm has nothing to
                # hold back; off all the same, as httpcore has it, for TLS records past 16 KB.
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self._tls:
                    # The socket is the approved address; the name is what SNI carries.
                    sock = _tls().wrap_socket(sock, server_hostname=self._host)
            except OSError as exc:
                sock.close()
                raise TransportFailure(
                    f"POST {self._where}: TLS failed ({type(exc).__name__})", url=self._where
                ) from exc
            return sock
        raise TransportFailure(
            f"POST {self._where}: could not connect ({type(failure).__name__})", url=self._where
        ) from failure

    def _exchange(self, sock: socket.socket, request: bytes) -> Answer:
        deadline = time.monotonic() + self._timeout
        sock.settimeout(self._timeout)
        sock.sendall(request)
        timed = _TimedSocket(sock, deadline)
        response = http.client.HTTPResponse(timed, method="POST")  # type: ignore[arg-type]
        try:
            response.begin()
            response.read(ANSWER_LIMIT)
            answer = Answer(response.status, response.getheader("Retry-After"))
            # Reused only when the answer was read to its end and the receiver keeps it open.
            reusable = response.isclosed() and not response.will_close
        finally:
            response.close()
        if reusable:
            with self._lock:
                self._idle.append(sock)
        else:
            sock.close()
        return answer

    def _request(self, body: bytes, headers: dict[str, str]) -> bytes:
        """Head and body as one write. http.client writes them in two: with Nagle's algorithm
        the body then waits for the receiver's ACK of the head, which a receiver waiting for
        the rest delays by 40 ms (Linux), and a round of 1,000 POSTs idled about 5 s."""
        fields = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        # One CR and one LF per field, its own end: a name or value holding a line break
        # would start a header (or a request) of its own.
        if fields.count("\r") != len(headers) or fields.count("\n") != len(headers):
            raise ValueError("a header name or value holds a line break")
        return b"".join(
            (self._head, f"Content-Length: {len(body)}\r\n{fields}\r\n".encode("latin-1"), body)
        )
