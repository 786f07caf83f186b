"""Outbound HTTP for connectors and delivery: the host guard, TLS, timeouts and retries.

Every client that leaves the process is built by ``build_client`` and driven by ``send``.
This package imports nothing of ours but ``rostersync.errors`` (and the version string), so
any layer may use it without pulling in another.
"""

from typing import TYPE_CHECKING

from rostersync.lazy import exports

if TYPE_CHECKING:
    from rostersync.net.addresses import PORTS
    from rostersync.net.client import (
        CONNECT_TIMEOUT,
        DEFAULT_POLICY,
        USER_AGENT,
        Client,
        RetryPolicy,
        build_client,
        retry_after,
        retry_after_seconds,
        send,
    )
    from rostersync.net.errors import (
        BadClientCertificate,
        BlockedDestination,
        CertificateRefused,
        NetError,
        RetryLater,
        TransportFailure,
    )
    from rostersync.net.guard import HostGuard, Resolver, parse_url, system_resolver
    from rostersync.net.posts import Answer, PostClient
    from rostersync.net.redact import safe_url
    from rostersync.net.tls import ClientCertificate

__getattr__ = exports(
    __name__,
    {
        "client": (
            "CONNECT_TIMEOUT",
            "DEFAULT_POLICY",
            "USER_AGENT",
            "Client",
            "RetryPolicy",
            "build_client",
            "retry_after",
            "retry_after_seconds",
            "send",
        ),
        "posts": ("Answer", "PostClient"),
        "errors": (
            "BadClientCertificate",
            "BlockedDestination",
            "CertificateRefused",
            "NetError",
            "RetryLater",
            "TransportFailure",
        ),
        "addresses": ("PORTS",),
        "guard": ("HostGuard", "Resolver", "parse_url", "system_resolver"),
        "redact": ("safe_url",),
        "tls": ("ClientCertificate",),
    },
)

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_POLICY",
    "PORTS",
    "USER_AGENT",
    "Answer",
    "BadClientCertificate",
    "BlockedDestination",
    "CertificateRefused",
    "Client",
    "ClientCertificate",
    "HostGuard",
    "NetError",
    "PostClient",
    "Resolver",
    "RetryLater",
    "RetryPolicy",
    "TransportFailure",
    "build_client",
    "parse_url",
    "retry_after",
    "retry_after_seconds",
    "safe_url",
    "send",
    "system_resolver",
]
