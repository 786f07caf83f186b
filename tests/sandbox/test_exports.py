from __future__ import annotations

import rostersync.sandbox
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.sandbox,
        {
            "Department",
            "EMULATORS",
            "EMULATOR_CREDENTIALS",
            "EmulatorFactory",
            "Fault",
            "FaultKind",
            "Faults",
            "HomeAddress",
            "PersonStatus",
            "SENSITIVE_FIELDS",
            "ServerThread",
            "Site",
            "SyntheticCompany",
            "SyntheticPerson",
            "Team",
        },
    )
