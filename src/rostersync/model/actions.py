"""User-lifecycle actions that a sync turns changes into."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

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

    CREATED = "connection.created"
    """A connection was made (through a link or by the operator): ids and vendor, no secret."""
    NEEDS_REAUTH = "connection.needs_reauth"
    SYNCED = "connection.synced"
    HELD = "sync.held"


EVENT_TYPES: tuple[str, ...] = (
    *(kind.event_type for kind in ActionKind),
    *(event.value for event in ConnectionEvent),
)
"""Every event type a destination can receive (and filter on)."""


@dataclass(frozen=True, slots=True)
class Action:
    """One planned action for one person, with why it was planned.

    Holds ids and field names only, never personal values, so it can be stored, logged and
    shown in a run report as it is. The planner makes them (a first sync one per person), so
    they are plain slotted values rather than validated models: a third of the memory.
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

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "remote_id": self.remote_id,
            "rule": self.rule,
            "cause": self.cause,
            "changed_fields": list(self.changed_fields),
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value if self.to_status else None,
            "account_id": self.account_id,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Action:
        """An action as `as_json` wrote it (a held plan read back)."""
        statuses = (data["from_status"], data["to_status"])
        before, after = (EmploymentStatus(s) if s else None for s in statuses)
        return cls(
            id=data["id"],
            kind=ActionKind(data["kind"]),
            remote_id=data["remote_id"],
            rule=data["rule"],
            cause=data["cause"],
            changed_fields=tuple(data["changed_fields"]),
            from_status=before,
            to_status=after,
            account_id=data["account_id"],
        )
