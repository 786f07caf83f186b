from __future__ import annotations

import rostersync.connectors
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.connectors,
        {
            "AuthRevoked",
            "BadInput",
            "BadPayload",
            "CONNECTORS",
            "PROVIDERS",
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
        },
    )
