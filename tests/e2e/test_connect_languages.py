"""A branded deployment's connect flow in headless Chromium, in English and German, on a
desktop and a phone: every customer page is screenshotted, checked with axe, and must not
name us anywhere the HR admin can see.

Screenshots go to test-artifacts/connect-languages/ at the repository root.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import Branding, Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.web import SandboxTarget

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "connect-languages"
USER, TOKEN = "SERVICE-I18N", "sandbox-token-i18n-0123456789"
CREDENTIALS = {"service_user_id": USER, "service_user_token": TOKEN}
PRODUCT = "Acme Learning"
CUSTOMER = "Globex"
SUPPORT = "help@acme-learning.example"
LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="32" viewBox="0 0 120 32">'
    '<rect width="120" height="32" rx="6" fill="#5b21b6"/>'
    '<text x="10" y="22" font-size="16" fill="#fff">Acme</text></svg>'
)
WIDTHS = {"desktop": 1280, "phone": 390}
OURS = re.compile("rostersync", re.IGNORECASE)


@dataclass(frozen=True)
class Words:
    """What the admin clicks and reads, in one language."""

    search: str
    disclosure: str
    to_set_up: str
    set_up: str
    guide_step: str
    """A set-up step: translated, in the product's name, the vendor's menu names as it has them."""
    have_credentials: str
    user_id: str
    user_token: str
    check: str
    answered: str
    connect: str
    proceed: str
    done: str
    asking: str
    used: str
    not_listed: str
    share: str


WORDS = {
    "en": Words(
        "Search HR systems",
        "What we read from HiBob",
        "Continue: set up HiBob",
        "Set up HiBob",
        f"Create a service user named '{PRODUCT}'.",
        "I have the credentials",
        "Service user ID",
        "Service user token",
        "Check the connection",
        "HiBob answered",
        "Connect HiBob",
        "Continue",
        "All set",
        f"{PRODUCT} uses this page to connect the HR system of {CUSTOMER}.",
        "This connect link has already been used",
        "My HR system isn't listed",
        "Send this to my IT admin",
    ),
    "de": Words(
        "HR-Systeme durchsuchen",
        "Was aus HiBob gelesen wird",
        "Weiter: HiBob einrichten",
        "HiBob einrichten",
        f"Legen Sie einen Dienstbenutzer namens „{PRODUCT}“ an.",
        "Ich habe die Zugangsdaten",
        "ID des Dienstbenutzers",
        "Token des Dienstbenutzers",
        "Verbindung prüfen",
        "HiBob hat geantwortet",
        "HiBob verbinden",
        "Weiter",
        "Fertig",
        f"{PRODUCT} verbindet über diese Seite das HR-System von {CUSTOMER}.",
        "Dieser Verbindungslink wurde bereits verwendet",
        "Mein HR-System fehlt in der Liste",
        "An meine IT-Administration senden",
    ),
}


@dataclass
class Site:
    store: Store
    base_url: str

    def link(self) -> str:
        tenant = tenants.create_tenant(self.store, CUSTOMER, actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment="production",
            lifetime=timedelta(days=1),
            actor="test",
        )
        return issued.url(self.base_url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("branded")
    logo = folder / "acme.svg"
    logo.write_text(LOGO)
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    branding = Branding(
        product_name=PRODUCT,
        logo_file=logo,
        primary_colour="#5B21B6",
        accent_colour="#f97316",
        support_contact=SUPPORT,
    )
    settings = Settings(data_dir=folder, allow_loopback=True, branding=branding)
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=5, size=12),
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


def _customer_page(page: Page, language: str, name: str) -> None:
    """What every customer page must be: in the admin's language, under the product's name
    only, accessible; and a screenshot to look at."""
    assert page.locator("html").get_attribute("lang") == language
    assert PRODUCT in page.title()
    visible = page.locator("body").inner_text()
    assert not OURS.search(page.title()), page.title()
    assert not OURS.search(visible), f"{name}: {OURS.findall(visible)}"
    expect(page.get_by_role("img", name=PRODUCT)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("language", WORDS)
def test_branded_flow_in_each_language(
    site: Site, browser: Browser, language: str, width: str
) -> None:
    words = WORDS[language]
    url = site.link()
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="en-GB")
    page = context.new_page()

    def shot(step: str) -> None:
        _customer_page(page, language, f"{language}-{width}-{step}")

    # The link parameter chooses the language over the browser's, and it sticks.
    page.goto(f"{url}?lang={language}")
    expect(page.get_by_text(words.asking)).to_be_visible()
    expect(page.get_by_role("link", name=SUPPORT)).to_have_attribute("href", f"mailto:{SUPPORT}")
    shot("1-choose")
    page.get_by_role("link", name=words.not_listed).click()
    shot("not-listed")
    page.go_back()
    page.get_by_role("link", name=words.share).click()
    shot("share")
    page.go_back()
    page.get_by_label(words.search).fill("bob")
    page.get_by_role("link", name="HiBob").click()
    expect(page.get_by_role("heading", name=words.disclosure)).to_be_visible()
    shot("2-disclosure")
    page.get_by_role("link", name=words.to_set_up).click()
    expect(page.get_by_role("heading", name=words.set_up)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=words.guide_step)).to_be_visible()
    expect(page.get_by_text("Settings > Integrations > Service users").first).to_be_visible()
    shot("3-guide")
    page.get_by_role("link", name=words.have_credentials).click()
    shot("4-credentials")
    page.get_by_label(words.user_id).fill(USER)
    page.get_by_label(words.user_token).fill(TOKEN)
    page.get_by_role("button", name=words.check).click()
    expect(page.get_by_role("heading", name=words.answered)).to_be_visible()
    shot("5-preflight")
    page.get_by_role("button", name=words.connect).click()
    expect(page.get_by_role("link", name=words.proceed)).to_be_visible(timeout=30_000)
    shot("6-progress")
    page.get_by_role("link", name=words.proceed).click()
    expect(page.get_by_role("heading", name=words.done)).to_be_visible()
    shot("7-finish")

    page.goto(url)
    expect(page.get_by_role("heading", name=words.used)).to_be_visible()
    shot("used-link")
    page.goto(f"{site.base_url}/connect/not-a-real-token?lang={language}")
    shot("invalid-link")
    context.close()


def test_the_browser_language_is_used_without_a_link_parameter(
    site: Site, browser: Browser
) -> None:
    url = site.link()
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "nl"
    expect(
        page.get_by_role("heading", name=f"Welk HR-systeem gebruikt {CUSTOMER}?")
    ).to_be_visible()
    # The switcher offers every language, each named in itself.
    switcher = page.get_by_role("navigation", name="Taal")
    for native in ("English", "Deutsch", "Français", "Español", "Nederlands"):
        expect(switcher.get_by_role("link", name=native)).to_be_visible()
    switcher.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", name=f"Quel SIRH {CUSTOMER} utilise-t-il ?")).to_be_visible()
    page.get_by_role("link", name="HiBob").click()
    expect(page.get_by_role("heading", name="Ce qui est lu dans HiBob")).to_be_visible()
    context.close()


def test_brand_assets_are_served_under_the_pages_policy(site: Site) -> None:
    with httpx.Client(base_url=site.base_url, timeout=10) as client:
        css = client.get("/static/brand.css")
        logo = client.get("/static/logo.svg")
    assert css.headers["content-type"].startswith("text/css")
    assert "--accent: #5b21b6;" in css.text
    assert "--brand-band: #f97316;" in css.text
    assert logo.headers["content-type"] == "image/svg+xml"
    assert logo.text == LOGO
    # Opened on its own, an SVG logo must not be able to run script in our origin.
    assert "sandbox" in logo.headers["content-security-policy"]


def test_the_link_parameter_is_remembered_and_announced(site: Site) -> None:
    url = site.link()
    with httpx.Client(timeout=10, headers={"accept-language": "es"}) as client:
        chosen = client.get(f"{url}?lang=de")
        assert chosen.headers["content-language"] == "de"
        assert "accept-language" in chosen.headers["vary"]
        assert '<html lang="de">' in chosen.text
        later = client.get(f"{url}/hris/hibob")
        assert later.headers["content-language"] == "de"
    with httpx.Client(timeout=10, headers={"accept-language": "es-ES,es;q=0.9"}) as fresh:
        assert fresh.get(url).headers["content-language"] == "es"
