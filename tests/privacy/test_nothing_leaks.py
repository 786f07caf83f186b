"""The promise, proven: fields we must not read appear nowhere; names and emails never in clear.

The emulator is told to leak every sensitive field it has (as a vendor that ignores field
selection would). After a full sync and delivery, the database (the raw SQLite file, or a
pg_dump), the logs and the webhook bodies are searched for each sensitive value, and the
database also for every synced name and email.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from starlette.requests import Request
from starlette.responses import Response

from rostersync.delivery import deliver_due
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from rostersync.store import Store
from rostersync.store.repos import destinations
from rostersync.store.session import transaction
from tests.conftest import TODAY, Harness, Sandbox, database_text, hook_receiver, make_harness
from tests.connectors.conftest import SLUGS, sandbox_config

BODIES: list[bytes] = []


async def _collect(request: Request) -> Response:
    BODIES.append(await request.body())
    return Response(status_code=204)


@pytest.fixture(params=SLUGS)
def any_vendor(request: pytest.FixtureRequest, store: Store) -> Iterator[Harness]:
    """Every registered connector, against its emulator, on each store backend."""
    config = sandbox_config(request.param)
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    faults = Faults()
    app = EMULATORS[request.param](
        company, credentials=config["emulator_credentials"], faults=faults
    )
    with ServerThread(app) as server:
        sandbox = Sandbox(company, faults, server.base_url)
        yield make_harness(store, sandbox, request.param, config["credentials"])


@pytest.fixture
def receiver_url() -> Iterator[str]:
    BODIES.clear()
    with hook_receiver(_collect) as url:
        yield url


BASE64 = re.compile(r"[A-Za-z0-9+/=]*")


def distinctive(value: str) -> bool:
    """Worth searching for: the ciphertexts are base64, where a short word turns up by chance
    (a 5-letter name about once in 10^9 positions, so every few runs in a full dump)."""
    return len(value) >= 8 or (len(value) >= 4 and not BASE64.fullmatch(value))


def _sensitive_values(harness: Harness) -> set[str]:
    values: set[str] = set()
    for person in harness.sandbox.company.people():
        data = person.to_dict(include_sensitive=True)
        # Salaries are bare numbers that also occur inside ids; their key is checked instead.
        for name in (
            "bank_account",
            "personal_email",
            "personal_phone",
            "date_of_birth",
            "ethnicity",
            "performance_note",
        ):
            value = data.get(name)
            if value not in (None, "", 0):
                values.add(str(value))
        address = data.get("home_address")
        if isinstance(address, dict):
            values.add(str(address["line1"]))
    return {v for v in values if distinctive(v)}


def test_sensitive_fields_and_clear_personal_data_appear_nowhere(
    any_vendor: Harness, receiver_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    harness = any_vendor
    caplog.set_level(logging.DEBUG)
    harness.sandbox.faults.leak_sensitive_fields = True
    with transaction(harness.store.sessions) as session:
        destinations.create_webhook(
            session, harness.store.keyring, tenant_id=harness.tenant_id, url=receiver_url
        )
    report = harness.sync()
    assert report.status == "succeeded"
    deliver_due(harness.store, allow_loopback=True)
    assert BODIES, "the webhooks were not delivered"

    sensitive = _sensitive_values(harness)
    assert len(sensitive) > 50
    webhooks = b"\n".join(BODIES).decode()
    logs = caplog.text
    database = database_text(harness.store)
    # Keys are checked in the webhooks only: the database's columns are pinned by the schema
    # guard, and short words turn up by chance inside its base64 ciphertexts.
    for key in ("salary", "iban", "birth", "ethnicity", "gender"):
        assert key not in webhooks.lower()
    for value in sensitive:
        assert value not in webhooks
        assert value not in logs
        assert value not in database

    personal = set()
    for person in harness.sandbox.company.people():
        personal.update({person.first_name, person.last_name, person.work_email or ""})
    personal = {v for v in personal if distinctive(v)}
    leaked = sorted(v for v in personal if v in database)
    assert leaked == []
    assert not any(v in logs for v in personal)
