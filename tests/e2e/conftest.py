"""Browser fixtures for every module here: one Chromium per module, a fresh page per test.

A module sets what differs as module attributes: `ARTIFACTS` (where its screenshots go; else
`test-artifacts/<module>`), `VIEWPORT` (the page fixture's size; else a desktop) and
`CHROMIUM_EXTRA_ARGS` (more switches for its launch).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.e2e.browsers import chromium

ROOT_ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser(request: pytest.FixtureRequest) -> Iterator[Browser]:
    module = request.module
    default = ROOT_ARTIFACTS / module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    artifacts: Path = getattr(module, "ARTIFACTS", default)
    extra: tuple[str, ...] = getattr(module, "CHROMIUM_EXTRA_ARGS", ())
    yield from chromium(artifacts, extra_args=extra)


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=getattr(request.module, "VIEWPORT", DESKTOP))
    yield context.new_page()
    context.close()
