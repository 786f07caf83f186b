"""`rostersync demo` starting, stopping and starting again, as an operator does it.

A demo never deletes a directory: it checks its port before anything else, refuses a directory
it did not make, reuses its own one (key, database, tenants), and leaves its banner (links and
admin key) as the last thing on the screen and on the overview page.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from rostersync.cli.demo import GUSTO_CLIENT_ID

FINISHED = "start-up finished"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _demo_command(port: int, data_dir: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "rostersync",
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--people",
        "20",
        *options,
    ]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}


@contextmanager
def running_demo(data_dir: Path, log: Path, *options: str) -> Iterator[tuple[str, str]]:
    """(base URL, everything it printed by the end of start-up); stopped with SIGTERM."""
    port = _free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            _demo_command(port, data_dir, *options),
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
    try:
        deadline = time.monotonic() + 60
        while not re.search(rf"{FINISHED}.*data directory:[^\n]*\n", log.read_text(), re.S):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _admin_key(printed: str) -> str:
    keys = re.findall(r"admin API key (\S+)\)", printed)
    assert len(set(keys)) == 1, keys
    return keys[0]


def test_a_taken_port_stops_the_demo_before_it_touches_its_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    with running_demo(data_dir, tmp_path / "first.log") as (url, _):
        key = (data_dir / "master.key").read_bytes()
        before = sorted(p.name for p in data_dir.iterdir())
        port = url.rsplit(":", 1)[1]
        second = subprocess.run(
            [*_demo_command(int(port), data_dir)],
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
            check=False,
        )
        assert second.returncode == 2, second.stderr
        assert f"port {port} on 127.0.0.1 is in use" in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        assert (data_dir / "master.key").read_bytes() == key
        assert sorted(p.name for p in data_dir.iterdir()) == before
        assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}


def test_a_directory_the_demo_did_not_make_is_refused_and_kept(tmp_path: Path) -> None:
    data_dir = tmp_path / "mine"
    data_dir.mkdir()
    (data_dir / "notes.txt").write_text("not a demo's")
    refused = subprocess.run(
        _demo_command(_free_port(), data_dir),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "never deletes a directory" in refused.stderr
    assert [p.name for p in data_dir.iterdir()] == ["notes.txt"]


def _gusto_token(url: str, secret: str, **grant: str) -> httpx.Response:
    form = {"client_id": GUSTO_CLIENT_ID, "client_secret": secret, **grant}
    return httpx.post(f"{url}/sandbox/gusto/oauth/token", data=form)


def _gusto_consent(url: str, secret: str) -> str:
    """The refresh token an admin's Allow on the sandbox Gusto's consent page gives the demo."""
    # The demo registers its app with its own callback only, as a Gusto app is registered.
    callback = f"{url}/connect/oauth/callback"
    consent = {"client_id": GUSTO_CLIENT_ID, "redirect_uri": callback, "state": "s"}
    allowed = httpx.post(
        f"{url}/sandbox/gusto/oauth/authorize", data=consent | {"decision": "allow"}
    )
    assert allowed.status_code == 303, allowed.text
    code = parse_qs(urlsplit(allowed.headers["location"]).query)["code"][0]
    exchanged = _gusto_token(
        url,
        secret,
        grant_type="authorization_code",
        code=code,
        redirect_uri=consent["redirect_uri"],
    )
    assert exchanged.status_code == 200, exchanged.text
    return str(exchanged.json()["refresh_token"])


def test_a_second_start_reuses_the_directory_its_key_and_its_tenants(tmp_path: Path) -> None:
    data_dir = tmp_path / "demo"
    with running_demo(data_dir, tmp_path / "first.log") as (url, printed):
        key = (data_dir / "master.key").read_bytes()
        first_key = _admin_key(printed)
        connection = re.search(r"connection:\s+(\S+)", printed)
        assert connection is not None
        gusto_secret = json.loads((data_dir / "demo.json").read_text())["gusto_client_secret"]
        granted = _gusto_consent(url, gusto_secret)
    with running_demo(data_dir, tmp_path / "second.log") as (url, printed):
        assert (data_dir / "master.key").read_bytes() == key
        # A Gusto connection made by consent keeps syncing: its grant outlived the restart.
        renewed = _gusto_token(url, gusto_secret, grant_type="refresh_token", refresh_token=granted)
        assert renewed.status_code == 200, renewed.text
        assert f"connection:      {connection.group(1)}" in printed
        second_key = _admin_key(printed)
        with httpx.Client(base_url=url) as client:
            tenants = client.get(
                "/api/v1/tenants", headers={"Authorization": f"Bearer {second_key}"}
            )
            assert sorted(t["name"] for t in tenants.json()) == ["Demo Company", "Linked Company"]
            # Each start prints a new admin key and revokes the last one.
            old = client.get("/api/v1/tenants", headers={"Authorization": f"Bearer {first_key}"})
            assert old.status_code == 401


def test_the_banner_is_the_last_thing_start_up_prints_and_is_on_the_overview(
    tmp_path: Path,
) -> None:
    with running_demo(tmp_path / "demo", tmp_path / "demo.log") as (url, printed):
        after_sync = printed.split(FINISHED, 1)[1]
        assert "connect link:" in after_sync
        assert "admin API key" in after_sync
        # No line per request or per delivery: start-up fits on a screen.
        assert len(printed.splitlines()) < 60, printed
        admin_key = _admin_key(printed)
        link = re.search(r"connect link:\s+(\S+)", printed)
        assert link is not None
        page = httpx.get(f"{url}/").text
        assert admin_key in page
        assert link.group(1) in page
        assert httpx.get(f"{url}/").headers["cache-control"] == "no-store"


def test_sync_every_is_the_interval_the_api_and_the_dashboard_promise(tmp_path: Path) -> None:
    # Neither the settings' default (900 s) nor the flag's (60 s): the one this start was given.
    options = ("--sync-every", "1234")
    with running_demo(tmp_path / "demo", tmp_path / "demo.log", *options) as (url, printed):
        connection = re.search(r"connection:\s+(\S+)", printed)
        assert connection is not None
        assert "(syncs every 1234s)" in printed
        key = _admin_key(printed)
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as api:
            status = api.get(f"/api/v1/connections/{connection.group(1)}/sync-status")
            assert status.status_code == 200, status.text
            [employees, *_] = status.json()["results"]
            [tenant] = [t for t in api.get("/api/v1/tenants").json() if t["name"] == "Demo Company"]
        synced = datetime.fromisoformat(employees["data_fresh_as_of"])
        coming = datetime.fromisoformat(employees["next_sync_start"])
        assert coming - synced == timedelta(seconds=1234)
        with httpx.Client(base_url=url) as browser:
            form = browser.get("/dashboard/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf is not None
            browser.post("/dashboard/login", data={"api_key": key, "csrf": csrf.group(1)})
            home = browser.get("/dashboard", params={"tenant": tenant["id"]})
        assert home.status_code == 200, home.text
        assert f"Scheduled for {coming:%Y-%m-%d %H:%M} UTC" in home.text
