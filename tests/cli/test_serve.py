"""`rostersync serve` terminates TLS itself and sends secure headers."""

from __future__ import annotations

import datetime as dt
import os
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rostersync.store.crypto import generate_key_setting


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_serve_over_tls_with_security_headers(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env |= {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rostersync",
            "serve",
            "--port",
            str(port),
            "--certfile",
            str(cert),
            "--keyfile",
            str(key),
            "--no-workers",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    trust = ssl.create_default_context(cafile=str(cert))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"https://localhost:{port}/healthz", verify=trust)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert answer.json() == {"status": "ok"}
        assert answer.headers["strict-transport-security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "server" not in answer.headers
        assert httpx.get(f"https://localhost:{port}/openapi.json", verify=trust).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=30)
