"""The check behind each package's test_exports.py (httpx's tests/test_exported_members.py)."""

from __future__ import annotations

from types import ModuleType


def assert_exports(package: ModuleType, expected: set[str]) -> None:
    """The package's face is exactly `expected`: a name added or dropped is a decision made in
    its test, and every exported name exists."""
    exported = package.__all__
    assert len(exported) == len(set(exported)), "a name is exported twice"
    assert set(exported) == expected
    missing = [name for name in exported if not hasattr(package, name)]
    assert not missing, f"exported but not defined: {missing}"
