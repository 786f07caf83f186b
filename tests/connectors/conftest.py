"""Per-vendor test data: how to start each emulator and which credentials the connector takes.

`fixtures/<slug>/sandbox.json` holds, for the conformance suite:
- `emulator_credentials`: what the emulator accepts (its module's CREDENTIALS),
- `credentials`: the same access in the connector's declared credential fields,
- `people_path`: the documented path people are read from (faults target it),
- `min_people_requests`: how many people requests a 250-person read takes at least (paging),
- `represents_leave`: whether the vendor can say someone is on leave,
- `short_pages` (optional): why a short page of people cannot be seen by the client
  (`single-response`: one answer holds everyone; `vendor-cursor`: the vendor's cursor moves on).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rostersync.connectors import CONNECTORS
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY, SwappableApp, plugged_in, serve_swappable

FIXTURES = Path(__file__).parent / "fixtures"
SLUGS = sorted(CONNECTORS)


def sandbox_config(slug: str) -> dict[str, Any]:
    path = FIXTURES / slug / "sandbox.json"
    assert path.is_file(), f"every registered connector needs {path.relative_to(FIXTURES.parent)}"
    config: dict[str, Any] = json.loads(path.read_text())
    return config


@dataclass
class VendorSandbox:
    slug: str
    company: SyntheticCompany
    faults: Faults
    base_url: str
    config: dict[str, Any]


@pytest.fixture(scope="session")
def conformance_company() -> SyntheticCompany:
    return SyntheticCompany(seed=11, size=250, today=TODAY)


@pytest.fixture(scope="session")
def vendor_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


@pytest.fixture(params=SLUGS)
def vendor(
    request: pytest.FixtureRequest,
    conformance_company: SyntheticCompany,
    vendor_server: tuple[ServerThread, SwappableApp],
) -> Iterator[VendorSandbox]:
    slug = request.param
    config = sandbox_config(slug)
    faults = Faults()
    app = EMULATORS[slug](
        conformance_company, credentials=config["emulator_credentials"], faults=faults
    )
    with plugged_in(vendor_server, app) as base_url:
        yield VendorSandbox(slug, conformance_company, faults, base_url, config)
