"""A token in a destination URL's query string: sealed at rest, shown redacted, still delivered.

Receivers often authenticate webhooks with a token in the query (`?token=...`). The database
file, the admin API, the CLI listings, the delivery errors and the logs must never show it;
only the request to the receiver carries it.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.requests import Request
from starlette.responses import Response

from rostersync.delivery import deliver_due
from rostersync.store import Store
from tests.api.conftest import Api
from tests.conftest import hook_receiver

TOKEN = "hook-token-8d1f2c7e"


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[str]]]:
    """A receiver that records the query string of every POST it gets."""
    queries: list[str] = []

    async def hook(request: Request) -> Response:
        queries.append(request.url.query)
        return Response(status_code=204)

    with hook_receiver(hook) as url:
        yield url, queries


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_bytes(store: Store) -> bytes:
    store.engine.dispose()  # checkpoints the WAL into the file
    database = Path(str(store.engine.url.database))
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def _cli(store: Store, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env |= {
        "ROSTERSYNC_DATABASE_URL": store.engine.url.render_as_string(hide_password=False),
        "ROSTERSYNC_MASTER_KEY": store.keyring.serialise(),
    }
    done = subprocess.run(
        [sys.executable, "-m", "rostersync", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_query_token_is_sealed_at_rest_redacted_when_shown_and_sent_to_the_receiver(
    api: Api, receiver: tuple[str, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    hook, queries = receiver
    dead = f"http://127.0.0.1:{_closed_port()}/hook?token={TOKEN}"
    with api.client(api.tenant_key) as client:
        created = client.post(
            "/api/v1/destinations", json={"webhook_url": f"{hook}?token={TOKEN}&team=blue"}
        )
        assert created.status_code == 201, created.text
        assert client.post("/api/v1/destinations", json={"webhook_url": dead}).status_code == 201
        listed = client.get("/api/v1/destinations")
    shown = [d["url"] for d in listed.json()]
    assert shown == [f"{hook}?token=***&team=***", dead.replace(TOKEN, "***")]
    assert created.json()["url"] == shown[0]

    store = api.harness.store
    assert api.harness.sync().status == "succeeded"
    result = deliver_due(store, allow_loopback=True)
    assert result.delivered > 0
    assert result.retrying == result.delivered  # every event to the dead endpoint failed
    assert set(queries) == {f"token={TOKEN}&team=blue"}

    outputs = [
        created.text,
        listed.text,
        caplog.text,
        _cli(store, "deliveries", "list", "--status", "pending", "--json"),
    ]
    assert "could not connect" in outputs[-1]  # the failures are listed, with their error
    for output in outputs:
        assert TOKEN not in output
    assert TOKEN.encode() not in _database_bytes(store)
