"""What an emulator derives from its company, kept until the company changes.

Paged emulators used to rebuild every person for every page (copy them all, filter, sort,
map, then slice one page), so reading N people took O(N²). A :class:`CompanyMemo` keeps
each derived value under a key (the query parameters that change it) and drops them all
when :attr:`SyntheticCompany.version` moves, so a page costs about its own size.

What goes in must be a pure function of the company and the key, and must never be changed
by the caller afterwards: faults, field filters and paging are applied per request, to
what comes out. A build must read the company (or other memo values) itself, never use a
value fetched before it started: a value is stored under the version read just before its
build, so it may be newer than that version but must never be older.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar, cast

from rostersync.sandbox.company import SyntheticCompany, SyntheticPerson

__all__ = ["CompanyMemo"]

T = TypeVar("T")

# Distinct keys kept per company version: query parameters such as an email filter can take
# any value, and a memo must not grow with the number of different requests.
MAX_KEYS = 32


class CompanyMemo:
    """Values derived from ``company``, rebuilt only when its version or their key changes."""

    def __init__(self, company: SyntheticCompany, max_keys: int = MAX_KEYS) -> None:
        self.company = company
        self.max_keys = max_keys
        self._version = -1
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value stored under ``key`` for the company as it is now, built if missing.

        The version is read before ``build`` runs: if the company changes meanwhile, the value
        is stored under the older version and rebuilt by the next call, never served stale.
        Two threads may both build a missing value; either result is the same.
        """
        version = self.company.version
        with self._lock:
            if version == self._version and key in self._values:
                self._values.move_to_end(key)
                return cast(T, self._values[key])
        value = build()
        with self._lock:
            if version != self._version:
                if version < self._version:
                    return value  # built from an older company; a newer memo is kept
                self._version = version
                self._values.clear()
            self._values[key] = value
            while len(self._values) > self.max_keys:
                self._values.popitem(last=False)
        return value

    def people(self) -> tuple[SyntheticPerson, ...]:
        """Copies of every person, in creation order; shared, so callers must not change them."""
        return self._everyone()[0]

    def by_id(self) -> Mapping[str, SyntheticPerson]:
        """:meth:`people` by id (the same copies, from the same read of the company)."""
        return self._everyone()[1]

    def _everyone(self) -> tuple[tuple[SyntheticPerson, ...], Mapping[str, SyntheticPerson]]:
        def build() -> tuple[tuple[SyntheticPerson, ...], Mapping[str, SyntheticPerson]]:
            people = tuple(self.company.people())
            return people, {p.id: p for p in people}

        return self.get(("everyone",), build)
