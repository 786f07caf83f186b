"""The layer rules of DESIGN.md section 3, enforced by the import-linter contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_layer_is_a_package() -> None:
    layers = {
        "model",
        "net",
        "connectors",
        "store",
        "engine",
        "delivery",
        "services",
        "api",
        "web",
        "jobs",
        "sandbox",
        "cli",
    }
    package = ROOT / "src" / "rostersync"
    assert all((package / layer / "__init__.py").is_file() for layer in layers)
