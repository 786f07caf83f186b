"""Hostile or mistyped operator input: exit 2 and one line on stderr, never a traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rostersync.store.crypto import generate_key_setting
from tests.cli.test_cli import CREDENTIALS, rostersync


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }


@pytest.fixture
def tenant(env: dict[str, str]) -> str:
    created = rostersync("tenants", "create", "Acme", env=env)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip()


@pytest.mark.parametrize("expires", ["99999999999999999999d", "9" * 5000 + "m", "31d", "0h"])
def test_a_link_lifetime_past_the_maximum_is_refused(
    env: dict[str, str], tenant: str, expires: str
) -> None:
    result = rostersync("links", "create", "--tenant", tenant, "--expires", expires, env=env)
    refused(result, "a connect link must expire within 30 days")


@pytest.mark.parametrize("base_url", ["http://[::1", "https://a]b", "https://[1.2.3.4]"])
def test_a_malformed_base_url_is_refused_by_extract(base_url: str) -> None:
    result = rostersync("extract", "hibob", *CREDENTIALS, "--base-url", base_url)
    refused(result, "not a valid base URL")


def test_a_malformed_base_url_is_refused_by_connections_create(
    env: dict[str, str], tenant: str
) -> None:
    result = rostersync(
        "connections",
        "create",
        "--tenant",
        tenant,
        "--provider",
        "hibob",
        *CREDENTIALS,
        "--base-url",
        "http://[::1",
        env=env,
    )
    refused(result, "not a valid base URL")


@pytest.mark.parametrize("port", ["0", "99999"])
def test_a_base_url_port_outside_1_to_65535_is_refused(
    env: dict[str, str], tenant: str, port: str
) -> None:
    result = rostersync(
        "connections",
        "create",
        "--tenant",
        tenant,
        "--provider",
        "hibob",
        *CREDENTIALS,
        "--base-url",
        f"http://127.0.0.1:{port}",
        env=env,
    )
    refused(result, f"port {port} is out of range (1-65535)")


@pytest.mark.parametrize("option", ["--webhook-url", "--scim-url"])
@pytest.mark.parametrize("port", ["0", "99999"])
def test_a_destination_port_outside_1_to_65535_is_refused(
    env: dict[str, str], tenant: str, option: str, port: str
) -> None:
    token = ["--scim-token", "t"] if option == "--scim-url" else []
    url = f"https://93.184.216.34:{port}/hooks"
    result = rostersync("destinations", "create", "--tenant", tenant, option, url, *token, env=env)
    refused(result, f"port {port} is out of range (1-65535)")


@pytest.mark.parametrize(
    ("command", "port"),
    [
        (["serve", "--no-workers"], "0"),
        (["serve", "--no-workers"], "99999"),
        (["demo"], "0"),
        (["demo"], "65536"),
        (["sandbox", "serve"], "0"),
        (["sandbox", "serve"], "99999"),
    ],
)
def test_a_listening_port_outside_1_to_65535_is_refused(
    env: dict[str, str], tmp_path: Path, command: list[str], port: str
) -> None:
    extra = ["--data-dir", str(tmp_path / "demo")] if command == ["demo"] else []
    result = rostersync(*command, *extra, "--port", port, env=env)
    refused(result, f"--port must be from 1 to 65535, got {port}")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"account_id,email\nacc-1,caf\xe9@example.com\n", "is not UTF-8 text"),
        (
            b"account_id,email\nacc-1," + b"x" * 200_000 + b"@example.com\n",
            "is not a readable CSV (field larger than field limit",
        ),
    ],
)
def test_an_accounts_csv_that_cannot_be_read_is_refused(
    env: dict[str, str], tenant: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(content)
    result = rostersync("accounts", "import", "--tenant", tenant, str(path), env=env)
    refused(result, message)
    assert "example.com" not in result.stderr


def test_a_missing_accounts_csv_is_refused(
    env: dict[str, str], tenant: str, tmp_path: Path
) -> None:
    path = tmp_path / "nowhere.csv"
    result = rostersync("accounts", "import", "--tenant", tenant, str(path), env=env)
    refused(result, f"cannot read {path}")


def test_an_accounts_csv_saved_by_excel_with_a_byte_order_mark_is_read(
    env: dict[str, str], tenant: str, tmp_path: Path
) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes("account_id,email\nacc-1,zoë@example.com\n".encode("utf-8-sig"))
    result = rostersync("accounts", "import", "--tenant", tenant, str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1 accounts imported"


@pytest.mark.parametrize("hours", ["-1", "169", "99999999999999999"])
def test_a_secret_overlap_outside_a_week_is_refused(env: dict[str, str], hours: str) -> None:
    result = rostersync(
        "destinations", "rotate-secret", "dst_any", "--overlap-hours", hours, env=env
    )
    refused(result, f"--overlap-hours must be from 0 to 168, got {hours}")


def test_a_sync_day_that_is_not_a_date_is_refused(env: dict[str, str]) -> None:
    result = rostersync("sync", "con_any", "--as-of", "25/11/2026", env=env)
    refused(result, "--as-of takes a date as YYYY-MM-DD")
