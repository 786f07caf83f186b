from __future__ import annotations

import rostersync.engine
from tests.exports import assert_exports


def test_exported_members() -> None:
    assert_exports(
        rostersync.engine,
        {
            "Check",
            "ConnectionNotActive",
            "EngineError",
            "Inputs",
            "NotHeld",
            "Outcome",
            "Plan",
            "PlannedAction",
            "Policy",
            "PreflightResult",
            "ProviderInfo",
            "RunAbandoned",
            "RunCrashed",
            "RunHeld",
            "SyncOptions",
            "SyncReport",
            "VendorProfile",
            "apply_plan",
            "catalog",
            "check_credentials",
            "check_environment",
            "check_timezone",
            "events",
            "fail_abandoned_runs",
            "plan",
            "plans",
            "providers",
            "run_preflight",
            "run_sync",
            "validate_credentials",
            "validate_policy",
            "vendor_profile",
        },
    )
