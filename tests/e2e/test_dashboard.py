"""The tenant dashboard in headless Chromium: login, health, charts, a held run approved, a
disconnect with confirmation, a run's page, sync now, a connect link, the tenant list.
Screenshots of each step go to test-artifacts/dashboard/, and axe finds no violation on the
pages. What needs no rendering (CSRF, sessions, tenant isolation) is checked with plain HTTP
(and in tests/web)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from rostersync.cli.server import build_app
from rostersync.sandbox import PersonStatus, ServerThread
from rostersync.services import tenants
from rostersync.settings import Settings
from rostersync.store import Keyring, Store, open_store
from rostersync.store.crypto import generate_key_setting
from rostersync.store.repos import apikeys, connections, destinations
from rostersync.store.session import transaction
from rostersync.store.tables import OutboxEntry, SyncRun
from rostersync.web import SandboxTarget
from rostersync.web.session import COOKIE
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, TODAY, Harness, Sandbox, make_harness

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
CREDENTIALS = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}


@pytest.fixture
def site(tmp_path: Path, hibob: Sandbox) -> Iterator[tuple[str, Harness, str]]:
    store: Store = open_store(
        f"sqlite:///{tmp_path / 'db.sqlite'}", Keyring.parse(generate_key_setting())
    )
    harness = make_harness(
        store,
        hibob,
        "hibob",
        {"service_user_id": "SERVICE-TEST", "service_user_token": "test-token-not-a-secret"},
    )
    with transaction(store.sessions) as session:
        _, key = apikeys.create_key(session, tenant_id=harness.tenant_id, name="hr")
        destinations.create_webhook(
            session, store.keyring, tenant_id=harness.tenant_id, url="https://product.example/h"
        )
    settings = Settings(data_dir=tmp_path, allow_loopback=True)
    app = build_app(
        store,
        settings,
        connect_sandboxes={"hibob": SandboxTarget(hibob.base_url, dict(CREDENTIALS))},
    )
    with ServerThread(app) as server:
        # Links start with the public URL, never the Host header: here, this test server.
        app.state.link_base = server.base_url
        yield server.base_url, harness, key


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def form_token(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


def sign_in(client: httpx.Client, key: str) -> httpx.Response:
    """As a browser does: the login form first, then the post with the form's token."""
    token = form_token(client.get("/dashboard/login"))
    return client.post("/dashboard/login", data={"api_key": key, "csrf": token})


def login(page: Page, base_url: str, key: str) -> None:
    page.goto(f"{base_url}/dashboard")
    expect(page.get_by_label("API key")).to_be_visible()
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()


def test_held_run_is_approved_from_the_dashboard(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    harness.sync()
    company = harness.sandbox.company
    leavers = [p for p in company.people() if p.status is PersonStatus.ACTIVE and p.work_email][:12]
    for person in leavers:
        company.terminate(person.id, on=TODAY - timedelta(days=1))
    held = harness.sync()
    assert held.status == "held"

    page = browser.new_page()
    login(page, base_url, key)
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    expect(page.get_by_text("Held for your approval")).to_be_visible()
    expect(page.get_by_text(f"{leavers[0].first_name} {leavers[0].last_name}")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(2)
    shot(page, "1-held-run")
    page.get_by_role("button", name="Approve and send").click()
    expect(page.get_by_text("Held for your approval")).to_have_count(0)
    shot(page, "2-approved")
    with transaction(harness.store.sessions) as session:
        assert session.get_one(SyncRun, held.run_id).decided_by.startswith("dashboard:")
        types = [e.event_type for e in session.scalars(select(OutboxEntry))]
    assert types.count("user.deprovision") == 12


def test_disconnect_needs_the_typed_confirmation(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    harness.sync()
    page = browser.new_page()
    login(page, base_url, key)
    page.get_by_role("link", name="Disconnect…").click()
    page.get_by_label("Type hibob to confirm").fill("nope")
    page.get_by_role("button", name="Disconnect and delete data").click()
    expect(page.get_by_role("alert")).to_contain_text("Type hibob to confirm")
    shot(page, "3-disconnect-confirm")
    page.get_by_label("Type hibob to confirm").fill("hibob")
    page.get_by_role("button", name="Disconnect and delete data").click()
    expect(page.get_by_role("cell", name="Disconnected", exact=True)).to_be_visible()
    shot(page, "4-disconnected")
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.status == "disconnected"
        assert connection.credentials is None


def test_forms_need_the_csrf_token_and_another_tenant_sees_nothing(
    site: tuple[str, Harness, str],
) -> None:
    base_url, harness, key = site
    other = tenants.create_tenant(harness.store, "Other Co", actor="test")
    with transaction(harness.store.sessions) as session:
        _, other_key = apikeys.create_key(session, tenant_id=other.id, name="other")
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        assert sign_in(client, key).status_code == 303
        forged = client.post(
            f"/dashboard/connections/{harness.connection_id}/disconnect",
            data={"csrf": "forged", "confirm": "hibob"},
        )
        assert forged.status_code == 403
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        sign_in(client, other_key)
        peek = client.get(f"/dashboard/connections/{harness.connection_id}/disconnect")
        assert peek.status_code == 404
        assert "Acme" not in client.get("/dashboard").text
    with httpx.Client(base_url=base_url, follow_redirects=True) as anonymous:
        assert anonymous.get("/dashboard").url.path == "/dashboard/login"


def test_a_sign_in_posted_from_another_site_is_refused(site: tuple[str, Harness, str]) -> None:
    """Login CSRF: a page elsewhere makes the browser post the attacker's key, with or without
    a form token the attacker fetched for themselves, to sign the victim in to their tenant."""
    base_url, _, key = site
    with httpx.Client(base_url=base_url, follow_redirects=False) as victim:
        assert victim.post("/dashboard/login", data={"api_key": key}).status_code == 403
        with httpx.Client(base_url=base_url) as attacker:
            token = form_token(attacker.get("/dashboard/login"))
        forged = {"api_key": key, "csrf": token}
        assert victim.post("/dashboard/login", data=forged).status_code == 403
        assert COOKIE not in victim.cookies
        assert victim.get("/dashboard").headers["location"] == "/dashboard/login"
        assert sign_in(victim, key).status_code == 303
        assert victim.get("/dashboard").status_code == 200


def test_every_sign_in_is_its_own_session(site: tuple[str, Harness, str]) -> None:
    base_url, _, key = site
    with (
        httpx.Client(base_url=base_url) as first,
        httpx.Client(base_url=base_url) as second,
    ):
        sign_in(first, key)
        sign_in(second, key)  # within the same second, as a rule
        assert first.cookies[COOKIE] != second.cookies[COOKIE]
        assert form_token(first.get("/dashboard")) != form_token(second.get("/dashboard"))


def test_sign_out_ends_the_session_on_the_server(site: tuple[str, Harness, str]) -> None:
    base_url, harness, key = site
    with transaction(harness.store.sessions) as session:
        _, admin_key = apikeys.create_key(session, tenant_id=None, name="operator")
    with httpx.Client(base_url=base_url, follow_redirects=False) as other:
        sign_in(other, key)
        for signing_in in (key, admin_key):
            with httpx.Client(base_url=base_url, follow_redirects=False) as browser:
                sign_in(browser, signing_in)
                kept = browser.cookies[COOKIE]
                home = browser.get("/dashboard", params={"tenant": harness.tenant_id})
                csrf = form_token(home)
                assert browser.post("/dashboard/logout", data={"csrf": csrf}).status_code == 303
            with httpx.Client(
                base_url=base_url, cookies={COOKIE: kept}, follow_redirects=False
            ) as replay:
                page = replay.get("/dashboard", params={"tenant": harness.tenant_id})
                assert (page.status_code, page.headers.get("location")) == (303, "/dashboard/login")
                assert replay.get("/dashboard/tenants").status_code == 404
                forged = replay.post(
                    f"/dashboard/connections/{harness.connection_id}/disconnect",
                    data={"csrf": csrf, "confirm": "hibob", "tenant": harness.tenant_id},
                )
                assert forged.headers["location"] == "/dashboard/login"
        assert other.get("/dashboard").status_code == 200  # only the one session ended
    with transaction(harness.store.sessions) as session:
        connection = connections.get_connection(session, harness.connection_id, tenant_id=None)
        assert connection.status == "active"


def test_a_staging_connection_is_promoted_from_the_dashboard(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    staging = harness.another_connection(environment="staging")
    page = browser.new_page()
    login(page, base_url, key)
    expect(page.get_by_role("cell", name="Staging", exact=True)).to_be_visible()
    shot(page, "5-staging")
    page.get_by_role("button", name="Promote to production").click()
    expect(page.get_by_role("cell", name="Staging", exact=True)).to_have_count(0)
    shot(page, "6-promoted")
    with transaction(harness.store.sessions) as session:
        promoted = connections.get_connection(session, staging.connection_id, tenant_id=None)
        assert promoted.environment == "production"


def test_reconnect_after_revoked_credentials_keeps_the_connection(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    first = harness.sync()
    harness.sandbox.faults.revoke_credentials()
    assert harness.sync().error_code == "auth_revoked"
    harness.sandbox.faults.restore_credentials()  # the HR admin issues a new token

    page = browser.new_page()
    login(page, base_url, key)
    page.get_by_role("button", name="Reconnect").click()
    shot(page, "7-reconnect-link")
    page.get_by_role("link", name="/connect/").click()
    page.goto(page.url.rstrip("/") + "/hris/hibob")
    page.get_by_role("link", name="Continue: set up HiBob").click()
    page.get_by_role("link", name="I have the credentials").click()
    page.get_by_label("Service user ID").fill(HIBOB_USER)
    page.get_by_label("Service user token").fill(HIBOB_TOKEN)
    page.get_by_role("button", name="Check the connection").click()
    expect(page.get_by_role("heading", name="HiBob answered")).to_be_visible()
    page.get_by_role("button", name="Connect HiBob").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="All set")).to_be_visible()
    shot(page, "8-reconnected")

    with transaction(harness.store.sessions) as session:
        rows = connections.list_connections(session, tenant_id=harness.tenant_id)
    assert [(c.id, c.status) for c in rows] == [(harness.connection_id, "active")]
    again = harness.sync()
    assert again.status == "succeeded"
    assert again.counts["provision"] == 0 < first.counts["provision"]


def test_a_field_the_service_user_stopped_seeing_is_a_warning(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    harness.sync()
    with httpx.Client(base_url=base_url) as client:
        sign_in(client, key)
        assert "Fields missing from" not in client.get("/dashboard").text
    # HiBob leaves out a field the service user may not see: the read still succeeds.
    harness.sandbox.faults.hide_fields("work.manager")
    assert harness.sync().status == "succeeded"

    with httpx.Client(base_url=base_url) as client:
        sign_in(client, key)
        text = client.get("/dashboard").text
    assert "Fields missing from hibob" in text
    assert "Manager: empty for everyone in the last read" in text
    page = browser.new_page()
    login(page, base_url, key)
    warning = page.get_by_role("alert").filter(has_text="Fields missing from hibob")
    expect(warning).to_contain_text("Manager: empty for everyone")
    shot(page, "9-field-missing")


def test_a_runs_page_names_each_action_and_who_needs_a_person(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, key = site
    company = harness.sandbox.company
    taken = next(p for p in company.people() if p.work_email)
    twin = company.hire(first_name="Dana", last_name="Twin", work_email=taken.work_email)
    report = harness.sync()
    page = browser.new_page()
    login(page, base_url, key)
    accessible(page)
    page.get_by_role("link", name="Succeeded").click()
    expect(page.get_by_role("heading", name="Needs a person")).to_be_visible()
    waiting = page.get_by_role("row").filter(has_text=f"HR id {twin.id}")
    expect(waiting).to_contain_text("Dana Twin")
    expect(waiting).to_contain_text("Someone else has the same work email")
    expect(
        page.get_by_role("heading", name=f"Actions ({report.counts['provision']})")
    ).to_be_visible()
    shot(page, "10-run-page")
    accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "11-run-page-390")


def test_sync_now_and_a_connect_link_from_the_dashboard(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, _, key = site
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    login(page, base_url, key)
    expect(page.get_by_role("cell", name="Due now")).to_be_visible()
    page.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status")).to_contain_text("A sync of hibob has started")
    shot(page, "12-sync-started")
    # The run finishes in the background; a reload shows it.
    for _ in range(120):
        page.reload()
        if page.get_by_role("link", name="Succeeded").count():
            break
        page.wait_for_timeout(250)
    expect(page.get_by_role("link", name="Succeeded")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile(r"^Scheduled for "))).to_be_visible()
    accessible(page)

    page.get_by_label("Environment").select_option("staging")
    page.get_by_label("Valid for").select_option("1d")
    page.get_by_role("button", name="Create link").click()
    expect(page.get_by_role("heading", name="Connect link")).to_be_visible()
    url = page.get_by_label("Connect link").input_value()
    assert url.startswith(f"{base_url}/connect/")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url
    shot(page, "13-connect-link")
    accessible(page)
    page.goto(url)
    expect(page.get_by_text("Acme").first).to_be_visible()
    context.close()


def test_the_operator_searches_and_pages_the_tenants(
    browser: Browser, site: tuple[str, Harness, str]
) -> None:
    base_url, harness, _ = site
    for n in range(60):
        tenants.create_tenant(harness.store, f"Customer {n:02d}", actor="test")
    with transaction(harness.store.sessions) as session:
        _, admin_key = apikeys.create_key(session, tenant_id=None, name="operator")
    page = browser.new_page()
    login(page, base_url, admin_key)
    expect(page.get_by_role("heading", name="Tenants")).to_be_visible()
    expect(page.get_by_text("61 tenants.")).to_be_visible()
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    shot(page, "14-tenants")
    accessible(page)
    page.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("link", name="Customer 59")).to_be_visible()
    page.get_by_label("Search by name").fill("customer 4")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=re.compile("^Customer 4"))).to_have_count(10)
    shot(page, "15-tenants-search")
    page.get_by_label("Search by name").fill("acme")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Acme").click()
    expect(page.get_by_role("heading", name="Acme")).to_be_visible()
    accessible(page)
