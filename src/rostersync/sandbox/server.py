"""Serve an ASGI app over real HTTP on loopback from a background thread.

Tests and the demo use it to put an emulator behind a real socket, so connectors are
exercised through their real HTTP stack::

    app = create_app(company, credentials={"service_user_id": "su", "token": "t"})
    with ServerThread(app) as server:
        httpx.post(f"{server.base_url}/v1/people/search", ...)

With a certificate (`tls=(certfile, keyfile)`) it serves https, for tests where browsers apply
their rules for secure sites (Secure and partitioned cookies); with `client_ca` as well, clients
must present a certificate that CA signed (mutual TLS, as ADP requires).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

__all__ = ["ServerThread"]


class ServerThread:
    """Runs uvicorn on ``host`` (loopback) on a free port until :meth:`stop`.

    The socket is bound before the thread starts, so :attr:`base_url` is known at once and
    two servers never race for a port. :meth:`start` returns only once the server answers
    HTTP.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        startup_timeout: float = 10.0,
        shutdown_timeout: float = 5.0,
        probe_path: str = "/_sandbox/ping",
        tls: tuple[str, str] | None = None,
        client_ca: str | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        # Any HTTP answer (even 404) proves the server is up; the default path sits under
        # /_sandbox so the readiness probe never consumes a queued fault or shows in logs.
        self.probe_path = probe_path
        self.tls = tls
        self.client_ca = client_ca
        if client_ca and not tls:
            raise ValueError("client_ca needs tls: client certificates are a TLS feature")
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        if not self.port:
            raise RuntimeError("server not started")
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        if self._thread is not None:
            raise RuntimeError("server already started")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # uvicorn writes headers and body separately; without this, Nagle's algorithm and
        # delayed ACKs hold every answer back by about 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self._requested_port))
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
            http="h11",
            # A slow-response fault may still be sleeping at shutdown; do not wait it out.
            timeout_graceful_shutdown=1,
            ssl_certfile=self.tls[0] if self.tls else None,
            ssl_keyfile=self.tls[1] if self.tls else None,
            ssl_ca_certs=self.client_ca,
            ssl_cert_reqs=ssl.CERT_REQUIRED if self.client_ca else ssl.CERT_NONE,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"sandbox:{self.port}", daemon=True
        )
        self._thread.start()
        self._wait_until_answering()
        return self

    def _wait_until_answering(self) -> None:
        assert self._server is not None
        assert self._thread is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError("sandbox server thread exited during startup")
            if self._server.started and self._answers():
                return
            time.sleep(0.01)
        self.stop()
        raise TimeoutError(f"sandbox server on port {self.port} did not start in time")

    def _answers(self) -> bool:
        if self.client_ca:
            # A probe would need a certificate the server accepts; uvicorn reports started
            # only once it accepts on the socket, which is what matters here.
            return True
        conn: http.client.HTTPConnection
        if self.tls:
            # Only "does it answer": the certificate is the test's own, self-signed.
            unverified = ssl._create_unverified_context()  # noqa: S323
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=1, context=unverified)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=1)
        try:
            conn.request("GET", self.probe_path)
            conn.getresponse().read()
        except OSError:
            return False
        finally:
            conn.close()
        return True

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(self.shutdown_timeout)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(self.shutdown_timeout)
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._thread = None
        self._server = None
        self._socket = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
