"""Hand-off (Merge's public-token pattern): a finished link's one-time code, exchanged once by
the product for the connection's account token, and the signed `connection.created` event."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from standardwebhooks.webhooks import Webhook
from starlette.requests import Request
from starlette.responses import Response

from rostersync.connectors import BadInput
from rostersync.services import connections, deliveries, destinations, pull, tenants
from rostersync.services.destinations import DestinationSpec
from rostersync.services.handoff import (
    CodeUnavailable,
    CodeUnknown,
    check_handoff,
    exchange_code,
)
from rostersync.services.links import CompletedConnection, complete, issue_link, open_link
from rostersync.store import Store
from rostersync.store.session import transaction
from rostersync.store.tables import HandoffCode
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, Sandbox, database_text, hook_receiver

CREDENTIALS = {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN}


def _finish(store: Store, hibob: Sandbox, tenant_id: str, **handoff: str) -> CompletedConnection:
    """A link of the tenant, followed to its end by the HR admin."""
    link = issue_link(
        store,
        tenant_id=tenant_id,
        environment="production",
        lifetime=timedelta(hours=1),
        actor="test",
        **handoff,
    )
    return complete(
        store,
        link_id=link.id,
        provider="hibob",
        credentials=CREDENTIALS,
        base_url=hibob.base_url,
        allow_loopback=True,
    )


@pytest.fixture
def tenant_id(store: Store) -> str:
    return tenants.create_tenant(store, "Acme", actor="test").id


def test_the_code_is_exchanged_once_for_a_token_that_reads_the_connection(
    store: Store, hibob: Sandbox, tenant_id: str
) -> None:
    done = _finish(store, hibob, tenant_id, redirect_url="https://app.example.com/back")
    assert done.handoff_code.startswith("rsc_")

    exchanged = exchange_code(store, done.handoff_code, tenant_id=None, actor="test")
    assert (exchanged.connection_id, exchanged.tenant_id) == (done.id, tenant_id)
    assert (exchanged.vendor, exchanged.environment) == ("hibob", "production")
    found = pull.connection_for_token(store, exchanged.account_token, tenant_id=tenant_id)
    assert found == done.id
    assert exchanged.account_token not in repr(exchanged)

    with pytest.raises(CodeUnavailable, match="already exchanged") as replay:
        exchange_code(store, done.handoff_code, tenant_id=tenant_id, actor="test")
    assert replay.value.http_status == 410
    # Neither the code nor the token is kept in clear: hashes only.
    text = database_text(store)
    assert done.handoff_code not in text
    assert exchanged.account_token not in text


def test_an_expired_code_is_refused(store: Store, hibob: Sandbox, tenant_id: str) -> None:
    done = _finish(store, hibob, tenant_id)
    with transaction(store.sessions) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(update(HandoffCode).values(expires_at=past))
    with pytest.raises(CodeUnavailable, match="expired"):
        exchange_code(store, done.handoff_code, tenant_id=tenant_id, actor="test")


def test_another_tenants_code_is_unknown_to_it_and_stays_unspent(
    store: Store, hibob: Sandbox, tenant_id: str
) -> None:
    done = _finish(store, hibob, tenant_id)
    other = tenants.create_tenant(store, "Other", actor="test").id
    with pytest.raises(CodeUnknown) as refused:
        exchange_code(store, done.handoff_code, tenant_id=other, actor="test")
    assert refused.value.http_status == 404
    with pytest.raises(CodeUnknown):
        exchange_code(store, "rsc_never-issued", tenant_id=None, actor="test")
    assert exchange_code(store, done.handoff_code, tenant_id=tenant_id, actor="test").account_token


def test_a_disconnected_connections_code_is_gone(
    store: Store, hibob: Sandbox, tenant_id: str
) -> None:
    done = _finish(store, hibob, tenant_id)
    connections.disconnect(store, done.id, tenant_id=tenant_id, actor="test")
    with pytest.raises(CodeUnknown):
        exchange_code(store, done.handoff_code, tenant_id=tenant_id, actor="test")


def test_a_reconnect_link_hands_off_the_same_connection(
    store: Store, hibob: Sandbox, tenant_id: str
) -> None:
    first = _finish(store, hibob, tenant_id)
    old = exchange_code(store, first.handoff_code, tenant_id=tenant_id, actor="test")
    link = issue_link(
        store,
        tenant_id=tenant_id,
        environment="production",
        lifetime=timedelta(hours=1),
        actor="test",
        reconnect=first.id,
    )
    renewed = complete(
        store,
        link_id=link.id,
        provider="hibob",
        credentials=CREDENTIALS,
        base_url=None,
        allow_loopback=True,
    )
    new = exchange_code(store, renewed.handoff_code, tenant_id=tenant_id, actor="test")
    assert new.connection_id == first.id
    # The exchanged token is the one to use from now on.
    assert pull.connection_for_token(store, new.account_token, tenant_id=tenant_id) == first.id
    assert pull.connection_for_token(store, old.account_token, tenant_id=tenant_id) is None


def test_connection_created_is_signed_and_carries_no_secret(
    store: Store, hibob: Sandbox, tenant_id: str
) -> None:
    received: list[tuple[dict[str, str], bytes]] = []

    async def handle(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=200)

    with hook_receiver(handle) as url:
        hook = destinations.create_destination(
            store, tenant_id, DestinationSpec(webhook_url=url), allow_loopback=True, actor="test"
        )
        done = _finish(store, hibob, tenant_id)
        deliveries.deliver_now(store, allow_loopback=True)
    (headers, raw), *_ = [r for r in received if b"connection.created" in r[1]]
    event = Webhook(hook.signing_secret or "").verify(raw, headers)
    assert event["type"] == "connection.created"
    assert event["data"] == {
        "tenant_id": tenant_id,
        "connection_id": done.id,
        "vendor": "hibob",
        "environment": "production",
    }
    text = raw.decode()
    assert done.handoff_code not in text
    assert HIBOB_TOKEN not in text


def test_the_link_keeps_its_handoff_and_builds_the_return_url(store: Store, tenant_id: str) -> None:
    link = issue_link(
        store,
        tenant_id=tenant_id,
        environment="production",
        lifetime=timedelta(hours=1),
        actor="test",
        redirect_url="https://app.example.com/hr/done?team=7&code=old",
        allowed_origin="https://App.Example.com:443/",
        state="x/y",
    )
    handoff = open_link(store, link.token).handoff
    assert handoff.allowed_origin == "https://app.example.com"
    assert handoff.return_url("rsc_abc") == (
        "https://app.example.com/hr/done?team=7&code=rsc_abc&state=x%2Fy"
    )
    assert (
        handoff.exit_url()
        == "https://app.example.com/hr/done?team=7&code=old&error=exited&state=x%2Fy"
    )


@pytest.mark.parametrize(
    ("redirect_url", "allowed_origin", "message"),
    [
        ("http://app.example.com/back", None, "must use https"),
        ("https://app.example.com/back#top", None, "#fragment"),
        ("ftp://app.example.com/back", None, "https:// URL with a host"),
        ("https://user:pw@app.example.com/", None, "user name or password"),
        ("https://app.example.com/a b", None, "without spaces"),
        (None, "https://app.example.com/path", "scheme://host[:port]"),
        (None, "http://app.example.com", "must use https"),
        (None, "app.example.com", "https:// URL with a host"),
    ],
)
def test_bad_handoff_urls_get_one_clear_line(
    redirect_url: str | None, allowed_origin: str | None, message: str
) -> None:
    with pytest.raises(BadInput, match=re.escape(message)) as refused:
        check_handoff(redirect_url, allowed_origin)
    assert "\n" not in str(refused.value)


def test_plain_http_is_allowed_for_this_machine_only() -> None:
    local = check_handoff("http://localhost:3000/back", "http://127.0.0.1:3000")
    assert local.allowed_origin == "http://127.0.0.1:3000"
    assert json.dumps(local.redirect_url) == '"http://localhost:3000/back"'
