"""Every state the pages show, in words: one mapping, so no page shows a raw slug.

Keyed by enum class, then member: members of different enums share values (`held` is a run
status, a next-sync state and a tenant health) and compare equal as strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from rostersync.model import (
    ActionKind,
    ConnectionStatus,
    DestinationKind,
    Environment,
    LifecycleRule,
    NeedsAPerson,
    RunStatus,
)
from rostersync.services.schedule import NextSyncState
from rostersync.services.tenants import TenantHealth

LABELS: Mapping[type[StrEnum], Mapping[str, str]] = {
    ConnectionStatus: {
        ConnectionStatus.ACTIVE: "Active",
        ConnectionStatus.NEEDS_REAUTH: "Needs re-authorisation",
        ConnectionStatus.DISCONNECTED: "Disconnected",
    },
    RunStatus: {
        RunStatus.RUNNING: "Running",
        RunStatus.SUCCEEDED: "Succeeded",
        RunStatus.FAILED: "Failed",
        RunStatus.HELD: "Held — needs approval",
        RunStatus.REJECTED: "Rejected",
        RunStatus.PREVIEWED: "Preview (dry run)",
    },
    Environment: {Environment.PRODUCTION: "Production", Environment.STAGING: "Staging"},
    DestinationKind: {DestinationKind.WEBHOOK: "Webhook", DestinationKind.SCIM: "SCIM server"},
    ActionKind: {
        ActionKind.PROVISION: "Invite",
        ActionKind.UPDATE: "Update profile",
        ActionKind.DEPROVISION: "Remove access",
        ActionKind.DELETE: "Delete account",
    },
    LifecycleRule: {
        LifecycleRule.JOINER_ACTIVE: "Joined",
        LifecycleRule.JOINER_LOOKAHEAD: "Starts soon (within the lookahead)",
        LifecycleRule.REHIRE: "Rehired",
        LifecycleRule.LEAVE_RETURN: "Back from leave",
        LifecycleRule.LEAVER_TERMINATED: "Employment ended (or the hire was cancelled)",
        LifecycleRule.LEAVER_MISSING: "No longer in the HR system (missed by two complete reads)",
        LifecycleRule.LEAVER_GARDEN_LEAVE: "Garden leave started (the policy removes access then)",
        LifecycleRule.LEAVE_SUSPEND: "On leave (the policy suspends access)",
        LifecycleRule.SCOPE_OUT: "Moved out of the synced scope (the policy removes access)",
        LifecycleRule.MOVER: "Details changed",
        LifecycleRule.MANAGER_RESOLVED: "Their manager now has an account",
        LifecycleRule.MATCH_LINKED: "Linked to an existing account in your product",
        LifecycleRule.DELETE_GRACE: "Removed long enough ago: the policy deletes the account",
    },
    NeedsAPerson: {
        NeedsAPerson.NO_WORK_EMAIL: "No work email in the HR system, so they cannot be invited. "
        "Add one there; the next sync invites them.",
        NeedsAPerson.DUPLICATE_WORK_EMAIL: "Someone else has the same work email, so neither "
        "can be told apart. Correct the email in the HR system.",
        NeedsAPerson.DISPUTED_MATCH: "More than one account in your product could be this "
        "person. Link the right account, or remove the duplicate.",
    },
    NextSyncState: {
        NextSyncState.SCHEDULED: "Scheduled for",
        NextSyncState.DUE: "Due now",
        NextSyncState.RUNNING: "Syncing now",
        NextSyncState.HELD: "Paused: held — needs approval",
        NextSyncState.NEEDS_REAUTH: "Paused: needs re-authorisation",
        NextSyncState.DISCONNECTED: "Never (disconnected)",
    },
    TenantHealth: {
        TenantHealth.NEEDS_REAUTH: "Needs re-authorisation",
        TenantHealth.HELD: "Held — needs approval",
        TenantHealth.FAILING: "Last sync failed",
        TenantHealth.HEALTHY: "Healthy",
        TenantHealth.NOT_CONNECTED: "Not connected yet",
    },
}

BAD = frozenset(
    {
        ConnectionStatus.NEEDS_REAUTH,
        RunStatus.FAILED,
        RunStatus.HELD,
        TenantHealth.FAILING,
    }
)
"""Values shown as trouble (red); by value, since only the words differ between enums."""

QUIET = frozenset(
    {
        ConnectionStatus.DISCONNECTED,
        RunStatus.RUNNING,
        RunStatus.REJECTED,
        RunStatus.PREVIEWED,
        TenantHealth.NOT_CONNECTED,
    }
)
"""Values shown as neither good nor bad (grey); the rest are shown as fine (green)."""

ERROR_WORDS = {
    "auth_revoked": "The HR system no longer accepts the credentials (changed or revoked). "
    "Reconnect to resume syncing; nobody was removed.",
    "permission_denied": "The HR system's API user lacks a permission. Check the set-up steps, "
    "then reconnect; nobody was removed.",
    "vendor_unavailable": "The HR system did not answer. rostersync will try again.",
    "rate_limited": "The HR system asked us to slow down. rostersync will try again later.",
    "bad_payload": "The HR system sent a response we could not read, so nothing was changed.",
    "connection_not_active": "This connection is not active, so it was not synced.",
    "run_held": "An earlier run is waiting for your approval.",
    "run_abandoned": "The run stopped without finishing; the next sync starts afresh.",
}
"""A failed run's error code in words; any other code shows the run's own message."""

AUDIT_WORDS = {
    "accounts.imported": "Product accounts imported",
    "apikey.created": "API key created",
    "apikey.revoked": "API key revoked",
    "connect_link.created": "Connect link created",
    "connection.created": "Connection created",
    "connection.disconnected": "Connection disconnected and its data deleted",
    "connection.needs_reauth": "Connection needs re-authorisation",
    "connection.policy_changed": "Lifecycle policy changed",
    "connection.promoted": "Connection promoted to production",
    "connection.reconnected": "Connection reconnected",
    "deliveries.replayed": "Failed deliveries sent again",
    "destination.created": "Destination created",
    "destination.disabled": "Destination disabled",
    "destination.secret_rotated": "Signing secret rotated",
    "run.abandoned": "Run failed: it stopped without finishing",
    "run.approved": "Held run approved",
    "run.rejected": "Held run rejected",
    "sync.requested": "Sync started from the dashboard",
    "tenant.created": "Tenant created",
    "tenant.branding_set": "Brand of the connect pages set",
    "tenant.branding_cleared": "Brand of the connect pages reset to the deployment's",
}


def label(value: StrEnum) -> str:
    """The words for a state; a value without words is a bug the label test catches."""
    return LABELS[type(value)][value]


def audit_words(action: str) -> str:
    # An entry written by a newer version than this table still reads as words.
    return AUDIT_WORDS.get(action, action.replace("_", " ").replace(".", ": ").capitalize())
