"""How the CLI speaks: results on stdout (text or --json), one-line errors on stderr."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

from rostersync.connectors import (
    AuthRevoked,
    BadInput,
    BadPayload,
    PermissionDenied,
    RateLimited,
    VendorUnavailable,
)
from rostersync.errors import RostersyncError
from rostersync.net import BlockedDestination
from rostersync.store import KeyConfigError, NotFound

EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
EXIT_BAD_CREDENTIALS = 3
EXIT_VENDOR_UNAVAILABLE = 4
EXIT_BAD_PAYLOAD = 5

_EXIT_CODES: tuple[tuple[tuple[type[RostersyncError], ...], int], ...] = (
    ((AuthRevoked, PermissionDenied), EXIT_BAD_CREDENTIALS),
    ((VendorUnavailable, RateLimited), EXIT_VENDOR_UNAVAILABLE),
    ((BadPayload,), EXIT_BAD_PAYLOAD),
    ((BadInput, BlockedDestination, NotFound, KeyConfigError), EXIT_BAD_INPUT),
)


def exit_code_for(error: RostersyncError) -> int:
    for kinds, code in _EXIT_CODES:
        if isinstance(error, kinds):
            return code
    return EXIT_ERROR


def fail(error: RostersyncError) -> NoReturn:
    sys.stderr.write(f"error: {error}\n")
    raise SystemExit(exit_code_for(error))


def emit(value: dict[str, Any] | list[Any], *, as_json: bool, text: str) -> None:
    sys.stdout.write((json.dumps(value, default=str) if as_json else text) + "\n")


def emit_rows(objects: Iterable[object], fields: tuple[str, ...], *, as_json: bool) -> None:
    """A listing: each object's `fields` as JSON objects, or as tab-separated lines."""
    rows = [{name: getattr(obj, name) for name in fields} for obj in objects]
    text = "\n".join("\t".join("" if r[f] is None else str(r[f]) for f in fields) for r in rows)
    emit(rows, as_json=as_json, text=text)
