"""The connect flow in headless Chromium, against the app with the sandbox HiBob mounted.

Each step's screenshot is saved under test-artifacts/connect/ at the repository root.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select, update

from rostersync.cli.server import build_app
from rostersync.engine import vendor_profile
from rostersync.model import NOT_ACCESSED
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.store.repos import connections, people
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, ConnectLink
from rostersync.web import SandboxTarget

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "connect"
VIEWPORT = {"width": 412, "height": 915}
"""A phone-sized viewport: the flow must work there."""
USER, TOKEN = "SERVICE-E2E", "sandbox-token-e2e-0123456789"
CREDENTIALS = {"service_user_id": USER, "service_user_token": TOKEN}
SIZE = 40


@dataclass
class Site:
    store: Store
    base_url: str

    def link(self, *, environment: str = "production") -> tuple[str, str]:
        """A new tenant and a connect link for it: (tenant id, URL)."""
        tenant = tenants.create_tenant(self.store, f"Acme {environment}", actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment=environment,
            lifetime=timedelta(days=1),
            actor="test",
        )
        return tenant.id, issued.url(self.base_url)

    def connections_of(self, tenant_id: str) -> list[Connection]:
        with transaction(self.store.sessions) as session:
            return connections.list_connections(session, tenant_id=tenant_id)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("connect")
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    settings = Settings(data_dir=folder, allow_loopback=True)
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=11, size=SIZE),
        credentials={"service_user_id": USER, "token": TOKEN},
        faults=Faults(),
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = build_app(
        store,
        settings,
        sandboxes={"hibob": emulator},
        connect_sandboxes={"hibob": SandboxTarget(f"{base}/sandbox/hibob", CREDENTIALS)},
    )
    with ServerThread(app, port=port):
        yield Site(store, base)
    store.engine.dispose()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _fill_credentials(page: Page, token: str = TOKEN) -> None:
    page.get_by_label("Service user ID").fill(USER)
    page.get_by_label("Service user token").fill(token)


def _to_credentials(page: Page, url: str) -> None:
    """Through what will be read (which the credential form needs first) and the set-up."""
    page.goto(f"{url}/hris/hibob")
    page.get_by_role("link", name="Continue: set up HiBob").click()
    page.get_by_role("link", name="I have the credentials").click()


def _connect(page: Page, url: str, prefix: str) -> None:
    """Steps 2 to 7 from what will be read, saving a screenshot of each."""
    page.goto(f"{url}/hris/hibob")
    _shot(page, f"{prefix}-2-disclosure")
    page.get_by_role("link", name="Continue: set up HiBob").click()
    _shot(page, f"{prefix}-3-guide")
    page.get_by_role("link", name="I have the credentials").click()
    _fill_credentials(page)
    page.get_by_role("button", name="Check the connection").click()
    expect(page.get_by_role("heading", name="HiBob answered")).to_be_visible()
    _shot(page, f"{prefix}-5-preflight")
    page.get_by_role("button", name="Connect HiBob").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=30_000)
    _shot(page, f"{prefix}-6-progress")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="All set")).to_be_visible()
    _shot(page, f"{prefix}-7-finish")


def test_production_connect_for_hibob(site: Site, page: Page, browser: Browser) -> None:
    tenant_id, url = site.link()
    page.goto(url)
    _shot(page, "production-1-choose")
    page.get_by_label("Search HR systems").fill("bob")
    expect(page.get_by_role("link", name="BambooHR")).to_be_hidden()
    page.get_by_role("link", name="HiBob").click()

    # What will be read comes first, rendered from the requests HiBob's connector makes.
    expect(page.get_by_role("heading", name="What we read from HiBob")).to_be_visible()
    expect(page.get_by_text("Step 2 of 7")).to_be_visible()
    text = page.locator("main").inner_text()
    for category in NOT_ACCESSED:
        assert category in text, category
    [search] = [r for r in vendor_profile("hibob").requests if r.fields]
    listed = page.locator(f'[data-request="POST {search.url}"] code[data-requested]')
    expect(listed).to_have_text([f.name for f in search.fields])
    unavailable = page.get_by_role("region", name="Not available from HiBob")
    expect(unavailable).to_contain_text("Country of the work location")
    status_only = page.get_by_role("region", name="Read only to work out the employment status")
    expect(status_only).to_contain_text("internal.terminationDate")
    _shot(page, "production-2-disclosure")

    page.get_by_role("link", name="Continue: set up HiBob").click()
    expect(page.get_by_role("heading", name="Set up HiBob")).to_be_visible()
    expect(page.get_by_text("Service users", exact=False).first).to_be_visible()
    _shot(page, "production-3-guide")
    page.get_by_role("link", name="I have the credentials").click()
    expect(page.get_by_text("Demo sandbox")).to_be_visible()
    _shot(page, "production-4-credentials")
    _fill_credentials(page)
    page.get_by_role("button", name="Check the connection").click()

    checks = page.locator("table.checks")
    for name in ("Credentials accepted", "People readable", "Departments and teams readable"):
        expect(checks.locator("tr.check-passed", has_text=name)).to_be_visible()
    expect(checks.locator("tr", has_text="Leavers (terminated people) visible")).to_be_visible()
    expect(checks.locator("tr", has_text="Future hires visible")).to_be_visible()
    assert TOKEN not in page.content()
    _shot(page, "production-5-preflight")

    page.get_by_role("button", name="Connect HiBob").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-count=people_read]")).to_have_text(str(SIZE))
    _shot(page, "production-6-progress")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_text(f"read {SIZE} people")).to_be_visible()
    _shot(page, "production-7-finish")

    [connection] = site.connections_of(tenant_id)
    assert (connection.provider, connection.environment) == ("hibob", "production")
    with transaction(site.store.sessions) as session:
        state = people.load_state(session, site.store.keyring, connection)
    assert len(state.people) == SIZE

    # Anyone opening the link afterwards learns it is used, and nothing more.
    other = browser.new_context().new_page()
    response = other.goto(url)
    assert response is not None
    assert response.status == 410
    expect(other.get_by_role("heading", name="already been used")).to_be_visible()
    _shot(other, "used-link")
    other.context.close()


def test_staging_link_creates_a_staging_connection_without_javascript(
    site: Site, browser: Browser
) -> None:
    tenant_id, url = site.link(environment="staging")
    # Without JavaScript the progress page refreshes itself until the sync is done.
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}?q=hib")
    expect(page.get_by_text("Test connection: changes go to a test setup")).to_be_visible()
    expect(page.get_by_role("link", name="BambooHR")).to_have_count(0)
    _connect(page, url, "staging")
    context.close()
    [connection] = site.connections_of(tenant_id)
    assert connection.environment == "staging"


def test_expired_link_explains_what_to_do(site: Site, page: Page) -> None:
    tenant_id, url = site.link()
    with transaction(site.store.sessions) as session:
        session.execute(
            update(ConnectLink)
            .where(ConnectLink.tenant_id == tenant_id)
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    response = page.goto(f"{url}/hris/hibob/credentials")
    assert response is not None
    assert response.status == 410
    expect(page.get_by_role("heading", name="This connect link has expired")).to_be_visible()
    expect(page.get_by_text("Ask the person who sent it to you for a new link")).to_be_visible()
    _shot(page, "expired-link")


def test_wrong_credentials_store_nothing_and_are_not_shown(site: Site, page: Page) -> None:
    tenant_id, url = site.link()
    wrong = "wrong-token-that-must-not-echo"
    _to_credentials(page, url)
    _fill_credentials(page, token=wrong)
    page.get_by_role("button", name="Check the connection").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("HiBob did not accept these credentials")
    expect(alert).to_contain_text("Nothing was saved")
    expect(page.get_by_label("Service user token")).to_have_value("")
    expect(page.get_by_label("Service user ID")).to_have_value("")
    assert wrong not in page.content()
    _shot(page, "wrong-credentials")
    assert site.connections_of(tenant_id) == []
    with transaction(site.store.sessions) as session:
        link = session.scalars(select(ConnectLink).where(ConnectLink.tenant_id == tenant_id)).one()
        assert link.used_at is None


def test_forms_need_the_csrf_token_and_submissions_are_limited(site: Site) -> None:
    _, url = site.link()
    with httpx.Client(timeout=30) as client:
        disclosure = client.get(f"{url}/hris/hibob")
        form = client.get(f"{url}/hris/hibob/credentials")
        assert "style-src 'self';" in form.headers["content-security-policy"]
        cookies = disclosure.headers.get_list("set-cookie")
        assert len(cookies) == 2  # the form's and the flow's
        for cookie in cookies:
            assert "HttpOnly" in cookie
            assert "SameSite=strict" in cookie.replace("Strict", "strict")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        target = f"{url}/hris/hibob/credentials"
        forged = client.post(target, data={**CREDENTIALS, "csrf_token": "forged"})
        assert forged.status_code == 403
        wrong = {**CREDENTIALS, "service_user_token": "nope", "csrf_token": token.group(1)}
        statuses = [client.post(target, data=wrong).status_code for _ in range(6)]
    assert statuses == [422] * 5 + [429]


def test_pages_beside_the_flow_are_accessible(site: Site, page: Page) -> None:
    _, url = site.link()
    axe = Axe()
    page.goto(f"{url}?vendor=hibob")
    expect(page.get_by_role("heading", name="What we read from HiBob")).to_be_visible()
    pages = {"disclosure": page.url}
    page.get_by_role("link", name="Send this to my IT admin").click()
    expect(page.get_by_label("Link to send")).to_have_value(f"{url}?vendor=hibob")
    pages["share"] = page.url
    pages["not-listed"] = f"{url}/not-listed"
    pages["unknown-vendor"] = f"{url}?vendor=nope"
    pages["choose"] = url
    # Gusto's API sends whole records: each request lists the fields kept from its answer.
    pages["disclosure-whole-records"] = f"{url}/hris/gusto"
    for name, address in pages.items():
        page.goto(address)
        results = axe.run(page)
        assert results.violations_count == 0, (name, results.generate_report())
        _shot(page, f"beside-{name}")
    page.goto(f"{url}/not-listed")
    page.get_by_label("Name of your HR system").fill("Sage People")
    page.get_by_role("button", name="Tell them").click()
    expect(page.get_by_role("status")).to_contain_text("Sage People")
