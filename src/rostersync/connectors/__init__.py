"""Connectors: one module per HRIS, reading the allowlisted fields only.

Imports model and net only (DESIGN.md section 3).
"""

from typing import TYPE_CHECKING

from rostersync.lazy import exports

if TYPE_CHECKING:
    from rostersync.connectors.base import (
        Connector,
        Credentials,
        ReadContext,
        Record,
        SetupGuide,
        read_records,
    )
    from rostersync.connectors.errors import (
        AuthRevoked,
        BadInput,
        BadPayload,
        ConnectorError,
        PermissionDenied,
        RateLimited,
        VendorUnavailable,
    )
    from rostersync.connectors.providers import PROVIDERS, CredentialField, Provider
    from rostersync.connectors.registry import CONNECTORS, get_connector

__getattr__ = exports(
    __name__,
    {
        "base": (
            "Connector",
            "Credentials",
            "ReadContext",
            "Record",
            "SetupGuide",
            "read_records",
        ),
        "errors": (
            "AuthRevoked",
            "BadInput",
            "BadPayload",
            "ConnectorError",
            "PermissionDenied",
            "RateLimited",
            "VendorUnavailable",
        ),
        "providers": ("PROVIDERS", "CredentialField", "Provider"),
        "registry": ("CONNECTORS", "get_connector"),
    },
)

__all__ = [
    "CONNECTORS",
    "PROVIDERS",
    "AuthRevoked",
    "BadInput",
    "BadPayload",
    "Connector",
    "ConnectorError",
    "CredentialField",
    "Credentials",
    "PermissionDenied",
    "Provider",
    "RateLimited",
    "ReadContext",
    "Record",
    "SetupGuide",
    "VendorUnavailable",
    "get_connector",
    "read_records",
]
