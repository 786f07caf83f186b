"""The base of every record the engine holds by the hundred thousand.

A pydantic model keeps, per instance, the set of the fields its input named: for a frozen
Employee that set weighed more than all its values together (730 of 1,850 bytes), so a
100,000-person read carried 70 MB of identical sets. Frozen instances never change theirs
(pydantic copies it before `model_copy` adds to it), so instances with the same fields share
one.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

_SHARED_FIELD_SETS: dict[frozenset[str], set[str]] = {}


class FrozenRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_post_init(self, _context: Any, /) -> None:
        fields = self.__pydantic_fields_set__
        shared = _SHARED_FIELD_SETS.setdefault(frozenset(fields), fields)
        object.__setattr__(self, "__pydantic_fields_set__", shared)
