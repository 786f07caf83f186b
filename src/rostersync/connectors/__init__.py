"""Connectors: one module per HRIS, reading the allowlisted fields only.

Imports model and net only (DESIGN.md section 3).
"""

from rostersync.connectors.base import (
    Connector,
    CredentialField,
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
from rostersync.connectors.registry import CONNECTORS, get_connector

__all__ = [
    "CONNECTORS",
    "AuthRevoked",
    "BadInput",
    "BadPayload",
    "Connector",
    "ConnectorError",
    "CredentialField",
    "Credentials",
    "PermissionDenied",
    "RateLimited",
    "ReadContext",
    "Record",
    "SetupGuide",
    "VendorUnavailable",
    "get_connector",
    "read_records",
]
