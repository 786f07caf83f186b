"""Groups (departments, teams, ...) and work locations (DESIGN.md section 4)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from rostersync.model.frozen import FrozenRecord
from rostersync.model.text import Name, RemoteId


class GroupType(StrEnum):
    DEPARTMENT = "DEPARTMENT"
    TEAM = "TEAM"
    BUSINESS_UNIT = "BUSINESS_UNIT"
    COST_CENTER = "COST_CENTER"
    GROUP = "GROUP"


class Group(FrozenRecord):
    type: Literal["group"] = "group"
    remote_id: RemoteId
    group_type: GroupType
    name: Name


class Location(FrozenRecord):
    type: Literal["location"] = "location"
    remote_id: RemoteId
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    """ISO 3166-1 alpha-2."""
