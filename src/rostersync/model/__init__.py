"""The minimal model: employees, groups, locations, statuses, actions and THE allowlist.

Imports nothing of ours (DESIGN.md section 3).
"""

from rostersync.model.actions import EVENT_TYPES, Action, ActionKind, ConnectionEvent
from rostersync.model.fields import (
    ALLOWLIST,
    NOT_ACCESSED,
    AllowedField,
    RecordType,
    allowed_field,
    field_names,
    personal_field_names,
)
from rostersync.model.org import Group, GroupType, Location
from rostersync.model.people import Employee, EmploymentStatus
from rostersync.model.state import AccountIndex, StoredPerson, normalise_email
from rostersync.model.status import (
    ConnectionStatus,
    DeliveryStatus,
    DestinationKind,
    Environment,
    RunStatus,
)

Record = Employee | Group | Location

__all__ = [
    "ALLOWLIST",
    "EVENT_TYPES",
    "NOT_ACCESSED",
    "AccountIndex",
    "Action",
    "ActionKind",
    "AllowedField",
    "ConnectionEvent",
    "ConnectionStatus",
    "DeliveryStatus",
    "DestinationKind",
    "Employee",
    "EmploymentStatus",
    "Environment",
    "Group",
    "GroupType",
    "Location",
    "Record",
    "RecordType",
    "RunStatus",
    "StoredPerson",
    "allowed_field",
    "field_names",
    "normalise_email",
    "personal_field_names",
]
