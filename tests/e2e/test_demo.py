"""`rostersync demo` from the outside: start it, follow the printed URL, see the sync; follow the
printed connect link and connect HiBob with the shown credentials, or Gusto by clicking Allow on
its sandbox consent page (the demo registered its OAuth app: nothing is typed).

Screenshots go to test-artifacts/demo/ at the repository root."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from rostersync.cli.demo import GUSTO_CLIENT_ID, GUSTO_COMPANY_UUID, SANDBOX_USER
from rostersync.settings import Settings
from rostersync.store import open_store
from rostersync.store.keys import load_keyring
from rostersync.store.repos import connections, destinations
from rostersync.store.session import transaction

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "demo"


@dataclass(frozen=True)
class Demo:
    url: str
    data_dir: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _started(folder: Path) -> Iterator[Demo]:
    """A demo on a free port with its data in `folder`/data, until the test module is done."""
    port = _free_port()
    data_dir = folder / "data"
    log = folder / "demo.log"
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
            yield Demo(url.rstrip("/"), data_dir, log)
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    yield from _started(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def oauth_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Another demo: its connect link is single use, and this one connects Gusto."""
    yield from _started(tmp_path_factory.mktemp("oauth-demo"))


def _printed(demo: Demo) -> tuple[str, str]:
    """The connect link and the admin key the banner shows."""
    printed = demo.log.read_text()
    link = re.search(r"connect link:\s+(\S+)", printed)
    admin_key = re.search(r"admin API key (\S+)\)", printed)
    assert link is not None, printed
    assert admin_key is not None, printed
    return link.group(1), admin_key.group(1)


def _dashboard_shows_the_linked_tenant_synced(page: Page, demo: Demo, admin_key: str) -> None:
    page.goto(f"{demo.url}/dashboard")
    page.get_by_label("API key").fill(admin_key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Linked Company").click()
    expect(page.get_by_role("heading", name="Linked Company")).to_be_visible()
    expect(page.get_by_role("cell", name="succeeded").first).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()


def _wait_for(url: str, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        page = httpx.get(url, timeout=10).text
        if text in page:
            return page
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared on {url}")


def test_demo_answers_health(demo: Demo) -> None:
    assert httpx.get(f"{demo.url}/healthz").json() == {"status": "ok"}


def test_demo_overview_shows_tenant_connection_and_people(demo: Demo) -> None:
    page = _wait_for(f"{demo.url}/", "succeeded")
    assert "Demo Company" in page
    assert "hibob connection" in page
    synced = re.search(r"People synced \((\d+)\)", page)
    assert synced is not None
    assert int(synced.group(1)) == 80


def test_demo_receiver_shows_verified_signed_webhooks(demo: Demo) -> None:
    page = _wait_for(f"{demo.url}/demo/receiver", "user.provision")
    assert "verified" in page
    assert "INVALID" not in page


def test_demo_key_file_is_private(demo: Demo) -> None:
    assert (demo.data_dir / "master.key").stat().st_mode & 0o777 == 0o600


def test_following_the_printed_connect_link_ends_on_the_dashboard_with_people(
    demo: Demo, page: Page
) -> None:
    link, admin_key = _printed(demo)
    page.goto(link)
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
    _dashboard_shows_the_linked_tenant_synced(page, demo, admin_key)
    issued = [link.rsplit("/", 1)[1], admin_key, *shown]
    issued += [c["value"] for c in page.context.cookies()]
    _wait_for(f"{demo.url}/demo/receiver", "user.provision")
    _no_secret_in_the_log(demo, issued)


def test_the_printed_connect_link_connects_gusto_with_a_click_on_allow(
    oauth_demo: Demo, page: Page
) -> None:
    link, admin_key = _printed(oauth_demo)
    assert "sandbox Gusto:" in oauth_demo.log.read_text()
    page.goto(link)
    page.get_by_role("link", name="Gusto", exact=True).click()
    expect(page.get_by_role("heading", name="What we read from Gusto")).to_be_visible()
    page.get_by_role("link", name="Continue: set up Gusto").click()
    expect(page.get_by_role("heading", name="Set up Gusto")).to_be_visible()
    page.get_by_role("link", name="Continue", exact=True).click()
    # The demo's OAuth app is registered: no "not configured" page, no field to type into.
    expect(page.locator("input[type=password], input[type=text]")).to_have_count(0)
    page.get_by_role("link", name="Continue to Gusto").click()

    # The sandbox Gusto's consent page, served by the demo itself.
    expect(page.get_by_role("heading", name="Gusto: allow access?")).to_be_visible()
    assert page.url.startswith(f"{oauth_demo.url}/sandbox/gusto/oauth/authorize?")
    page.screenshot(path=str(ARTIFACTS / "demo-gusto-consent.png"), full_page=True)
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_role("heading", name="Gusto answered")).to_be_visible()
    page.get_by_role("button", name="Connect Gusto").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text(re.compile(r"The first sync read \d+ people"))).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "demo-gusto-finish.png"), full_page=True)

    _dashboard_shows_the_linked_tenant_synced(page, oauth_demo, admin_key)
    expect(page.get_by_role("cell", name=re.compile(r"^gusto "))).to_be_visible()
    issued = [link.rsplit("/", 1)[1], admin_key]
    issued += [c["value"] for c in page.context.cookies()]
    _no_secret_in_the_log(oauth_demo, issued)


def _no_secret_in_the_log(demo: Demo, issued: list[str]) -> None:
    """Every secret of the run: what the browser saw, and what only the database holds (for a
    connection made by consent: the demo's OAuth client secret and the rotated refresh token)."""
    settings = Settings(data_dir=demo.data_dir, database_url=None)
    store = open_store(settings.resolved_database_url(), load_keyring(settings), migrate=False)
    with transaction(store.sessions) as session:
        for destination in destinations.list_destinations(session, tenant_id=None):
            issued.append(destinations.signing_secret(store.keyring, destination))
        for connection in connections.list_connections(session, tenant_id=None):
            issued.extend(connections.read_credentials(store.keyring, connection).values())
    store.engine.dispose()
    # The banner is the demo's output to its operator, the one place a link and a key are shown.
    text = demo.log.read_text()
    banner = re.search(r"rostersync demo is running at .*?data directory:[^\n]*\n", text, re.S)
    assert banner is not None
    logged = text.replace(banner.group(0), "")
    assert "HTTP Request" in logged or "sync" in logged  # the log is not empty
    # Names, not secrets: the service user and the demo's OAuth app and company at Gusto.
    public = {SANDBOX_USER, GUSTO_CLIENT_ID, GUSTO_COMPANY_UUID}
    secrets = {s for s in issued if len(s) >= 8 and s not in public}
    assert len(secrets) >= 6
    leaked = sorted(s[:4] + "..." for s in secrets if s in logged)
    assert leaked == [], f"secrets in the demo log: {leaked}"
