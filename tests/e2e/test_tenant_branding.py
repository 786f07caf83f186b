"""Two tenants of one deployment, each with its own brand, in headless Chromium: each link's
pages show that tenant's product name, colours and logo (or the deployment's where it set
none), never the other's; axe finds nothing and the CSP refuses nothing.

Screenshots go to test-artifacts/tenant-branding/ at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from rostersync.cli.server import build_app
from rostersync.sandbox import ServerThread
from rostersync.services import branding, tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import open_store
from rostersync.store.crypto import Keyring, generate_key_setting

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "tenant-branding"
LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">'
    b'<rect width="120" height="32" rx="6" fill="#7a1f5c"/>'
    b'<text x="10" y="22" font-size="16" fill="#fff">Acme</text></svg>'
)


@dataclass(frozen=True)
class Brand:
    customer: str
    product: str
    colour: str
    """The primary colour, as the browser computes it."""
    support: str | None


ACME = Brand("Globex", "Acme Learning", "rgb(122, 31, 92)", "help@acme-learning.example")
INITECH = Brand("Umbrella", "Initech Payroll", "rgb(15, 81, 50)", None)


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Brand, str]]:
    folder = tmp_path_factory.mktemp("tenant-branding")
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    acme = tenants.create_tenant(store, ACME.customer, actor="test")
    initech = tenants.create_tenant(store, INITECH.customer, actor="test")
    branding.set_branding(
        store,
        acme.id,
        product_name=ACME.product,
        primary_colour="#7a1f5c",
        accent_colour="#f0c040",
        support_contact=ACME.support,
        logo=LOGO,
        actor="test",
    )
    # No logo nor support contact: the deployment's (none) is shown for those.
    branding.set_branding(
        store, initech.id, product_name=INITECH.product, primary_colour="#0f5132", actor="test"
    )
    app = build_app(store, Settings(data_dir=folder, allow_loopback=True))
    with ServerThread(app) as server:
        yield {
            brand: issue_link(
                store,
                tenant_id=tenant.id,
                environment="production",
                lifetime=timedelta(days=1),
                actor="test",
            ).url(server.base_url)
            for brand, tenant in ((ACME, acme), (INITECH, initech))
        }
    store.engine.dispose()


def _shows(page: Page, brand: Brand, other: Brand, name: str) -> None:
    asking = page.locator(".asking")
    expect(asking).to_contain_text(
        f"{brand.product} uses this page to connect the HR system of {brand.customer}."
    )
    assert brand.product in page.title()
    html = page.content()
    assert other.product not in html
    assert other.customer not in html
    button = page.locator("button, .button").first
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == brand.colour
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(("brand", "other"), [(ACME, INITECH), (INITECH, ACME)])
def test_each_link_shows_its_own_tenants_brand(
    links: dict[Brand, str], browser: Browser, brand: Brand, other: Brand
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    # The browser's own favicon request is a 404 too: only what the CSP refused counts.
    page.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    slug = brand.product.split()[0].lower()

    page.goto(links[brand])
    _shows(page, brand, other, f"{slug}-choose")
    if brand.support is None:
        expect(page.locator("footer")).not_to_contain_text("support")
        expect(page.get_by_role("img", name=brand.product)).to_have_count(0)
    else:
        expect(page.get_by_role("link", name=brand.support)).to_be_visible()
        logo = page.get_by_role("img", name=brand.product)
        expect(logo).to_be_visible()
        assert logo.evaluate("i => i.naturalWidth") == 120

    page.goto(f"{links[brand]}?vendor=hibob")
    _shows(page, brand, other, f"{slug}-disclosure")
    assert refused == []
    context.close()
