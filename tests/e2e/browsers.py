"""The one way browser tests start Debian's Chromium (Playwright's own download cannot work)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium(artifacts: Path, *, extra_args: tuple[str, ...] = ()) -> Iterator[Browser]:
    """A headless Chromium for a module's tests; its screenshots go to `artifacts`.
    `extra_args`: more command-line switches (a test's own certificate, say)."""
    artifacts.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=[*CHROMIUM_ARGS, *extra_args]
        )
        yield launched
        launched.close()
