"""The states and kinds of connections, runs, destinations and deliveries.

They are StrEnums so the database columns, JSON bodies and CLI output keep the plain values;
a value read back from a column compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    """The vendor refused the credentials (401/403): no sync until they are renewed."""
    DISCONNECTED = "disconnected"
    """Revoked by the tenant: credentials and people data purged, never syncs again."""


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    HELD = "held"
    """A guard stopped it: nothing is delivered until an admin approves or rejects it."""
    REJECTED = "rejected"
    PREVIEWED = "previewed"
    """A dry run: actions computed, delivered nowhere."""


class Environment(StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"


class DestinationKind(StrEnum):
    WEBHOOK = "webhook"
    SCIM = "scim"


class DeliveryStatus(StrEnum):
    """An outbox entry's state."""

    PENDING = "pending"
    SENDING = "sending"
    DELIVERED = "delivered"
    FAILED = "failed"
