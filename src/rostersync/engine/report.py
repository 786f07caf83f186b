"""What a sync run did, in figures and ids only (no personal values)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rostersync.engine.coverage import FieldWarning
from rostersync.errors import ExitCode
from rostersync.model import Action, RunStatus


@dataclass(frozen=True)
class SyncReport:
    run_id: str
    connection_id: str
    status: RunStatus
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    actions: tuple[Action, ...] = ()
    error_code: str | None = None
    error_message: str | None = None
    hold: str | None = None
    """Why the run is held for approval (held runs and previews that would be held)."""
    needs_a_person: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Reason -> remote ids the run left alone for a person (no email, disputed match...)."""
    coverage: dict[str, int] = field(default_factory=dict)
    """Allowlisted employee field -> how many people of the read had it."""
    field_warnings: tuple[FieldWarning, ...] = ()
    """Fields the vendor should provide that are empty for everyone or dropped sharply."""
    exit_code: ExitCode = ExitCode.OK
    """The CLI's exit status for this run: the failing error's (3 for refused credentials)."""

    @property
    def ok(self) -> bool:
        return self.status != RunStatus.FAILED

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "connection_id": self.connection_id,
            "status": self.status,
            "dry_run": self.dry_run,
            "counts": self.counts,
            "error": (
                {"code": self.error_code, "message": self.error_message}
                if self.error_code
                else None
            ),
            "hold_reason": self.hold,
            "needs_a_person": {k: list(v) for k, v in self.needs_a_person.items()},
            "field_coverage": self.coverage,
            "field_warnings": [w.as_dict() for w in self.field_warnings],
            "actions": [action.as_json() for action in self.actions],
        }
