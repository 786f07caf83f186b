"""The hand-off in headless Chromium: a product page on another origin embeds the connect flow
(modal or popup) with /static/connect-embed.js, receives the one-time code, exchanges it with
its API key, and reads the employees with the account token it gets.

Screenshots go to test-artifacts/connect/ like the connect flow's own.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Frame, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import apikeys, tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.web import SandboxTarget
from tests.e2e.test_connect_flow import (
    ARTIFACTS,
    CREDENTIALS,
    SIZE,
    TOKEN,
    USER,
    _fill_credentials,
    _free_port,
)

PRODUCT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Learning</title></head>
<body>
<h1>Acme Learning: connect your HR system</h1>
<button id="open" type="button">Connect</button>
<p>Code: <output id="code"></output></p>
<p>Exit: <output id="exit"></output></p>
<script src="{rostersync}/static/connect-embed.js"></script>
<script>
  var query = new URLSearchParams(location.search);
  document.getElementById("open").addEventListener("click", function () {{
    RostersyncConnect.open({{
      linkUrl: query.get("link"),
      mode: query.get("mode"),
      onSuccess: function (code) {{ document.getElementById("code").textContent = code; }},
      onExit: function () {{ document.getElementById("exit").textContent = "exited"; }}
    }});
  }});
</script>
</body></html>
"""


@dataclass
class Sites:
    store: Store
    rostersync: str
    product: str
    admin_key: str

    def link(self, *, embeddable: bool = True, redirect_url: str | None = None) -> str:
        tenant = tenants.create_tenant(self.store, "Acme Learning customer", actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment="production",
            lifetime=timedelta(hours=1),
            actor="test",
            allowed_origin=self.product if embeddable else None,
            redirect_url=redirect_url,
            state="acme-42" if redirect_url else None,
        )
        return issued.url(self.rostersync)


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("handoff")
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=13, size=SIZE),
        credentials={"service_user_id": USER, "token": TOKEN},
        faults=Faults(),
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    app = build_app(
        store,
        Settings(data_dir=folder, allow_loopback=True),
        sandboxes={"hibob": emulator},
        connect_sandboxes={"hibob": SandboxTarget(f"{base}/sandbox/hibob", CREDENTIALS)},
        link_base=base,
    )

    def product_page(request: Request) -> HTMLResponse:
        return HTMLResponse(PRODUCT_PAGE.format(rostersync=base))

    product = Starlette(routes=[Route("/", product_page)])
    admin_key = apikeys.create_key(store, tenant_id=None, name="product", actor="test").token
    with ServerThread(app, port=port), ServerThread(product, probe_path="/") as shop:
        yield Sites(store, base, shop.base_url, admin_key)
    store.engine.dispose()


def _walk(flow: Page | Frame) -> None:
    """The HR admin's steps, from what we read to the finish page."""
    flow.get_by_role("link", name="Continue: set up HiBob").click()
    flow.get_by_role("link", name="I have the credentials").click()
    _fill_credentials(flow)  # type: ignore[arg-type]  # a Frame has the same locators
    flow.get_by_role("button", name="Check the connection").click()
    expect(flow.get_by_role("heading", name="HiBob answered")).to_be_visible()
    flow.get_by_role("button", name="Connect HiBob").click()
    expect(flow.get_by_role("link", name="Continue")).to_be_visible(timeout=30_000)
    flow.get_by_role("link", name="Continue").click()


def _exchange_and_read(sites: Sites, code: str, *, verify: ssl.SSLContext | bool = True) -> None:
    """The product's server: the code for the token, then the employees with it."""
    with httpx.Client(
        base_url=sites.rostersync,
        headers={"authorization": f"Bearer {sites.admin_key}"},
        verify=verify,
    ) as api:
        exchanged = api.post("/api/v1/links/exchange", json={"code": code})
        assert exchanged.status_code == 200, exchanged.text
        token = exchanged.json()["account_token"]
        employees = api.get("/api/hris/v1/employees", headers={"X-Account-Token": token})
        assert employees.status_code == 200, employees.text
        assert len(employees.json()["results"]) == SIZE
        assert api.post("/api/v1/links/exchange", json={"code": code}).status_code == 410


def _product(page: Page, sites: Sites, link: str, mode: str) -> None:
    page.goto(f"{sites.product}/?{httpx.QueryParams(link=link, mode=mode)}")


def test_a_product_embeds_the_flow_in_a_modal_and_gets_the_connection(
    sites: Sites, page: Page
) -> None:
    link = sites.link()
    _product(page, sites, f"{link}/hris/hibob", "modal")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    frame = page.frame_locator("iframe[title='Connect your HR system']")
    expect(frame.get_by_role("heading", name="What we read from HiBob")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "handoff-modal.png"))
    [flow] = [f for f in page.frames if f.url.startswith(sites.rostersync)]
    _walk(flow)
    # The finish page posts the code to the product's origin; the modal closes.
    expect(page.locator("#code")).to_have_text(re.compile(r"^rsc_"), timeout=15_000)
    expect(page.get_by_role("dialog")).to_have_count(0)
    _exchange_and_read(sites, page.locator("#code").inner_text())


def test_a_product_opens_the_flow_in_a_popup_and_gets_the_connection(
    sites: Sites, page: Page
) -> None:
    link = sites.link()
    _product(page, sites, f"{link}/hris/hibob", "popup")
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Connect").click()
    popup = opened.value
    # The popup keeps its opener through every step (COOP), posts the code, and is closed.
    with popup.expect_event("close", timeout=60_000):
        _walk(popup)
    expect(page.locator("#code")).to_have_text(re.compile(r"^rsc_"))
    _exchange_and_read(sites, page.locator("#code").inner_text())


def test_without_embedding_the_finish_page_returns_the_admin_with_the_code(
    sites: Sites, page: Page
) -> None:
    back = f"{sites.product}/?from=rostersync"
    link = sites.link(embeddable=False, redirect_url=back)
    page.goto(f"{link}/hris/hibob")
    _walk(page)
    page.get_by_role("link", name="Finish and return").click()
    page.wait_for_url(f"{sites.product}/**")
    query = httpx.URL(page.url).params
    assert (query["from"], query["state"]) == ("rostersync", "acme-42")
    _exchange_and_read(sites, query["code"])


def test_leaving_the_flow_tells_the_product_and_nothing_else(sites: Sites, page: Page) -> None:
    _product(page, sites, sites.link(), "modal")
    page.get_by_role("button", name="Connect").click()
    frame = page.frame_locator("iframe[title='Connect your HR system']")
    frame.get_by_role("link", name="Leave without connecting").click()
    expect(page.locator("#exit")).to_have_text("exited")
    expect(page.locator("#code")).to_have_text("")


def test_only_the_links_product_may_frame_it(sites: Sites) -> None:
    embeddable = httpx.get(sites.link(), timeout=30)
    policy = embeddable.headers["content-security-policy"]
    assert f"frame-ancestors {sites.product};" in policy
    assert "x-frame-options" not in embeddable.headers
    assert embeddable.headers["cross-origin-opener-policy"] == "unsafe-none"
    closed = httpx.get(sites.link(embeddable=False), timeout=30)
    assert "frame-ancestors 'none'" in closed.headers["content-security-policy"]
    assert closed.headers["x-frame-options"] == "DENY"
    assert closed.headers["cross-origin-opener-policy"] == "same-origin"


def test_another_origin_cannot_frame_the_flow(sites: Sites, page: Page) -> None:
    """A link for one product, framed by a page of another origin: Chromium refuses it."""
    elsewhere = sites.product.replace("127.0.0.1", "localhost")
    page.goto(f"{elsewhere}/?{httpx.QueryParams(link=sites.link(), mode='modal')}")
    with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
        page.get_by_role("button", name="Connect").click()
    frame = page.frame_locator("iframe[title='Connect your HR system']")
    expect(frame.get_by_role("heading", name="Which HR system")).to_have_count(0)
