"""How the CLI speaks: results on stdout (text or --json), one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, NoReturn

from rostersync.errors import ExitCode, RostersyncError


def fail(error: RostersyncError) -> NoReturn:
    fail_with(str(error), error.exit_code)


def fail_with(message: str, code: ExitCode) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise SystemExit(code)


def emit(value: dict[str, Any] | list[Any], *, as_json: bool, text: str) -> None:
    sys.stdout.write((json.dumps(value, default=str) if as_json else text) + "\n")


Column = Callable[[Mapping[str, Any]], object]


def emit_rows(
    objects: Iterable[object],
    fields: tuple[str, ...],
    *,
    as_json: bool,
    columns: Mapping[str, Column] | None = None,
) -> None:
    """A listing: each object's `fields` as JSON objects, or a table with a header line.

    `columns` (header -> value of a row) shapes the table when a field does not read well as
    one cell (a run's counts); JSON always carries the fields as they are."""
    rows = [{name: getattr(obj, name) for name in fields} for obj in objects]
    shown = columns or {name: _field(name) for name in fields}
    table = [list(shown), *([cell(get(row)) for get in shown.values()] for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(shown))]
    text = "\n".join(
        "  ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )
    emit(rows, as_json=as_json, text=text)


def _field(name: str) -> Column:
    return lambda row: row[name]


def cell(value: object) -> str:
    """One value as a person reads it: no Python reprs of dicts, lists, enums or datetimes."""
    match value:
        case None:
            return ""
        case bool():
            return "yes" if value else "no"
        case Enum():
            return str(value.value)
        case datetime():
            return value.strftime("%Y-%m-%d %H:%M:%S")
        case Mapping():
            return " ".join(f"{k}={cell(v)}" for k, v in value.items()) or "-"
        case list() | tuple() | set() | frozenset():
            return ",".join(cell(v) for v in value) or "-"
        case _:
            return str(value)
