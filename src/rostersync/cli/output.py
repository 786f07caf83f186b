"""How the CLI speaks: results on stdout (text or --json), one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from rostersync.errors import RostersyncError


def fail(error: RostersyncError) -> NoReturn:
    sys.stderr.write(f"error: {error}\n")
    raise SystemExit(error.exit_code)


def emit(value: dict[str, Any] | list[Any], *, as_json: bool, text: str) -> None:
    sys.stdout.write((json.dumps(value, default=str) if as_json else text) + "\n")


def emit_rows(objects: Iterable[object], fields: tuple[str, ...], *, as_json: bool) -> None:
    """A listing: each object's `fields` as JSON objects, or as tab-separated lines."""
    rows = [{name: getattr(obj, name) for name in fields} for obj in objects]
    text = "\n".join("\t".join("" if r[f] is None else str(r[f]) for f in fields) for r in rows)
    emit(rows, as_json=as_json, text=text)
