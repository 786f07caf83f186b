"""The `rostersync` command as an operator runs it: a real process, real HTTP, real SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rostersync.store.crypto import generate_key_setting
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Sandbox

CREDENTIALS = [
    "--credential",
    f"service_user_id={HIBOB_USER}",
    "--credential",
    f"service_user_token={HIBOB_TOKEN}",
]


def command_environment(env: dict[str, str] | None = None, *, loopback: bool) -> dict[str, str]:
    """This process's environment without our settings, then `env`."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    if loopback:
        environment["ROSTERSYNC_ALLOW_LOOPBACK"] = "1"
    environment.update(env or {})
    return environment


def rostersync(
    *args: str, env: dict[str, str] | None = None, loopback: bool = True
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rostersync", *args],
        capture_output=True,
        text=True,
        env=command_environment(env, loopback=loopback),
        timeout=60,
        check=False,
    )


def test_providers_lists_hibob_with_its_credential_fields() -> None:
    result = rostersync("providers", "--json")
    assert result.returncode == 0, result.stderr
    (hibob,) = [p for p in json.loads(result.stdout) if p["name"] == "hibob"]
    assert hibob["display_name"] == "HiBob"
    assert hibob["credential_fields"] == [
        {
            "name": "service_user_id",
            "label": "Service user ID",
            "secret": False,
            "required": True,
            "multiline": False,
        },
        {
            "name": "service_user_token",
            "label": "Service user token",
            "secret": True,
            "required": True,
            "multiline": False,
        },
    ]


def test_providers_says_which_oauth_apps_are_configured() -> None:
    env = {
        "ROSTERSYNC_OAUTH__GUSTO__CLIENT_ID": "app-id",
        "ROSTERSYNC_OAUTH__GUSTO__CLIENT_SECRET": "app-secret-never-printed",
    }
    listed = rostersync("providers", env=env)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split("\t")[0]: line.split("\t")[2] for line in listed.stdout.splitlines()}
    assert lines["gusto"] == "OAuth consent"
    assert lines["employmenthero"] == "OAuth app not configured"
    assert lines["hibob"] == "service_user_id, service_user_token"
    as_json = json.loads(rostersync("providers", "--json", env=env).stdout)
    by_name = {p["name"]: p for p in as_json}
    assert (by_name["gusto"]["oauth"], by_name["gusto"]["oauth_configured"]) == (True, True)
    assert by_name["employmenthero"]["oauth_configured"] is False
    assert "oauth_configured" not in by_name["hibob"]
    assert "app-secret-never-printed" not in listed.stdout


def test_extract_prints_the_contract_as_json_lines(hibob: Sandbox) -> None:
    result = rostersync(
        "extract", "hibob", *CREDENTIALS, "--base-url", hibob.base_url, "--as-of", TODAY.isoformat()
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    by_type: dict[str, list[dict[str, object]]] = {}
    for record in records:
        by_type.setdefault(str(record["type"]), []).append(record)
    assert len(by_type["employee"]) == len(hibob.company.people())
    assert set(by_type["employee"][0]) == {
        "type",
        "remote_id",
        "first_name",
        "last_name",
        "work_email",
        "employment_status",
        "group_ids",
        "manager_remote_id",
        "start_date",
        "location_id",
    }
    assert {r["employment_status"] for r in by_type["employee"]} == {
        "ACTIVE",
        "PENDING",
        "INACTIVE",
        "TERMINATED",
    }
    assert all(isinstance(r["remote_id"], str) for r in records)
    assert set(by_type["group"][0]) == {"type", "remote_id", "group_type", "name"}
    assert set(by_type["location"][0]) == {"type", "remote_id", "country"}


def test_extract_refuses_plain_http_without_the_development_switch(hibob: Sandbox) -> None:
    result = rostersync(
        "extract", "hibob", *CREDENTIALS, "--base-url", hibob.base_url, loopback=False
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "ROSTERSYNC_ALLOW_LOOPBACK" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_extract_with_a_wrong_token_exits_3_without_echoing_it(hibob: Sandbox) -> None:
    result = rostersync(
        "extract",
        "hibob",
        "--credential",
        f"service_user_id={HIBOB_USER}",
        "--credential",
        "service_user_token=wrong-token-value",
        "--base-url",
        hibob.base_url,
    )
    assert result.returncode == 3
    assert result.stdout == ""
    assert "401" in result.stderr
    assert "wrong-token-value" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--credential", "service_user_id=x"], "service_user_token"),
        (["--credential", "nonsense"], "NAME=VALUE"),
        (["--as-of", "25/11/2026", *CREDENTIALS], "YYYY-MM-DD"),
    ],
)
def test_extract_bad_input_exits_2_with_a_clear_message(
    hibob: Sandbox, args: list[str], message: str
) -> None:
    result = rostersync("extract", "hibob", "--base-url", hibob.base_url, *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_operator_flow_creates_syncs_and_delivers(hibob: Sandbox, tmp_path: Path) -> None:
    env = {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    tenant = rostersync("tenants", "create", "Acme", env=env)
    assert tenant.returncode == 0, tenant.stderr
    tenant_id = tenant.stdout.strip()
    connection = rostersync(
        "connections",
        "create",
        "--tenant",
        tenant_id,
        "--provider",
        "hibob",
        *CREDENTIALS,
        "--base-url",
        hibob.base_url,
        "--json",
        env=env,
    )
    assert connection.returncode == 0, connection.stderr
    connection_id = json.loads(connection.stdout)["id"]
    preview = rostersync("sync", connection_id, "--dry-run", "--json", env=env)
    assert json.loads(preview.stdout)["status"] == "previewed"
    report = rostersync("sync", connection_id, "--json", env=env)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["counts"]["provision"] > 0
    again = rostersync("sync", connection_id, "--json", env=env)
    assert json.loads(again.stdout)["actions"] == []
    missing = rostersync("sync", "con_doesnotexist", env=env)
    assert missing.returncode == 2
    assert "not found" in missing.stderr


def test_an_unknown_event_type_filter_is_refused_before_anything_is_stored(
    tmp_path: Path,
) -> None:
    env = {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    tenant = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    result = rostersync(
        "destinations",
        "create",
        "--tenant",
        tenant,
        "--webhook-url",
        "https://example.com/h",
        "--event-type",
        "user.provison",
        env=env,
    )
    assert result.returncode == 2
    assert "unknown event type 'user.provison'" in result.stderr
    assert "user.provision" in result.stderr
