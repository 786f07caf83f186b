"""Pure: which allowlisted fields of a person changed between two reads."""

from __future__ import annotations

from rostersync.model import Employee, RecordType, field_names

_COMPARED = tuple(name for name in field_names(RecordType.EMPLOYEE) if name != "remote_id")


def changed_fields(previous: Employee, current: Employee) -> tuple[str, ...]:
    return tuple(name for name in _COMPARED if getattr(previous, name) != getattr(current, name))
