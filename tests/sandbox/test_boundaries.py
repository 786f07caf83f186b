"""The sandbox's hard rule, checked from source: it imports nothing else of rostersync.

import-linter enforces the same in CI; this keeps the rule visible beside the sandbox tests
and also pins the public surface.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rostersync.sandbox as sandbox

SANDBOX = Path(sandbox.__file__).parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_sandbox_imports_only_itself_from_rostersync() -> None:
    for path in SANDBOX.rglob("*.py"):
        ours = {n for n in _imports(path) if n.split(".")[0] == "rostersync"}
        assert all(n.startswith("rostersync.sandbox") for n in ours), (path, ours)


def test_vendor_emulators_do_not_import_each_other() -> None:
    vendors = SANDBOX / "vendors"
    for path in vendors.glob("*.py"):
        others = {n for n in _imports(path) if n.startswith("rostersync.sandbox.vendors")}
        assert not others, (path, others)


def test_exported_members() -> None:
    assert set(sandbox.__all__) == {
        "EMULATORS",
        "EMULATOR_CREDENTIALS",
        "SENSITIVE_FIELDS",
        "Department",
        "EmulatorFactory",
        "Fault",
        "FaultKind",
        "Faults",
        "HomeAddress",
        "PersonStatus",
        "ServerThread",
        "Site",
        "SyntheticCompany",
        "SyntheticPerson",
        "Team",
    }
    # One emulator per vendor module, each registered once.
    modules = {p.stem for p in Path(sandbox.__file__).parent.joinpath("vendors").glob("[!_]*.py")}
    assert set(sandbox.EMULATORS) == modules
