"""User-lifecycle actions that a sync turns changes into."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ActionKind(StrEnum):
    PROVISION = "provision"
    """Joiner or rehire: invite the person to the product."""
    UPDATE = "update"
    """Mover or changed field: update the person's profile."""
    DEPROVISION = "deprovision"
    """Leaver: remove the person's access."""

    @property
    def event_type(self) -> str:
        return f"user.{self.value}"


class Action(BaseModel):
    """One planned action for one person, with why it was planned.

    Holds ids and field names only, never personal values, so it can be stored, logged and
    shown in a run report as it is.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    """Stable: the same change planned twice gets the same id (idempotency key downstream)."""
    kind: ActionKind
    remote_id: str
    changed_fields: tuple[str, ...] = ()
    cause: str
