"""`rostersync tenants branding`: set, show and clear a tenant's brand, as a real process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rostersync.errors import ExitCode
from rostersync.store.crypto import generate_key_setting
from tests.api.test_branding import PNG
from tests.cli.test_cli import rostersync


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }


def _shown(env: dict[str, str], tenant: str) -> dict[str, object]:
    result = rostersync("tenants", "branding", "show", "--tenant", tenant, "--json", env=env)
    assert result.returncode == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


def test_branding_is_set_shown_refused_and_cleared(env: dict[str, str], tmp_path: Path) -> None:
    tenant = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    brand = ("--tenant", tenant, "--name", "Acme Learning", "--primary-colour", "#7A1F5C")
    saved = rostersync("tenants", "branding", "set", *brand, "--logo-file", str(logo), env=env)
    assert saved.returncode == 0, saved.stderr
    assert "product_name: Acme Learning" in saved.stdout
    assert "support_contact: (deployment)" in saved.stdout

    refused = rostersync(
        "tenants", "branding", "set", "--tenant", tenant, "--primary-colour", "#eeeeee", env=env
    )
    assert refused.returncode == ExitCode.BAD_INPUT
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("error: primary_colour: primary colour #eeeeee has a contrast of")
    kept = _shown(env, tenant)
    assert kept["product_name"] == "Acme Learning"
    assert kept["primary_colour"] == "#7a1f5c"
    assert str(kept["logo_path"]).startswith("/static/logos/")

    cleared = rostersync("tenants", "branding", "clear", "--tenant", tenant, env=env)
    assert cleared.returncode == 0, cleared.stderr
    assert _shown(env, tenant)["product_name"] is None


def test_an_unknown_tenant_is_refused_in_one_line(env: dict[str, str]) -> None:
    result = rostersync("tenants", "branding", "show", "--tenant", "ten_missing", env=env)
    assert result.returncode == ExitCode.BAD_INPUT
    assert result.stderr.strip() == "error: tenant 'ten_missing' not found"
