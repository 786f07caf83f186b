"""ADP Workforce Now over real mutual TLS on 127.0.0.1, and its certificate at connect time.

The servers serve ADP's token and workers paths over https and require a client certificate
signed by a test CA. The connector's client trusts that CA only because certifi's bundle is
swapped for one that adds it: server verification stays on.

The read is served by uvicorn (sandbox ServerThread). Refusals are served by the stdlib TLS
server of tests/net: a refusing server tells the client so with a TLS alert, which uvicorn
cannot send (CPython's asyncio closes the connection on a failed handshake without flushing
the alert, so the client only sees a disconnect).
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import certifi
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rostersync.connectors import (
    CONNECTORS,
    AuthRevoked,
    BadInput,
    Connector,
    ReadContext,
    read_records,
)
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.vendors import adpworkforcenow
from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox.server import ServerThread
from rostersync.services import connections, tenants
from rostersync.store import Store
from tests.conftest import database_text
from tests.net.support import Issued, LoopbackServer, Reply, TestCa, serve

AS_OF = date(2026, 11, 25)
NOWHERE = "http://127.0.0.1:9"
"""A loopback base URL: creating a connection checks the target and reads nothing."""
WORKER = {
    "associateOID": "G3TEST0000000001",
    "person": {"legalName": {"givenName": "Ada", "familyName1": "Lovelace"}},
    "workerDates": {"originalHireDate": "2020-01-06"},
    "workerStatus": {"statusCode": {"codeValue": "Active"}},
    "businessCommunication": {"emails": [{"emailUri": "ada@example.com"}]},
    "workAssignments": [{"primaryIndicator": True, "hireDate": "2020-01-06"}],
}


class FakeAdp:
    """ADP's two paths: a token for the client credentials, then one page of one worker."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def token(self, request: Request) -> Response:
        self.calls.append("token")
        form = await request.form()
        basic = "Basic " + base64.b64encode(b"client:secret").decode()
        if (
            form.get("grant_type") != "client_credentials"
            or request.headers.get("authorization") != basic
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        return JSONResponse({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})

    async def workers(self, request: Request) -> Response:
        self.calls.append(f"workers {request.query_params.get('$skip')}")
        if request.headers.get("authorization") != "Bearer tok":
            return Response(status_code=401)
        if request.query_params.get("$skip") != "0":
            return Response(status_code=204)
        return JSONResponse({"workers": [WORKER]})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/auth/oauth/v2/token", self.token, methods=["POST"]),
                Route("/hr/v2/workers", self.workers),
            ]
        )


@pytest.fixture
def ca() -> TestCa:
    return TestCa("ADP test CA")


@pytest.fixture
def adp(
    ca: TestCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ServerThread, FakeAdp]]:
    bundle = ca.trusted_bundle(tmp_path)
    monkeypatch.setattr(certifi, "where", lambda: bundle)
    certfile, keyfile = ca.issue("127.0.0.1", ip="127.0.0.1").write(tmp_path, "server")
    client_ca = tmp_path / "client-ca.pem"
    client_ca.write_text(ca.pem)
    fake = FakeAdp()
    with ServerThread(fake.app(), tls=(certfile, keyfile), client_ca=str(client_ca)) as server:
        yield server, fake


def _credentials(issued: Issued) -> dict[str, str]:
    return {
        "client_id": "client",
        "client_secret": "secret",
        "client_certificate": issued.certificate,
        "private_key": issued.key,
    }


def _context(server: ServerThread, credentials: dict[str, str]) -> ReadContext:
    return ReadContext(
        credentials=credentials,
        as_of=AS_OF,
        base_url=server.base_url,
        allow_loopback=True,
        sleep=lambda _s: None,
    )


def test_the_token_call_and_worker_read_present_the_certificate(
    adp: tuple[ServerThread, FakeAdp], ca: TestCa
) -> None:
    server, fake = adp
    assert server.base_url.startswith("https://")
    context = _context(server, _credentials(ca.issue("rostersync ADP client")))
    records = list(read_records(CONNECTORS["adpworkforcenow"], context))
    (ada,) = [r for r in records if isinstance(r, Employee)]
    assert (ada.remote_id, ada.work_email, ada.employment_status) == (
        "G3TEST0000000001",
        "ada@example.com",
        EmploymentStatus.ACTIVE,
    )
    assert fake.calls == ["token", "workers 0", "workers 1"]


@pytest.fixture
def refusing(
    ca: TestCa, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LoopbackServer]:
    """ADP's paths behind a TLS server that wants a certificate of `ca` and sends alerts."""
    bundle = ca.trusted_bundle(tmp_path)
    monkeypatch.setattr(certifi, "where", lambda: bundle)
    context = ca.server_requiring_clients(tmp_path)
    with serve(context) as server:
        token = json.dumps({"access_token": "tok", "expires_in": 3600}).encode()
        server.script("/auth/oauth/v2/token", Reply(200, body=token))
        server.script("/hr/v2/workers", Reply(200, body=json.dumps({"workers": []}).encode()))
        yield server


def _refused(server: LoopbackServer, connector: Connector, issued: Issued) -> str:
    context = ReadContext(
        credentials=_credentials(issued),
        as_of=AS_OF,
        base_url=server.base_url,
        allow_loopback=True,
        sleep=lambda _s: pytest.fail("a refused certificate must not be retried"),
    )
    with pytest.raises(AuthRevoked) as refused:
        list(read_records(connector, context))
    assert server.hits == {}  # refused in the handshake: no request was read
    message = str(refused.value)
    assert "\n" not in message
    assert issued.key.splitlines()[1] not in message
    return message


def test_a_certificate_from_another_ca_fails_in_one_line(refusing: LoopbackServer) -> None:
    stranger = TestCa("not ADP").issue("rostersync ADP client")
    message = _refused(refusing, CONNECTORS["adpworkforcenow"], stranger)
    assert message.startswith("ADP Workforce Now refused the TLS client certificate (")
    assert "/auth/oauth/v2/token" in message  # the first call, before any worker is asked for


def test_without_a_certificate_the_handshake_is_refused(
    refusing: LoopbackServer, ca: TestCa
) -> None:
    bare = DeclarativeConnector(dataclasses.replace(adpworkforcenow.SPEC, mutual_tls=None))
    message = _refused(refusing, bare, ca.issue("unused"))
    assert "CERTIFICATE_REQUIRED" in message


def _tenant(store: Store) -> str:
    return tenants.create_tenant(store, "Acme", actor="test").id


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"client_certificate": "-----BEGIN CERTIFICATE-----\nnot base64\n"}, "not a PEM cert"),
        ({"private_key": "paste the key here"}, "not a PEM private key"),
        ({"private_key": "OTHER"}, "does not belong to the client certificate"),
    ],
)
def test_a_certificate_that_cannot_work_is_refused_at_connections_create(
    store: Store, ca: TestCa, change: dict[str, str], says: str
) -> None:
    credentials = _credentials(ca.issue("client")) | change
    if credentials["private_key"] == "OTHER":
        credentials["private_key"] = ca.issue("someone else").key
    with pytest.raises(BadInput, match=says) as refused:
        connections.create_connection(
            store,
            tenant_id=_tenant(store),
            provider="adpworkforcenow",
            credentials=credentials,
            base_url=NOWHERE,
            environment="production",
            allow_loopback=True,
            actor="test",
        )
    assert "\n" not in str(refused.value)
    assert connections.list_connections(store, tenant_id=None) == []


def test_an_expired_certificate_is_refused_with_its_date(ca: TestCa) -> None:
    expired = ca.issue("client", valid_for=-timedelta(days=2))
    with pytest.raises(BadInput, match="expired on"):
        CONNECTORS["adpworkforcenow"].check_target(
            _credentials(expired), NOWHERE, allow_loopback=True
        )


def test_the_certificate_and_key_are_stored_encrypted(store: Store, ca: TestCa) -> None:
    issued = ca.issue("client")
    connections.create_connection(
        store,
        tenant_id=_tenant(store),
        provider="adpworkforcenow",
        credentials=_credentials(issued),
        base_url=NOWHERE,
        environment="production",
        allow_loopback=True,
        actor="test",
    )
    stored = database_text(store)
    key_body = issued.key.splitlines()[1]
    cert_body = issued.certificate.splitlines()[1]
    assert key_body not in stored
    assert cert_body not in stored
