"""Options checked the same way by every command."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import typer

from rostersync.connectors import BadInput
from rostersync.net import PORTS


def parse_pairs(pairs: list[str], *, option: str) -> dict[str, str]:
    """`NAME=VALUE` options into a dict; the value may itself contain `=`."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            # The value may be a secret: the message must not echo it.
            raise BadInput(f"{option} takes NAME=VALUE; one of them has no '=' or no name")
        values[name.strip()] = value
    return values


def within(allowed: range) -> Callable[[typer.CallbackParam, int], int]:
    """An option callback refusing integers outside ``allowed``.

    It raises BadInput, so the error is our one line with exit code 2 (click's own range
    check prints a boxed usage message instead).
    """

    def check(param: typer.CallbackParam, value: int) -> int:
        if value not in allowed:
            raise BadInput(
                f"{param.opts[0]} must be from {allowed[0]} to {allowed[-1]}, got {value}"
            )
        return value

    return check


valid_port = within(PORTS)


def parse_day(value: str, *, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} takes a date as YYYY-MM-DD") from None
