"""TLS for outbound clients: the verifying context, and a client certificate for mutual TLS.

A vendor that authenticates the connection itself (ADP: a certificate its CA signed, besides
the OAuth client) needs the certificate chain and private key in the SSL context. Both are
credentials, stored encrypted; the key is never written to a file in clear. OpenSSL's
`load_cert_chain` only reads paths, so the PEM is put in an anonymous in-memory file
(`os.memfd_create`, Linux) and read through its `/proc/self/fd/N` path, then closed: nothing
reaches a file system, and the descriptor is not inherited by child processes (MFD_CLOEXEC).

A certificate that cannot work (not PEM, no key, an encrypted key, a key of another
certificate, expired) is refused with one line saying which, before anything is sent.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime

import certifi
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import types

from rostersync.net.errors import BadClientCertificate

MAX_PEM_CHARS = 64 * 1024
"""A certificate chain of a few intermediates is under 10 KB; a key under 4 KB."""

# What OpenSSL says when the server refused our certificate, or asked for one we did not send
# (TLS 1.2 fails the handshake; TLS 1.3 sends the alert after it, at the first read).
_REFUSED = frozenset(
    {
        "TLSV13_ALERT_CERTIFICATE_REQUIRED",
        "SSLV3_ALERT_BAD_CERTIFICATE",
        "TLSV1_ALERT_UNKNOWN_CA",
        "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
        "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        "SSLV3_ALERT_CERTIFICATE_REVOKED",
        "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        "TLSV1_ALERT_ACCESS_DENIED",
    }
)


@dataclass(frozen=True)
class ClientCertificate:
    """A PEM certificate chain (leaf first) and its unencrypted PEM private key."""

    chain: str = field(repr=False)
    key: str = field(repr=False)

    def __post_init__(self) -> None:
        self.check(datetime.now(UTC))

    def check(self, now: datetime) -> None:
        """Raise BadClientCertificate unless the pair can be presented at `now`."""
        if len(self.chain) > MAX_PEM_CHARS or len(self.key) > MAX_PEM_CHARS:
            raise BadClientCertificate("the client certificate or key is too long to be PEM")
        try:
            certificates = x509.load_pem_x509_certificates(self.chain.encode())
        except ValueError:
            raise BadClientCertificate(
                "the client certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"
            ) from None
        try:
            key = serialization.load_pem_private_key(self.key.encode(), password=None)
        except TypeError:
            raise BadClientCertificate(
                "the private key is encrypted; give it without a passphrase"
            ) from None
        except (ValueError, UnsupportedAlgorithm):
            raise BadClientCertificate(
                "the private key is not a PEM private key (-----BEGIN PRIVATE KEY-----)"
            ) from None
        leaf = certificates[0]
        if not _same_key(key, leaf):
            raise BadClientCertificate("the private key does not belong to the client certificate")
        if leaf.not_valid_after_utc < now:
            raise BadClientCertificate(
                f"the client certificate expired on {leaf.not_valid_after_utc.date()}"
            )
        if leaf.not_valid_before_utc > now:
            raise BadClientCertificate(
                f"the client certificate is not valid before {leaf.not_valid_before_utc.date()}"
            )


def _same_key(key: types.PrivateKeyTypes, certificate: x509.Certificate) -> bool:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return bool(
        key.public_key().public_bytes(*spki) == certificate.public_key().public_bytes(*spki)
    )


def client_context(certificate: ClientCertificate | None = None) -> ssl.SSLContext:
    """A context that verifies servers against the public CAs, presenting `certificate`."""
    context = ssl.create_default_context(cafile=certifi.where())
    if certificate is not None:
        _load_in_memory(context, certificate)
    return context


def _load_in_memory(context: ssl.SSLContext, certificate: ClientCertificate) -> None:
    if not hasattr(os, "memfd_create"):
        raise BadClientCertificate("client certificates need Linux (an in-memory file for the key)")
    descriptor = os.memfd_create("rostersync-client-certificate", os.MFD_CLOEXEC)
    try:
        pem = certificate.chain.strip() + "\n" + certificate.key.strip() + "\n"
        os.write(descriptor, pem.encode())
        try:
            context.load_cert_chain(f"/proc/self/fd/{descriptor}")
        except ssl.SSLError:
            # Parsed by cryptography already: OpenSSL refusing it is a key type it cannot use.
            raise BadClientCertificate("the client certificate cannot be used for TLS") from None
    finally:
        os.close(descriptor)


def refused_certificate(error: BaseException) -> str | None:
    """The TLS alert when `error` (or what caused it) says the server refused our certificate."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError) and seen.reason in _REFUSED:
            return str(seen.reason)
        seen = seen.__cause__ or seen.__context__
    return None
