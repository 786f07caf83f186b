from __future__ import annotations

import ast
from pathlib import Path

import rostersync.net

PACKAGE = Path(rostersync.net.__file__).parent
# The package root is allowed for __version__ only; errors for the shared error root; lazy for
# the package face (it imports nothing of ours).
OURS_ALLOWED = {"rostersync", "rostersync.errors", "rostersync.lazy"}


def test_exported_members() -> None:
    assert set(rostersync.net.__all__) == {
        "CONNECT_TIMEOUT",
        "DEFAULT_POLICY",
        "PORTS",
        "USER_AGENT",
        "Answer",
        "BadClientCertificate",
        "PostClient",
        "retry_after_seconds",
        "BlockedDestination",
        "CertificateRefused",
        "Client",
        "ClientCertificate",
        "HostGuard",
        "NetError",
        "Resolver",
        "RetryLater",
        "RetryPolicy",
        "TransportFailure",
        "build_client",
        "retry_after",
        "parse_url",
        "safe_url",
        "send",
        "system_resolver",
    }
    for name in rostersync.net.__all__:
        assert hasattr(rostersync.net, name)


def test_net_imports_nothing_of_ours_but_errors() -> None:
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("rostersync") and not name.startswith("rostersync.net"):
                    assert name in OURS_ALLOWED, f"{module.name} imports {name}"
