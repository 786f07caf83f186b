"""Mutual TLS: the client presents a certificate from memory, and a refusal is one clear error.

Real TLS on 127.0.0.1: the server requires a certificate signed by a test CA. The client trusts
that CA through certifi's bundle (swapped for one that adds it), so server verification stays
on exactly as in production.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import certifi
import pytest

from rostersync.net import (
    BadClientCertificate,
    CertificateRefused,
    ClientCertificate,
    HostGuard,
    build_client,
    send,
)

from .support import LoopbackServer, RecordingSleep, Reply, TestCa, serve

DEV = HostGuard(allow_loopback=True)


@pytest.fixture
def ca() -> TestCa:
    return TestCa()


@pytest.fixture
def mtls_server(
    ca: TestCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LoopbackServer]:
    bundle = ca.trusted_bundle(tmp_path)
    monkeypatch.setattr(certifi, "where", lambda: bundle)
    context = ca.server_requiring_clients(tmp_path)
    with serve(context) as loopback:
        yield loopback


def _get(url: str, certificate: ClientCertificate | None, sleep: RecordingSleep) -> bytes:
    with build_client(DEV, client_certificate=certificate) as client:
        return send(client, client.build_request("GET", url), sleep=sleep).content


def test_a_certificate_of_the_servers_ca_is_accepted(
    mtls_server: LoopbackServer, ca: TestCa, sleep: RecordingSleep
) -> None:
    url = mtls_server.script("/workers", Reply(200, body=b"workers"))
    issued = ca.issue("rostersync client")
    assert _get(url, ClientCertificate(issued.certificate, issued.key), sleep) == b"workers"


@pytest.mark.parametrize("which", ["none", "another CA"])
def test_a_refused_certificate_is_one_error_and_never_retried(
    mtls_server: LoopbackServer, which: str, sleep: RecordingSleep
) -> None:
    url = mtls_server.script("/workers", Reply(200))
    other = TestCa("someone else's CA").issue("rostersync client")
    certificate = None if which == "none" else ClientCertificate(other.certificate, other.key)
    with pytest.raises(CertificateRefused) as refused:
        _get(url, certificate, sleep)
    message = str(refused.value)
    assert "\n" not in message
    assert "refused the TLS client certificate" in message
    assert refused.value.alert in message
    assert sleep.waits == []  # retrying cannot change a certificate
    assert mtls_server.hits["/workers"] == 0


def test_the_key_is_read_from_memory_and_the_descriptor_closed(
    mtls_server: LoopbackServer, ca: TestCa, sleep: RecordingSleep, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = mtls_server.script("/workers", Reply(200))
    issued = ca.issue("rostersync client")
    read_from: list[str] = []
    load = ssl.SSLContext.load_cert_chain

    def recording(context: ssl.SSLContext, certfile: str, *args: object) -> None:
        read_from.append(os.readlink(certfile))
        load(context, certfile, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_cert_chain", recording)
    _get(url, ClientCertificate(issued.certificate, issued.key), sleep)
    # An anonymous memory file (no directory entry anywhere), closed once OpenSSL has read it.
    assert read_from == ["/memfd:rostersync-client-certificate (deleted)"]
    assert not any("memfd:rostersync" in target for target in _open_files())


def _open_files() -> list[str]:
    """What each open descriptor points at, read once: another thread (the test server) may
    close a descriptor between the listing and its readlink."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            found.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue  # closed since the listing (the listing's own descriptor among them)
    return found


@pytest.mark.parametrize(
    ("chain", "key", "says"),
    [
        ("not a certificate", "KEY", "not a PEM certificate"),
        ("CERT", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----", "not a PEM"),
        ("CERT", "OTHER_KEY", "does not belong to the client certificate"),
        ("EXPIRED", "EXPIRED_KEY", "expired on"),
    ],
)
def test_a_certificate_that_cannot_work_is_refused_in_one_line(
    ca: TestCa, chain: str, key: str, says: str
) -> None:
    good, other = ca.issue("client"), ca.issue("other")
    expired = ca.issue("old", valid_for=-timedelta(days=1))
    values = {
        "CERT": good.certificate,
        "KEY": good.key,
        "OTHER_KEY": other.key,
        "EXPIRED": expired.certificate,
        "EXPIRED_KEY": expired.key,
    }
    with pytest.raises(BadClientCertificate, match=says) as refused:
        ClientCertificate(values.get(chain, chain), values.get(key, key))
    assert "\n" not in str(refused.value)
    assert good.key not in str(refused.value)


def test_the_certificate_is_not_shown_in_reprs(ca: TestCa) -> None:
    issued = ca.issue("client")
    shown = repr(ClientCertificate(issued.certificate, issued.key))
    assert "BEGIN" not in shown
