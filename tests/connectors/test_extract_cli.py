"""`rostersync extract` works for every registered vendor with the credential field names it
declares in `rostersync providers --json` (a real process against the vendor's emulator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from rostersync.sandbox import SyntheticCompany
from tests.conftest import TODAY
from tests.connectors.conftest import VendorSandbox


@pytest.fixture(scope="module")
def conformance_company() -> SyntheticCompany:
    """Smaller than the conformance suite's 250 people, still more than a page for the paged
    vendors: a real process paces itself for real, and 250 people take Gusto (a call per
    person, 200 calls a minute) over a minute."""
    return SyntheticCompany(seed=11, size=120, today=TODAY)


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env["ROSTERSYNC_ALLOW_LOOPBACK"] = "1"
    return env


@pytest.fixture(scope="module")
def declared_providers(env: dict[str, str]) -> list[dict[str, Any]]:
    """`rostersync providers --json` from a real process, once: it is the same for every vendor."""
    declared = subprocess.run(
        [sys.executable, "-m", "rostersync", "providers", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    providers: list[dict[str, Any]] = json.loads(declared.stdout)
    return providers


def test_extract_prints_every_person_as_json_lines(
    vendor: VendorSandbox, env: dict[str, str], declared_providers: list[dict[str, Any]]
) -> None:
    (provider,) = [p for p in declared_providers if p["name"] == vendor.slug]
    fields = {f["name"] for f in provider["credential_fields"]}
    credentials = vendor.config["credentials"]
    assert set(credentials) <= fields
    args = [
        arg for name, value in credentials.items() for arg in ("--credential", f"{name}={value}")
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rostersync",
            "extract",
            vendor.slug,
            *args,
            "--base-url",
            vendor.base_url,
            "--as-of",
            TODAY.isoformat(),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    employees = [r for r in records if r["type"] == "employee"]
    assert len(employees) == len(vendor.company.people())
    assert {r["type"] for r in records} <= {"employee", "group", "location"}
