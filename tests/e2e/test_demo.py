"""`rostersync demo` from the outside: start it, follow the printed URL, see the sync."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from rostersync.cli.demo import SANDBOX_USER
from rostersync.settings import Settings
from rostersync.store import open_store
from rostersync.store.keys import load_keyring
from rostersync.store.repos import connections, destinations
from rostersync.store.session import transaction

DEMO_LOG: list[Path] = [Path()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("demo")
    log = data_dir.parent / "demo.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rostersync",
                "demo",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
                "--people",
                "80",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            deadline = time.monotonic() + 60
            url = None
            while time.monotonic() < deadline and url is None:
                assert process.poll() is None, log.read_text()
                found = re.search(r"running at (http://\S+)", log.read_text())
                url = found.group(1) if found else None
                time.sleep(0.2)
            assert url, log.read_text()
            DEMO_LOG[0] = log
            yield url.rstrip("/"), data_dir
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for(url: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        page = httpx.get(url, timeout=10).text
        if text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared on {url}")


def test_demo_answers_health(demo: tuple[str, Path]) -> None:
    url, _ = demo
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}


def test_demo_overview_shows_tenant_connection_and_people(demo: tuple[str, Path]) -> None:
    url, _ = demo
    page = _wait_for(f"{url}/", "succeeded")
    assert "Demo Company" in page
    assert "hibob connection" in page
    synced = re.search(r"People synced \((\d+)\)", page)
    assert synced is not None
    assert int(synced.group(1)) == 80


def test_demo_receiver_shows_verified_signed_webhooks(demo: tuple[str, Path]) -> None:
    url, _ = demo
    page = _wait_for(f"{url}/demo/receiver", "user.provision")
    assert "verified" in page
    assert "INVALID" not in page


def test_demo_key_file_is_private(demo: tuple[str, Path]) -> None:
    _, data_dir = demo
    assert (data_dir / "master.key").stat().st_mode & 0o777 == 0o600


def test_following_the_printed_connect_link_ends_on_the_dashboard_with_people(
    demo: tuple[str, Path],
) -> None:
    url, data_dir = demo
    printed = DEMO_LOG[0].read_text()
    link = re.search(r"connect link:\s+(\S+)", printed)
    admin_key = re.search(r"admin API key (\S+)\)", printed)
    assert link is not None
    assert admin_key is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.goto(link.group(1))
        page.get_by_role("link", name="HiBob").click()
        page.get_by_role("link", name="Continue: set up HiBob").click()
        page.get_by_role("link", name="I have the credentials").click()
        # all_inner_texts does not wait: the page must have arrived first.
        expect(page.locator("dl.sandbox dd code").first).to_be_visible()
        shown = page.locator("dl.sandbox dd code").all_inner_texts()
        page.get_by_label("Service user ID").fill(shown[0])
        page.get_by_label("Service user token").fill(shown[1])
        page.get_by_role("button", name="Check the connection").click()
        page.get_by_role("button", name="Connect HiBob").click()
        expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=30_000)
        page.get_by_role("link", name="Continue").click()
        expect(page.get_by_text("read 80 people")).to_be_visible()
        # The HR admin's finish page names no operator tool; the operator opens the dashboard.
        page.goto(link.group(1).split("/connect/")[0] + "/dashboard")
        page.get_by_label("API key").fill(admin_key.group(1))
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Linked Company").click()
        expect(page.get_by_role("heading", name="Linked Company")).to_be_visible()
        expect(page.get_by_role("cell", name="succeeded").first).to_be_visible()
        expect(page.locator("svg.chart").first).to_be_visible()
        issued = [link.group(1).rsplit("/", 1)[1], admin_key.group(1), *shown]
        issued += [c["value"] for c in page.context.cookies()]
        browser.close()
    _wait_for(f"{url}/demo/receiver", "user.provision")
    _no_secret_in_the_log(DEMO_LOG[0], data_dir, issued)


def _no_secret_in_the_log(log: Path, data_dir: Path, issued: list[str]) -> None:
    """Every secret of the run: what the browser saw, and what only the database holds."""
    settings = Settings(data_dir=data_dir, database_url=None)
    store = open_store(settings.resolved_database_url(), load_keyring(settings), migrate=False)
    with transaction(store.sessions) as session:
        for destination in destinations.list_destinations(session, tenant_id=None):
            issued.append(destinations.signing_secret(store.keyring, destination))
        for connection in connections.list_connections(session, tenant_id=None):
            issued.extend(connections.read_credentials(store.keyring, connection).values())
    store.engine.dispose()
    # The banner is the demo's output to its operator, the one place a link and a key are shown.
    text = log.read_text()
    banner = re.search(r"rostersync demo is running at .*?data directory:[^\n]*\n", text, re.S)
    assert banner is not None
    logged = text.replace(banner.group(0), "")
    assert "HTTP Request" in logged or "sync" in logged  # the log is not empty
    secrets = {s for s in issued if len(s) >= 8 and s != SANDBOX_USER}
    assert len(secrets) >= 6
    leaked = sorted(s[:4] + "..." for s in secrets if s in logged)
    assert leaked == [], f"secrets in the demo log: {leaked}"
