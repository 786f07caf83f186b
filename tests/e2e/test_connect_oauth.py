"""OAuth vendors end to end in headless Chromium: the HR admin picks the vendor, continues to
its (emulated) consent page, clicks Allow, lands back, reviews and connects; the connection
syncs. No secret is typed, and none is ever on a page the admin sees.

Screenshots go to test-artifacts/connect/ at the repository root.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from rostersync.model import RunStatus
from rostersync.sandbox import SyntheticCompany
from rostersync.services.runs import sync_now
from rostersync.store.repos import people
from rostersync.store.session import transaction
from tests.web.oauth_site import APPS, NAMES, OAuthSite, oauth_site

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "connect"
DISCOVERED = {"gusto": "company_uuid", "employmenthero": "organisation_id"}
SECOND_ORGANISATION = "0e0e0e0e-0000-4000-8000-0000000000f3"
SECOND_COMPANY = SyntheticCompany(seed=24, size=9)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthSite]:
    folder = tmp_path_factory.mktemp("oauth-e2e")
    with oauth_site(folder, configured=("gusto", "employmenthero")) as running:
        yield running


@pytest.fixture(scope="module")
def several(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthSite]:
    """Employment Hero, whose admin sees a second organisation."""
    with oauth_site(
        tmp_path_factory.mktemp("oauth-e2e-several"),
        configured=("employmenthero",),
        organisations={SECOND_ORGANISATION: SECOND_COMPANY},
    ) as running:
        yield running


def _no_secret_field(page: Page) -> None:
    expect(page.locator("input[type=password]")).to_have_count(0)
    expect(page.locator("input[type=text]")).to_have_count(0)


def _accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("provider", ["gusto", "employmenthero"])
def test_an_oauth_vendor_connects_with_a_click_on_allow(
    site: OAuthSite, page: Page, provider: str
) -> None:
    name, app = NAMES[provider], APPS[provider]
    tenant_id, url = site.link()
    page.goto(url)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"What we read from {name}")).to_be_visible()
    page.get_by_role("link", name=f"Continue: set up {name}").click()
    expect(page.get_by_role("heading", name=f"Set up {name}")).to_be_visible()
    page.get_by_role("link", name="Continue", exact=True).click()
    _no_secret_field(page)
    _accessible(page)
    page.screenshot(path=str(ARTIFACTS / f"oauth-{provider}-3-continue.png"), full_page=True)
    page.get_by_role("link", name=f"Continue to {name}").click()

    # The vendor's own page (emulated): the admin only says Allow.
    expect(page.get_by_role("heading", name=f"{name}: allow access?")).to_be_visible()
    page.get_by_role("button", name="Allow").click()

    expect(page.get_by_role("heading", name=f"{name} answered")).to_be_visible()
    checks = page.locator("table.checks")
    expect(checks.locator("tr.check-passed", has_text="Credentials accepted")).to_be_visible()
    expect(checks.locator("tr.check-passed", has_text="People readable")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"oauth-{provider}-4-preflight.png"), full_page=True)
    page.get_by_role("button", name=f"Connect {name}").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Continue").click()
    for secret in (app["client_secret"], app["client_id"]):
        assert secret not in page.content()

    [connection] = site.connections_of(tenant_id)
    assert connection.provider == provider
    stored = site.credentials_of(connection.id)
    assert (stored["client_id"], stored["client_secret"]) == (
        app["client_id"],
        app["client_secret"],
    )
    assert stored[DISCOVERED[provider]] == app[DISCOVERED[provider]]
    with transaction(site.store.sessions) as session:
        state = people.load_state(session, site.store.keyring, connection)
    assert len(state.people) > 0
    # Gusto's emulator spends each refresh token on use: this sync works only because the
    # consent's token and every rotation since were stored.
    again = sync_now(site.store, connection.id, tenant_id=tenant_id, allow_loopback=True)
    assert again.status is RunStatus.SUCCEEDED, again.error_message


def test_a_denied_consent_offers_a_retry_that_works(site: OAuthSite, page: Page) -> None:
    tenant_id, url = site.link()
    page.goto(f"{url}/hris/gusto")
    page.goto(f"{url}/hris/gusto/credentials")
    page.get_by_role("link", name="Continue to Gusto").click()
    page.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("heading", name="Access was not allowed")).to_be_visible()
    _accessible(page)
    page.screenshot(path=str(ARTIFACTS / "oauth-denied.png"), full_page=True)
    assert site.connections_of(tenant_id) == []
    page.get_by_role("link", name="Try again").click()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Gusto answered")).to_be_visible()


def test_an_admin_of_several_organisations_chooses_the_second_and_it_is_read(
    several: OAuthSite, page: Page
) -> None:
    tenant_id, url = several.link()
    page.goto(f"{url}/hris/employmenthero")
    page.goto(f"{url}/hris/employmenthero/credentials")
    page.get_by_role("link", name="Continue to Employment Hero").click()
    page.get_by_role("button", name="Allow").click()

    heading = "Which Employment Hero organisation should be connected?"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    choices = page.get_by_role("group", name="Organisations").get_by_role("radio")
    expect(choices).to_have_count(2)
    _accessible(page)
    page.screenshot(path=str(ARTIFACTS / "oauth-employmenthero-3b-choose.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    _accessible(page)
    page.screenshot(path=str(ARTIFACTS / "oauth-employmenthero-3b-choose-390.png"), full_page=True)
    page.get_by_role("radio", name=SECOND_COMPANY.name).check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Employment Hero answered")).to_be_visible()
    page.get_by_role("button", name="Connect Employment Hero").click()
    expect(page.get_by_role("link", name="Continue")).to_be_visible(timeout=60_000)

    [connection] = several.connections_of(tenant_id)
    assert several.credentials_of(connection.id)["organisation_id"] == SECOND_ORGANISATION
    with transaction(several.store.sessions) as session:
        state = people.load_state(session, several.store.keyring, connection)
    # The second organisation's people, not the first's (30 of them).
    assert len(state.people) == len(SECOND_COMPANY.people())
