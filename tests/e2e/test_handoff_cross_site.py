"""The embedded flow across sites, as products run it: rostersync at https://127.0.0.1 and the
product's page at https://localhost (two sites to a browser, each with its own certificate
trust waived by --ignore-certificate-errors). Inside the product's page the flow is a third
party: it works only because its cookies are `SameSite=None; Secure; Partitioned`.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import apikeys
from rostersync.settings import Settings
from rostersync.store import open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.web import SandboxTarget
from tests.e2e.test_connect_flow import ARTIFACTS, CREDENTIALS, SIZE, TOKEN, USER, _free_port
from tests.e2e.test_handoff import PRODUCT_PAGE, Sites, _exchange_and_read, _walk
from tests.tls import self_signed

CHROMIUM_EXTRA_ARGS = ("--ignore-certificate-errors",)
"""Its two sites carry a certificate the test made itself."""


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def sites(
    tmp_path_factory: pytest.TempPathFactory, certificate: tuple[str, str]
) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("cross-site")
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=14, size=SIZE),
        credentials={"service_user_id": USER, "token": TOKEN},
        faults=Faults(),
    )
    port = _free_port()
    public_url = f"https://127.0.0.1:{port}"
    with ServerThread(emulator) as hibob:
        app = build_app(
            store,
            Settings(data_dir=folder, allow_loopback=True, public_url=public_url),
            connect_sandboxes={"hibob": SandboxTarget(hibob.base_url, CREDENTIALS)},
        )

        def product_page(request: Request) -> HTMLResponse:
            return HTMLResponse(PRODUCT_PAGE.format(rostersync=public_url))

        product = Starlette(routes=[Route("/", product_page)])
        admin_key = apikeys.create_key(store, tenant_id=None, name="product", actor="test").token
        with (
            ServerThread(app, port=port, tls=certificate),
            ServerThread(product, host="localhost", probe_path="/", tls=certificate) as shop,
        ):
            yield Sites(store, public_url, shop.base_url, admin_key)
    store.engine.dispose()


def _trusting(certificate: tuple[str, str]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certificate[0])


def test_a_product_on_another_site_embeds_the_flow_and_gets_the_connection(
    sites: Sites, page: Page, certificate: tuple[str, str]
) -> None:
    assert httpx.URL(sites.product).host == "localhost"
    link = sites.link()
    page.goto(f"{sites.product}/?{httpx.QueryParams(link=f'{link}/hris/hibob', mode='modal')}")
    page.get_by_role("button", name="Connect").click()
    frame = page.frame_locator("iframe[title='Connect your HR system']")
    expect(frame.get_by_role("heading", name="What we read from HiBob")).to_be_visible()
    [flow] = [f for f in page.frames if f.url.startswith(sites.rostersync)]
    _walk(flow)
    expect(page.locator("#code")).to_have_text(re.compile(r"^rsc_"), timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "handoff-cross-site-done.png"))
    # What made it work: the flow's cookies live in the jar of the product's site only.
    flow_cookies = [c for c in page.context.cookies() if c["domain"] == "127.0.0.1"]
    assert {c["name"] for c in flow_cookies} >= {"rs_csrf", "rs_flow"}
    for cookie in flow_cookies:
        assert (cookie["sameSite"], cookie["secure"]) == ("None", True), cookie
        assert cookie.get("partitionKey") == "https://localhost", cookie
    _exchange_and_read(sites, page.locator("#code").inner_text(), verify=_trusting(certificate))
