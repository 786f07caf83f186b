"""Hostile vendor bodies have a ceiling: nesting depth, size and (for XML) DTDs.

Every connector is read from its emulator over real HTTP while the sandbox serves the hostile
body; the read must fail whole with a BadPayload that names the vendor, the endpoint and the
limit, and says nothing of what the body held.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from rostersync.connectors import CONNECTORS, BadPayload
from rostersync.connectors.http import MAX_DEPTH, MAX_STREAMED_BYTES, MiB
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.connectors.conftest import VendorSandbox, sandbox_config
from tests.connectors.test_conformance import read

# Far past the ceiling, yet small enough that a reader without one survives to fail the test.
DEEP = 5_000
ENDPOINT = r"to (GET|POST) /"


def refused(vendor: VendorSandbox) -> str:
    with pytest.raises(BadPayload) as caught:
        read(vendor)
    message = str(caught.value)
    assert message.startswith(CONNECTORS[vendor.slug].display_name)
    assert "[[" not in message
    assert "<n>" not in message
    return message


def test_a_deeply_nested_answer_is_refused_naming_the_limit(vendor: VendorSandbox) -> None:
    vendor.faults.nest_next(depth=DEEP, path=vendor.config["people_path"])
    message = refused(vendor)
    assert f"nested deeper than {MAX_DEPTH} levels" in message
    assert re.search(ENDPOINT, message)


@pytest.mark.timeout(120)
def test_an_endless_answer_is_refused_once_past_the_ceiling(vendor: VendorSandbox) -> None:
    vendor.faults.huge_next(2 * MAX_STREAMED_BYTES, path=vendor.config["people_path"])
    message = refused(vendor)
    assert " MiB in answer to " in message
    # Stopped reading at the ceiling: what went out is the ceiling plus what was in flight.
    assert vendor.faults.padding_sent() < MAX_STREAMED_BYTES + 16 * MiB


@pytest.fixture
def soap_workday(conformance_company: SyntheticCompany) -> Iterator[VendorSandbox]:
    config = sandbox_config("workday")
    config["credentials"] = {**config["credentials"], "mode": "soap"}
    config["people_path"] = "/ccx/service/conformance/Human_Resources"
    faults = Faults()
    app = EMULATORS["workday"](
        conformance_company, credentials=config["emulator_credentials"], faults=faults
    )
    with ServerThread(app) as server:
        yield VendorSandbox("workday", conformance_company, faults, server.base_url, config)


def test_soap_nested_deeper_than_the_ceiling_is_refused(soap_workday: VendorSandbox) -> None:
    soap_workday.faults.nest_next(depth=DEEP, path=soap_workday.config["people_path"])
    message = refused(soap_workday)
    assert f"nested deeper than {MAX_DEPTH} levels" in message
    assert "POST /ccx/service/conformance/Human_Resources" in message


def test_soap_with_an_entity_bomb_is_refused(soap_workday: VendorSandbox) -> None:
    soap_workday.faults.entities_next(path=soap_workday.config["people_path"])
    assert "declares a DTD" in refused(soap_workday)


@pytest.mark.timeout(120)
def test_soap_without_end_is_refused_once_past_the_ceiling(soap_workday: VendorSandbox) -> None:
    soap_workday.faults.huge_next(2 * MAX_STREAMED_BYTES, path=soap_workday.config["people_path"])
    assert " MiB in answer to POST /" in refused(soap_workday)
    assert soap_workday.faults.padding_sent() < MAX_STREAMED_BYTES + 16 * MiB
