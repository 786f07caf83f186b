"""Pure: field coverage, so a permission gap that silently blanks a field is seen.

Many vendors (HiBob, BambooHR) leave out a field the service user may not see instead of
refusing the request: the read succeeds and the field is null for everyone. Each run counts,
per allowlisted employee field, how many people had it; a field the connector reads that is
empty for everyone, or that most people had last time and far fewer have now, is a warning on
preflight and on the dashboard. Counts only: no value leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rostersync.model import Employee, EmploymentStatus, RecordType, StoredPerson, field_names

EMPLOYEE_FIELDS = field_names(RecordType.EMPLOYEE)

WELL_COVERED = 0.5
"""A field at least this share of people had is one the vendor plainly provides."""
SHARP_DROP = 0.5
"""A well-covered field is taken to have dropped sharply when its share falls below this
fraction of what it was (from >= 50% of people to less than half of that share). Ordinary
churn moves a field's share by a few points per run (hires without a manager yet, a
reorganisation); halving it in one read is a permission or mapping change, not HR."""
LEAVERS_FLOOR = 2
"""At least this many known leavers must come back as not terminated in one read for the
read to be held: one rehire is HR's ordinary business, two leavers in one read are not."""


class Gap(StrEnum):
    EMPTY = "empty"
    """Nobody has the field."""
    DROPPED = "dropped"
    """Far fewer people have it than in the last run."""


@dataclass(frozen=True)
class FieldWarning:
    field: str
    gap: Gap
    people: int
    """People who have the field in this read."""
    before: int | None = None
    """People who had it in the last run's state (DROPPED)."""
    known: int | None = None
    """People in the last run's state (DROPPED)."""

    def as_dict(self) -> dict[str, object]:
        return {
            "field": self.field,
            "gap": self.gap.value,
            "people": self.people,
            "before": self.before,
            "known": self.known,
        }


def present(employee: Employee) -> Iterator[str]:
    """The allowlisted fields this person has (non-null, non-empty)."""
    for name in EMPLOYEE_FIELDS:
        value = getattr(employee, name)
        if value is not None and value != () and value != "":
            yield name


def coverage(employees: Iterable[Employee]) -> dict[str, int]:
    """Allowlisted employee field -> how many of these people have it."""
    counts = dict.fromkeys(EMPLOYEE_FIELDS, 0)
    for employee in employees:
        for name in present(employee):
            counts[name] += 1
    return counts


def field_warnings(
    provided: Sequence[str],
    now: Mapping[str, int],
    people: int,
    before: Mapping[str, int] | None = None,
    known: int = 0,
) -> list[FieldWarning]:
    """The fields the connector provides that are empty for everyone in this read of `people`
    (someone at all), or that dropped sharply from `before` (coverage of `known` people)."""
    warnings: list[FieldWarning] = []
    if people == 0:
        return warnings  # an empty read is the zero-people guard's business
    for name in provided:
        have = now.get(name, 0)
        had = (before or {}).get(name, 0)
        if have == 0:
            warnings.append(FieldWarning(name, Gap.EMPTY, 0, had or None, known or None))
        elif known and had >= WELL_COVERED * known and have / people < SHARP_DROP * had / known:
            warnings.append(FieldWarning(name, Gap.DROPPED, have, had, known))
    return warnings


def leavers_came_back(
    previous: Mapping[str, StoredPerson], current: Mapping[str, Employee]
) -> tuple[int, int]:
    """(known leavers in this read, how many of them it shows as not terminated).

    rostersync keeps no termination date, only the status the connector derived from it, so
    a vanished status or termination date shows here: leavers read as employed again.
    """
    leavers = came_back = 0
    for remote_id, before in previous.items():
        now = current.get(remote_id)
        if now is None or before.remote_was_deleted:
            continue
        if before.employee.employment_status is EmploymentStatus.TERMINATED:
            leavers += 1
            if now.employment_status is not EmploymentStatus.TERMINATED:
                came_back += 1
    return leavers, came_back
