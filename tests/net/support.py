"""Test support: a scripted HTTP server on 127.0.0.1 (real sockets) and a recording sleep."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class RecordingSleep:
    """Stands in for time.sleep: remembers the waits instead of spending them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0
    drop: bool = False
    """Close the connection after answering without saying so (a keep-alive server's idle
    timeout, as the client finds it on its next request)."""


class LoopbackServer:
    """Each path answers its scripted replies in order, repeating the last one."""

    def __init__(self, httpd: ThreadingHTTPServer, scheme: str) -> None:
        self._httpd = httpd
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Reply]] = {}
        self.hits: Counter[str] = Counter()
        self.headers: list[dict[str, str]] = []
        self.peers: list[int] = []
        """The client port of each request: how many connections carried them."""
        self.base_url = f"{scheme}://127.0.0.1:{httpd.server_address[1]}"

    def script(self, path: str, *replies: Reply) -> str:
        with self._lock:
            self._scripts[path] = list(replies)
        return self.base_url + path

    def next_reply(self, path: str, headers: dict[str, str], peer: int) -> Reply:
        with self._lock:
            self.hits[path] += 1
            self.peers.append(peer)
            self.headers.append(headers)
            replies = self._scripts.get(path)
            if not replies:
                return Reply(404, body=b"no script")
            return replies.pop(0) if len(replies) > 1 else replies[0]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        self._answer()

    def _answer(self) -> None:
        path = self.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.loopback.next_reply(path, headers, self.client_address[1])
        time.sleep(reply.delay)
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timeout tests); nothing to answer
        if reply.drop:
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _KeepAliveHandler(_Handler):
    protocol_version = "HTTP/1.1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    loopback: LoopbackServer


@contextmanager
def serve(
    tls: ssl.SSLContext | None = None, *, keep_alive: bool = False
) -> Iterator[LoopbackServer]:
    httpd = _Server(("127.0.0.1", 0), _KeepAliveHandler if keep_alive else _Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    httpd.loopback = LoopbackServer(httpd, "https" if tls else "http")
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield httpd.loopback
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server context whose certificate is valid for 127.0.0.1 but signed by nobody."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass(frozen=True)
class Issued:
    """A certificate and its key, as PEM text (what an operator pastes in)."""

    certificate: str
    key: str

    def write(self, directory: Path, stem: str) -> tuple[str, str]:
        cert_path, key_path = directory / f"{stem}.pem", directory / f"{stem}.key"
        cert_path.write_text(self.certificate)
        key_path.write_text(self.key)
        return str(cert_path), str(key_path)


class TestCa:
    """A throwaway certificate authority issuing server and client certificates."""

    __test__ = False  # not a test class, whatever pytest's name rule says

    def __init__(self, name: str = "rostersync test CA") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._name = _name(name)
        now = dt.datetime.now(dt.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(self._name)
            .issuer_name(self._name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def issue(
        self,
        common_name: str,
        *,
        ip: str | None = None,
        valid_for: dt.timedelta = dt.timedelta(days=1),
    ) -> Issued:
        """A leaf certificate; with `ip`, valid as a server certificate for that address."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self._name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5) - max(-valid_for, dt.timedelta()))
            .not_valid_after(now + valid_for)
        )
        if ip is not None:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ip_address(ip))]), critical=False
            )
        certificate = builder.sign(self._key, hashes.SHA256())
        return Issued(
            certificate.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
        )

    def server_requiring_clients(self, directory: Path) -> ssl.SSLContext:
        """A TLS server context for 127.0.0.1 that asks every client for a certificate of this
        CA (the stdlib server, unlike uvicorn's, sends the alert when it refuses one)."""
        certfile, keyfile = self.issue("127.0.0.1", ip="127.0.0.1").write(directory, "server")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        context.load_verify_locations(cadata=self.pem)
        context.verify_mode = ssl.CERT_REQUIRED
        return context

    def trusted_bundle(self, directory: Path) -> str:
        """The public CA bundle plus this CA, for a client that must trust a test server."""
        bundle = directory / "trusted.pem"
        bundle.write_text(Path(certifi.where()).read_text() + self.pem)
        return str(bundle)


class OneReadReceiver:
    """A kept-alive HTTP/1.1 receiver on raw sockets that reads each request with one recv()
    and answers 200: it counts the connections it accepted and the requests whose body came
    after their head (a sender whose body waits for an ACK, as with Nagle's algorithm)."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self.connections = 0
        self.bodies: list[bytes] = []
        self.split = 0
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/hook"

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(1 << 20):
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                whole = len(body) == length
                while len(body) < length:
                    body += conn.recv(length - len(body))
                with self._lock:
                    self.bodies.append(body)
                    self.split += not whole
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")


@contextmanager
def one_read_receiver() -> Iterator[OneReadReceiver]:
    receiver = OneReadReceiver()
    thread = threading.Thread(target=receiver._accept)
    thread.start()
    try:
        yield receiver
    finally:
        receiver._stopped.set()
        thread.join()
        receiver._listener.close()
