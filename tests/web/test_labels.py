"""Every state a page can show is in words: one mapping (web.labels), and pages rendered
with every value of every status enum show none of them raw."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from rostersync.model import (
    Action,
    ActionKind,
    ConnectionStatus,
    DestinationKind,
    EmploymentStatus,
    Environment,
    LifecycleRule,
    NeedsAPerson,
    RunStatus,
)
from rostersync.services import connections, destinations, tenants
from rostersync.services.destinations import DestinationSpec
from rostersync.services.schedule import NextSyncState
from rostersync.services.tenants import TenantHealth
from rostersync.store import Store
from rostersync.store.repos import connections as connection_rows
from rostersync.store.repos import runs, staging
from rostersync.store.session import transaction
from rostersync.web.labels import LABELS
from tests.conftest import HIBOB_TOKEN, HIBOB_USER, Harness
from tests.web.conftest import Dash, visible

ENUMS = (
    ConnectionStatus,
    RunStatus,
    Environment,
    DestinationKind,
    ActionKind,
    LifecycleRule,
    NeedsAPerson,
    NextSyncState,
    TenantHealth,
)


def test_every_state_of_every_shown_enum_has_words() -> None:
    assert set(LABELS) == set(ENUMS)
    for enum, words in LABELS.items():
        assert set(words) == set(enum), enum
        assert all(w and w not in set(enum) for w in words.values()), enum


def _connection(harness: Harness, environment: str = "production") -> str:
    return harness.another_connection(environment=environment).connection_id


def _finished_run(store: Store, connection_id: str, status: RunStatus, **report: object) -> str:
    with transaction(store.sessions) as session:
        connection = connection_rows.get_connection(session, connection_id, tenant_id=None)
        run = runs.start_run(session, connection, dry_run=False, at=datetime.now(UTC))
        if status is not RunStatus.RUNNING:
            runs.finish_run(run, status=status, at=datetime.now(UTC), report=dict(report))
        return run.id


def _every_action_kind_and_rule(store: Store, run_id: str) -> None:
    with transaction(store.sessions) as session:
        run = runs.get_run(session, run_id, tenant_id=None)
        kinds = list(ActionKind)
        runs.stage_actions(
            session,
            run,
            (
                Action(f"act_{n}", kinds[n % len(kinds)], f"p-{n}", rule, "a rule, in words")
                for n, rule in enumerate(LifecycleRule)
            ),
        )
        staging.publish(session, run.id)


def _tenant_in_state(store: Store, harness: Harness, status: RunStatus | None) -> None:
    tenant = tenants.create_tenant(store, f"State {status or 'none'}", actor="test")
    if status is None:
        return
    made = connections.create_connection(
        store,
        tenant_id=tenant.id,
        provider="hibob",
        credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
        base_url=harness.sandbox.base_url,
        environment="production",
        allow_loopback=True,
        actor="test",
    )
    _finished_run(store, made.id, status)


def test_pages_with_every_state_show_words_not_slugs(dash: Dash) -> None:
    store, harness = dash.store, dash.harness
    # Connections: held (and its earlier runs), refused, running, disconnected, due, scheduled.
    preview = harness.sync(dry_run=True).run_id
    held = dash.hold_a_run()
    refused = _connection(harness)
    with transaction(store.sessions) as session:
        row = connection_rows.get_connection(session, refused, tenant_id=None)
        connection_rows.mark_needs_reauth(row, "the vendor answered 401")
    failed = _finished_run(store, refused, RunStatus.FAILED)
    _finished_run(store, _connection(harness), RunStatus.RUNNING)
    gone = _connection(harness)
    connections.disconnect(store, gone, tenant_id=None, actor="test")
    _connection(harness)  # never synced: due
    scheduled = Harness(store, harness.sandbox, harness.tenant_id, _connection(harness, "staging"))
    synced = scheduled.sync().run_id
    rejected = _finished_run(
        store,
        scheduled.connection_id,
        RunStatus.REJECTED,
        needs_a_person={reason.value: ["p-waiting"] for reason in NeedsAPerson},
    )
    _every_action_kind_and_rule(store, rejected)
    for spec in (
        DestinationSpec(webhook_url="https://93.184.216.34/hook"),
        DestinationSpec(
            scim_url="https://93.184.216.34/scim/v2", scim_token="t", environment="staging"
        ),
    ):
        destinations.create_destination(
            store, harness.tenant_id, spec, allow_loopback=False, actor="t"
        )
    for status in (RunStatus.HELD, RunStatus.FAILED, RunStatus.SUCCEEDED, None):
        _tenant_in_state(store, harness, status)

    dash.sign_in(dash.admin_key)
    tenant = {"tenant": harness.tenant_id}
    paths = [
        "/dashboard",
        "/dashboard/tenants",
        *(f"/dashboard/runs/{r}" for r in (preview, held, failed, synced, rejected)),
        f"/dashboard/connections/{refused}/disconnect",
    ]
    pages = []
    for path in paths:
        page = dash.client.get(path, params=None if path.endswith("tenants") else tenant)
        assert page.status_code == 200, path
        pages.append(visible(page.text))
    link = dash.post("/dashboard/links", tenant=harness.tenant_id, environment="staging")
    pages.append(visible(link.text))

    text = " ".join(t for t, _ in pages)
    cells = {c for _, page_cells in pages for c in page_cells}
    for enum in ENUMS:
        for member in enum:
            if "_" in member.value:
                assert not re.search(rf"\b{member.value}\b", text), member.value
            assert member.value not in cells, f"{enum.__name__}.{member.name} shown raw"
            assert LABELS[enum][member] in text, f"{enum.__name__}.{member.name} never shown"
    assert "needs_reauth" not in text
    for status in EmploymentStatus:  # the engine's causes name them; the pages use words
        assert not re.search(rf"\b{status.value}\b", text), status
