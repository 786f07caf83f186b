"""Per-connection lifecycle policy: lookahead, leave, leavers, scope, guards, hard delete.

Stored as JSON on the connection; every field has the documented default, so an empty
policy is the safe one.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rostersync.model import Employee, EmploymentStatus, Location


class Scope(BaseModel):
    """Who may have access at all. Empty include lists mean "everyone"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    include_statuses: tuple[EmploymentStatus, ...] = ()
    include_group_ids: tuple[str, ...] = ()
    exclude_group_ids: tuple[str, ...] = ()
    include_countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    include_email_domains: tuple[str, ...] = ()
    exclude_email_domains: tuple[str, ...] = ()

    def rule_excluding(self, employee: Employee, locations: dict[str, Location]) -> str | None:
        """The first scope rule that leaves this person out, or None when they are in scope."""
        location = locations.get(employee.location_id or "")
        country = location.country if location else None
        domain = (employee.work_email or "").rpartition("@")[2].lower() or None
        groups = set(employee.group_ids)
        checks = (
            (
                "include_statuses",
                bool(self.include_statuses)
                and employee.employment_status not in self.include_statuses,
            ),
            (
                "include_group_ids",
                bool(self.include_group_ids) and not groups & set(self.include_group_ids),
            ),
            ("exclude_group_ids", bool(groups & set(self.exclude_group_ids))),
            (
                "include_countries",
                bool(self.include_countries) and country not in self.include_countries,
            ),
            ("exclude_countries", country is not None and country in self.exclude_countries),
            (
                "include_email_domains",
                bool(self.include_email_domains)
                and domain not in {d.lower() for d in self.include_email_domains},
            ),
            (
                "exclude_email_domains",
                domain is not None and domain in {d.lower() for d in self.exclude_email_domains},
            ),
        )
        return next((name for name, excluded in checks if excluded), None)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lookahead_days: int = Field(default=0, ge=0, le=365)
    """Provision a future hire this many days before the start date (0: on the day)."""
    leave: Literal["keep", "suspend"] = "keep"
    """INACTIVE people (leave of absence): keep their access, or suspend it until they return."""
    garden_leave: Literal["remove_at_start", "keep_until_last_day"] = "keep_until_last_day"
    """People on garden leave (away from work, employed until their termination date): remove
    access on the first day of garden leave, or keep it through the last day of employment.
    The default is HiBob's own rule: "Employees under this status are active and have access
    to bob" (help.hibob.com/en/articles/1593405); its employee.left webhook instead fires when
    garden leave starts (apidocs.hibob.com/reference/post_webhook_employee-left)."""
    deprovision_missing: bool = True
    """Deprovision people who disappear from a complete read."""
    deprovision_out_of_scope: bool = True
    """Deprovision people who move out of scope (e.g. become contractors)."""
    hard_delete_after_days: int | None = Field(default=None, ge=0)
    """Opt-in: delete accounts this many days after their deprovision. None: never."""
    missing_confirm_after_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    """Disappearance is not termination: a person missing from a complete read is removed only
    when a second complete read, at least this many minutes after the first, misses them too."""
    missing_hold_share: float = Field(default=0.02, ge=0, le=1)
    missing_hold_floor: int = Field(default=5, ge=0)
    """A run is held when more than missing_hold_share of the known people AND more than
    missing_hold_floor people newly vanish from it: the same shape as the termination guard,
    set lower, because a vendor that drops people looks exactly like this."""
    hold_share: float = Field(default=0.10, ge=0, le=1)
    hold_floor: int = Field(default=5, ge=0)
    """A run is held when it would deprovision more than hold_share of the people with access
    AND more than hold_floor people."""
    scope: Scope = Field(default_factory=Scope)
