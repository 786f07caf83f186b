"""`rostersync extract` works for every registered vendor with the credential field names it
declares in `rostersync providers --json` (a real process against the vendor's emulator)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import TODAY
from tests.connectors.conftest import VendorSandbox


def test_extract_prints_every_person_as_json_lines(vendor: VendorSandbox) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env["ROSTERSYNC_ALLOW_LOOPBACK"] = "1"
    declared = subprocess.run(
        [sys.executable, "-m", "rostersync", "providers", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    (provider,) = [p for p in json.loads(declared.stdout) if p["name"] == vendor.slug]
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
