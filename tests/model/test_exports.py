from __future__ import annotations

import rostersync.model
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.model,
        {
            "ALLOWLIST",
            "AccountIndex",
            "Action",
            "ActionKind",
            "AllowedField",
            "ConnectionEvent",
            "ConnectionStatus",
            "DeliveryStatus",
            "DestinationKind",
            "EVENT_TYPES",
            "Employee",
            "EmploymentStatus",
            "Environment",
            "Group",
            "GroupType",
            "Location",
            "NOT_ACCESSED",
            "Record",
            "RecordType",
            "RunStatus",
            "StoredPerson",
            "allowed_field",
            "field_names",
            "normalise_email",
            "personal_field_names",
        },
    )
