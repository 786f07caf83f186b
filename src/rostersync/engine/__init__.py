"""The engine: one sync run (a complete read or a failure, never a partial snapshot), the pure
planner (diff, lifecycle, matching, guards), run reports, preflight, and the read-only provider
catalog for api and web. Imports model, connectors and store (DESIGN.md section 3).

Other packages import from here; `catalog`, `plans` and `events` are faces of their own (the
vendor list, a held plan's stored form, and the outbox events services publish).
"""

from typing import TYPE_CHECKING

from rostersync.lazy import exports

if TYPE_CHECKING:
    from rostersync.engine import catalog, events, plans
    from rostersync.engine.apply import apply_plan
    from rostersync.engine.catalog import ProviderInfo, VendorProfile, providers, vendor_profile
    from rostersync.engine.errors import (
        ConnectionNotActive,
        EngineError,
        NotHeld,
        RunAbandoned,
        RunCrashed,
        RunHeld,
    )
    from rostersync.engine.lifecycle import Inputs, Plan, PlannedAction, plan
    from rostersync.engine.policy import Policy
    from rostersync.engine.preflight import Check, Outcome, PreflightResult, run_preflight
    from rostersync.engine.report import SyncReport
    from rostersync.engine.setup import (
        check_credentials,
        check_environment,
        check_timezone,
        validate_credentials,
        validate_policy,
    )
    from rostersync.engine.sync import SyncOptions, fail_abandoned_runs, run_sync

__getattr__ = exports(
    __name__,
    {
        "catalog": ("catalog", "ProviderInfo", "VendorProfile", "providers", "vendor_profile"),
        "plans": ("plans",),
        "events": ("events",),
        "errors": (
            "ConnectionNotActive",
            "EngineError",
            "NotHeld",
            "RunAbandoned",
            "RunCrashed",
            "RunHeld",
        ),
        "lifecycle": ("Inputs", "Plan", "PlannedAction", "plan"),
        "policy": ("Policy",),
        "preflight": ("Check", "Outcome", "PreflightResult", "run_preflight"),
        "report": ("SyncReport",),
        "setup": (
            "check_credentials",
            "check_environment",
            "check_timezone",
            "validate_credentials",
            "validate_policy",
        ),
        "apply": ("apply_plan",),
        "sync": ("SyncOptions", "fail_abandoned_runs", "run_sync"),
    },
)

__all__ = [
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
]
