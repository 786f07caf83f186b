"""/docs (Swagger UI) and /redoc render in Chromium from our own files, under our CSP.

Every request the pages make is answered by the server under test (nothing from a CDN), the
operations of the OpenAPI document are drawn, and the console carries no CSP violation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from rostersync.cli.server import build_app
from rostersync.sandbox import ServerThread
from rostersync.settings import Settings
from rostersync.store import Keyring, open_store
from rostersync.store.crypto import generate_key_setting
from rostersync.web.security import HEADERS


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("docs")
    store = open_store(f"sqlite:///{data / 'db.sqlite'}", Keyring.parse(generate_key_setting()))
    app = build_app(store, Settings(data_dir=data))
    with ServerThread(app) as server:
        yield server.base_url


class Watched:
    """A page whose console messages and requested hosts are kept."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_page()
        self.console: list[str] = []
        self.hosts: set[str] = set()
        self.page.on("console", self._console)
        self.page.on("request", lambda request: self.hosts.add(urlsplit(request.url).netloc))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(message.text)


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    page = Watched(browser)
    yield page
    page.page.close()


def _only_ours(watched: Watched, site: str) -> None:
    assert watched.hosts <= {urlsplit(site).netloc}, watched.hosts
    # A CSP refusal is logged as a console error; so is any other request that failed.
    assert watched.console == []


def test_swagger_ui_draws_every_tag_and_operation_under_the_csp(
    site: str, watched: Watched, tmp_path: Path
) -> None:
    response = watched.page.goto(f"{site}/docs")
    assert response is not None
    assert response.headers["content-security-policy"] == HEADERS["content-security-policy"]
    expect(watched.page.locator(".opblock").first).to_be_visible(timeout=30_000)
    expect(watched.page.get_by_text("/api/hris/v1/employees").first).to_be_attached()
    assert watched.page.locator(".opblock").count() >= 20
    _only_ours(watched, site)
    watched.page.screenshot(path=str(tmp_path / "docs.png"))


def test_redoc_draws_the_operations_under_the_csp(site: str, watched: Watched) -> None:
    response = watched.page.goto(f"{site}/redoc")
    assert response is not None
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    operation = watched.page.locator("[data-section-id^='operation/']").first
    expect(operation).to_be_attached(timeout=30_000)
    assert watched.page.locator("[data-section-id^='operation/']").count() >= 20
    expect(watched.page.get_by_text("List employees").first).to_be_attached()
    _only_ours(watched, site)
