"""Which keys of a vendor's answer a connector's parser really reads.

Every record the reader hands to a stream's mapper and collector (and every record of a
per-record call) is wrapped so that each key looked up, found or not, is noted as a path:
`department.id`, `jobs[].hire_date`. A lookup of a missing key counts: a parser reading a key
the emulator never sends still reads it. Listing every key (iterating a record) is noted as
`*`, which no declaration can match.

Fallbacks (`a or b`) read `b` only when `a` is empty, so after the read every record is mapped
again with each key it had removed, then with the keys that removal revealed removed too,
until no new key is read (each record costs a mapping per key, plus one per fallback).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import ValidationError

from rostersync.connectors.declarative import SpecReader
from rostersync.connectors.spec import Detail, MapContext, Stream
from rostersync.errors import RostersyncError
from rostersync.model import Employee, Group, Location

ITEM = "[]"
EVERY_KEY = "*"
MAX_REMOVED = 4
"""How many keys deep a fallback chain is followed (charliehr tries four country paths)."""


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _wrap(value: Any, path: str, seen: set[str]) -> Any:
    if isinstance(value, Mapping):
        return Tracked(value, path, seen)
    if isinstance(value, list):
        return [_wrap(item, path + ITEM, seen) for item in value]
    return value


class Tracked(Mapping[str, Any]):
    """A read-only view of one vendor record that notes the path of every key looked up."""

    def __init__(self, data: Mapping[str, Any], path: str, seen: set[str]) -> None:
        self._data, self._path, self._seen = data, path, seen

    def __getitem__(self, key: str) -> Any:
        self._seen.add(_join(self._path, key))
        return _wrap(self._data[key], _join(self._path, key), self._seen)

    def __contains__(self, key: object) -> bool:
        self._seen.add(_join(self._path, str(key)))
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        self._seen.add(_join(self._path, EVERY_KEY))
        return iter(self._data)

    def __len__(self) -> int:
        # Truthiness (`record or {}`) reads no key.
        return len(self._data)


@dataclass
class Call:
    """One record as the reader handed it over, and the records of its per-record call."""

    stream: Stream
    raw: Mapping[str, Any]
    detail: tuple[Any, ...]
    context: MapContext


Request = tuple[str, str, tuple[tuple[str, str], ...]]
"""Method, path (as the reader called it) and query of a stream or detail call."""


def request_of(call: Stream | Detail) -> Request:
    return call.method, call.path, tuple((k, str(v)) for k, v in call.query.items())


@dataclass
class KeyReads:
    """Every key read, by the request whose answer held it (a stream or its detail call)."""

    calls: list[Call] = field(default_factory=list)
    read: dict[Request, set[str]] = field(default_factory=dict)

    def note(self, request: Stream | Detail) -> set[str]:
        return self.read.setdefault(request_of(request), set())

    def instrument(self, monkeypatch: Any) -> None:
        """Wraps the records SpecReader maps, for the rest of the test."""
        reads, original_mapped, original_detail = self, SpecReader.mapped, SpecReader.detail
        pending: list[tuple[Any, ...]] = []

        def detail(reader: SpecReader, stream: Stream, raw: Mapping[str, Any]) -> MapContext:
            context = original_detail(reader, stream, raw)
            pending.append(context.detail)
            if stream.detail is None:
                return context
            seen = reads.note(stream.detail)
            return replace(context, detail=tuple(_wrap(r, "", seen) for r in context.detail))

        def mapped(reader: SpecReader, stream: Stream, raw: Any) -> Any:
            if not isinstance(raw, Mapping) or stream.field_list is not None:
                return original_mapped(reader, stream, raw)
            pending.clear()
            result = original_mapped(reader, stream, Tracked(raw, "", reads.note(stream)))
            plain = copy.deepcopy(pending[-1] if pending else ())
            reads.calls.append(Call(stream, copy.deepcopy(raw), plain, reader.map_context))
            return result

        monkeypatch.setattr(SpecReader, "detail", detail)
        monkeypatch.setattr(SpecReader, "mapped", mapped)

    def explore(self) -> None:
        """Maps each record again without each key it had; where that reveals keys the parser
        did not read before (a fallback), those are removed in turn, up to MAX_REMOVED deep."""
        for call in self.calls:
            first = self._map_without(call, frozenset())
            work = [(frozenset({key}), first) for key in first]
            while work:
                removed, before = work.pop()
                found = self._map_without(call, removed)
                if len(removed) < MAX_REMOVED:
                    work += [(removed | {key}, found) for key in found - before - removed]

    def _map_without(
        self, call: Call, removed: frozenset[tuple[bool, str]]
    ) -> set[tuple[bool, str]]:
        """Maps the record with those keys removed (True: of the detail records); returns the
        keys it read that held a value, as removals to try next."""
        raw, detail = copy.deepcopy(call.raw), copy.deepcopy(call.detail)
        for in_detail, path in removed:
            for record in detail if in_detail else (raw,):
                _remove(record, path)
        seen_raw: set[str] = set()
        seen_detail: set[str] = set()
        context = replace(call.context, detail=tuple(_wrap(r, "", seen_detail) for r in detail))
        tracked = Tracked(raw, "", seen_raw)
        try:
            result = call.stream.map(tracked, context) if call.stream.map else None
            if result is not None and not isinstance(result, Employee | Group | Location):
                tuple(result)  # a generator mapper reads as it is consumed
            if call.stream.collect is not None:
                tuple(call.stream.collect(tracked, context))
        except (RostersyncError, ValidationError, LookupError, TypeError, ValueError):
            pass  # a record without its id is refused: what was read until then still counts
        self.note(call.stream).update(seen_raw)
        if call.stream.detail is not None:
            self.note(call.stream.detail).update(seen_detail)
        return {(False, p) for p in seen_raw if _present(raw, p)} | {
            (True, p) for p in seen_detail if any(_present(r, p) for r in detail)
        }


def _steps(path: str) -> list[str]:
    return [step for step in path.replace(ITEM, "." + ITEM + ".").split(".") if step]


def _values(value: Any, steps: list[str]) -> Iterator[tuple[Any, str]]:
    """(container, key) for every place the path ends at."""
    if not steps:
        return
    head, rest = steps[0], steps[1:]
    if head == ITEM:
        for item in value if isinstance(value, list) else ():
            yield from _values(item, rest)
    elif isinstance(value, Mapping):
        if not rest:
            yield value, head
        elif head in value:
            yield from _values(value[head], rest)


def _present(record: Any, path: str) -> bool:
    return any(
        container.get(key) not in (None, "", [], {})
        for container, key in _values(record, _steps(path))
    )


def _remove(record: Any, path: str) -> None:
    for container, key in list(_values(record, _steps(path))):
        container.pop(key, None)


def covered(read: set[str], declared: set[str]) -> tuple[set[str], set[str]]:
    """(read but not declared, declared but never read). Reading a container whose fields are
    declared is reading those fields; a declared field under a container the answer left empty
    counts as read (the parser looked, and would have read it)."""
    unlisted = {
        path
        for path in read
        if path not in declared
        and not any(d.startswith((path + ".", path + ITEM)) for d in declared)
    }
    unread = {
        path
        for path in declared
        if path not in read and not any(path.startswith((r + ".", r + ITEM)) for r in read)
    }
    return unlisted, unread
