"""Employees and their employment status (DESIGN.md section 4)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from rostersync.model.frozen import FrozenRecord
from rostersync.model.text import Email, Name, RemoteId


class EmploymentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    PENDING = "PENDING"
    """Hired, not started yet."""
    INACTIVE = "INACTIVE"
    """On leave or suspended: still employed."""
    TERMINATED = "TERMINATED"


class Employee(FrozenRecord):
    """One person as rostersync keeps them: the allowlisted fields and nothing else."""

    type: Literal["employee"] = "employee"
    remote_id: RemoteId
    first_name: Name
    last_name: Name
    work_email: Email = None
    employment_status: EmploymentStatus
    group_ids: tuple[RemoteId, ...] = ()
    manager_remote_id: RemoteId | None = None
    start_date: date | None = None
    location_id: RemoteId | None = None
    on_garden_leave: bool = Field(default=False, exclude_if=lambda on: on is False)
    """Away from work on garden leave, still employed (and ACTIVE) until the termination date,
    as the vendor reports it today; whether that keeps access is the connection's policy.
    Serialised only when true, so everyone else keeps the exact record (and action id) they
    had before the field existed."""

    def __repr__(self) -> str:
        # Personal fields stay out of reprs, and so out of tracebacks and logs.
        return f"Employee(remote_id={self.remote_id!r}, status={self.employment_status.value})"

    __str__ = __repr__
