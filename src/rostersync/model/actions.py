"""User-lifecycle actions that a sync turns changes into."""

from __future__ import annotations

from enum import StrEnum

from rostersync.model.frozen import FrozenRecord
from rostersync.model.people import EmploymentStatus


class ActionKind(StrEnum):
    PROVISION = "provision"
    """Joiner or rehire: invite the person to the product."""
    UPDATE = "update"
    """Mover or changed field: update the person's profile."""
    DEPROVISION = "deprovision"
    """Leaver (or suspension by policy): disable the person's account; nothing is deleted."""
    DELETE = "delete"
    """Opt-in, after a grace period following a deprovision: delete the account for good."""

    @property
    def event_type(self) -> str:
        return f"user.{self.value}"


class ConnectionEvent(StrEnum):
    """Events about a connection rather than a person."""

    NEEDS_REAUTH = "connection.needs_reauth"
    SYNCED = "connection.synced"
    HELD = "sync.held"


EVENT_TYPES: tuple[str, ...] = (
    *(kind.event_type for kind in ActionKind),
    *(event.value for event in ConnectionEvent),
)
"""Every event type a destination can receive (and filter on)."""


class Action(FrozenRecord):
    """One planned action for one person, with why it was planned.

    Holds ids and field names only, never personal values, so it can be stored, logged and
    shown in a run report as it is.
    """

    id: str
    """Stable: the same change planned twice gets the same id (idempotency key downstream)."""
    kind: ActionKind
    remote_id: str
    rule: str
    """Which lifecycle rule fired, e.g. `joiner.active`, `leaver.terminated`, `mover`."""
    cause: str
    """The rule in words, with the statuses involved; never a personal value."""
    changed_fields: tuple[str, ...] = ()
    from_status: EmploymentStatus | None = None
    to_status: EmploymentStatus | None = None
    account_id: str | None = None
    """The product account this person is linked to, when matching found one."""
