"""THE field allowlist: the only people data rostersync reads, keeps or shows.

Connectors ask vendors for these fields only (where the API lets them choose), the store has
columns for these only, and the verification screen is rendered from this list, so the promise
made to customers and the code cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RecordType(StrEnum):
    EMPLOYEE = "employee"
    GROUP = "group"
    LOCATION = "location"


@dataclass(frozen=True, slots=True)
class AllowedField:
    record: RecordType
    name: str
    label: str
    meaning: str
    personal: bool = False
    """Personal fields are encrypted at rest and never appear in logs, errors or events."""
    derived: bool = False
    """Worked out from vendor facts (status labels, dates): the facts themselves are not kept."""

    @property
    def key(self) -> str:
        """`record.name`, how specs and screens refer to the field ("employee.start_date")."""
        return f"{self.record}.{self.name}"


ALLOWLIST: tuple[AllowedField, ...] = (
    AllowedField(
        RecordType.EMPLOYEE,
        "remote_id",
        "HRIS employee id",
        "to recognise the same person on every sync",
    ),
    AllowedField(
        RecordType.EMPLOYEE, "first_name", "First name", "to create the user account", personal=True
    ),
    AllowedField(
        RecordType.EMPLOYEE, "last_name", "Last name", "to create the user account", personal=True
    ),
    AllowedField(
        RecordType.EMPLOYEE,
        "work_email",
        "Work email",
        "to invite the person and match an existing account",
        personal=True,
    ),
    AllowedField(
        RecordType.EMPLOYEE,
        "employment_status",
        "Employment status",
        "to invite joiners and remove leavers",
        derived=True,
    ),
    AllowedField(
        RecordType.EMPLOYEE,
        "group_ids",
        "Departments and teams",
        "to place the person in the right teams",
    ),
    AllowedField(
        RecordType.EMPLOYEE, "manager_remote_id", "Manager", "to keep reporting lines up to date"
    ),
    AllowedField(
        RecordType.EMPLOYEE,
        "start_date",
        "Start date",
        "to invite new hires on or before their first day",
    ),
    AllowedField(
        RecordType.EMPLOYEE, "location_id", "Work location", "to group people by office or country"
    ),
    AllowedField(
        RecordType.EMPLOYEE,
        "on_garden_leave",
        "On garden leave",
        "to remove access when garden leave starts, if your policy says so",
        derived=True,
    ),
    AllowedField(
        RecordType.GROUP,
        "remote_id",
        "Department or team id",
        "to recognise the same group on every sync",
    ),
    AllowedField(RecordType.GROUP, "group_type", "Group type", "to tell departments from teams"),
    AllowedField(RecordType.GROUP, "name", "Department or team name", "to show and assign teams"),
    AllowedField(
        RecordType.LOCATION,
        "remote_id",
        "Work location id",
        "to recognise the same location on every sync",
    ),
    AllowedField(
        RecordType.LOCATION,
        "country",
        "Country of the work location",
        "to report headcount by country",
    ),
)

NOT_ACCESSED: tuple[str, ...] = (
    "Payroll and bank details",
    "Compensation (salary, bonus, equity)",
    "Home address",
    "Personal contact details (personal email, phone)",
    "Date of birth, gender, ethnicity and other EEO data",
    "Time off and absences",
    "Performance reviews and notes",
)
"""Categories rostersync never requests, stores or logs; shown on the verification screen."""


def allowed_field(key: str) -> AllowedField:
    """The allowlisted field named by its key; KeyError for anything else."""
    for field in ALLOWLIST:
        if field.key == key:
            return field
    raise KeyError(key)


def field_names(record: RecordType) -> tuple[str, ...]:
    return tuple(field.name for field in ALLOWLIST if field.record is record)


def personal_field_names(record: RecordType) -> frozenset[str]:
    return frozenset(f.name for f in ALLOWLIST if f.record is record and f.personal)
