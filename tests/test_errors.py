"""Every error we raise on purpose says, by itself, how each front-end answers it."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import rostersync
from rostersync.errors import ExitCode, Retryable, RostersyncError, Terminal


def _all_errors() -> list[type[RostersyncError]]:
    for module in pkgutil.walk_packages(rostersync.__path__, "rostersync."):
        if ".sandbox" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[RostersyncError]] = []
    pending: list[type[RostersyncError]] = [RostersyncError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


ERRORS = _all_errors()


@pytest.mark.parametrize("kind", ERRORS, ids=lambda kind: kind.__qualname__)
def test_each_error_carries_its_own_answers(kind: type[RostersyncError]) -> None:
    assert 400 <= kind.http_status < 600
    assert isinstance(kind.exit_code, ExitCode)
    assert kind.exit_code is not ExitCode.OK
    if issubclass(kind, Retryable):
        assert kind.http_status == 503, "a client may try again later: 503 says so"
    if issubclass(kind, Terminal):
        assert kind.http_status != 503, "trying again cannot help: no status may invite it"


def test_codes_name_one_kind_each() -> None:
    codes = [kind.code for kind in ERRORS]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)


def test_the_tree_is_found() -> None:
    names = {kind.__name__ for kind in ERRORS}
    assert {
        "AuthRevoked",
        "BlockedDestination",
        "NotFound",
        "RunCrashed",
        "LinkUnavailable",
    } <= names
