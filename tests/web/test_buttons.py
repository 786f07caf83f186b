"""Sync now and create link: form posts with the session's CSRF token, for the viewer's own
tenant only; what they start really happens."""

from __future__ import annotations

import time

from rostersync.model import RunStatus
from rostersync.services import audit, runs
from tests.web.conftest import Dash, key_for, visible


def _runs_finished(dash: Dash, count: int) -> list[runs.RunInfo]:
    """Wait (bounded) for `count` runs of the connection to finish: sync now runs in the
    background."""
    deadline = time.monotonic() + 60
    while True:
        found = runs.list_runs(dash.store, tenant_id=dash.harness.tenant_id)
        finished = [r for r in found if r.status != RunStatus.RUNNING]
        if len(finished) >= count or time.monotonic() > deadline:
            return finished
        time.sleep(0.05)


def test_sync_now_starts_a_sync(dash: Dash) -> None:
    connection = dash.harness.connection_id
    answer = dash.post(f"/dashboard/connections/{connection}/sync")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/dashboard?started={connection}"
    notice = dash.client.get(answer.headers["location"]).text
    assert "A sync of hibob has started" in notice
    finished = _runs_finished(dash, 1)
    assert [r.status for r in finished] == [RunStatus.SUCCEEDED]
    entries = audit.list_audit(dash.store, tenant_id=dash.harness.tenant_id)
    asked = [e for e in entries if e.action == "sync.requested"]
    assert [(e.target, e.actor.startswith("dashboard:")) for e in asked] == [(connection, True)]
    assert "Sync started from the dashboard" in visible(dash.home())[0]


def test_sync_now_is_refused_while_a_run_is_held(dash: Dash) -> None:
    dash.hold_a_run()
    answer = dash.post(f"/dashboard/connections/{dash.harness.connection_id}/sync")
    assert answer.status_code == 409
    assert "held run awaits approval" in answer.text
    assert "Sync now" not in dash.home()


def test_sync_now_needs_the_form_token_and_the_tenant(dash: Dash, other_tenant: str) -> None:
    path = f"/dashboard/connections/{dash.harness.connection_id}/sync"
    assert dash.client.post(path, data={"csrf": "forged"}).status_code == 403
    dash.sign_in(key_for(dash.store, other_tenant))
    assert dash.post(path).status_code == 404
    assert dash.post(path, tenant=dash.harness.tenant_id).status_code == 404
    dash.client.cookies.clear()
    assert dash.client.post(path, data={"csrf": "x"}).headers["location"] == "/dashboard/login"
    assert runs.list_runs(dash.store, tenant_id=None) == []


def test_create_link_shows_a_working_link_once(dash: Dash) -> None:
    answer = dash.post("/dashboard/links", environment="staging", expires="1d")
    assert answer.status_code == 200
    text, _ = visible(answer.text)
    assert "Staging" in text
    url = answer.text.split('id="link-url" class="wide" readonly value="')[1].split('"')[0]
    assert url.startswith(f"{str(dash.client.base_url).rstrip('/')}/connect/")  # link_base
    path = url.split(dash.client.base_url.host, 1)[1].split("/", 1)[1]
    opened = dash.client.get("/" + path)
    assert opened.status_code == 200
    assert "Acme" in opened.text
    entries = audit.list_audit(dash.store, tenant_id=dash.harness.tenant_id)
    assert [e.action for e in entries].count("connect_link.created") == 1
    assert url not in dash.home()  # shown that once: only its hash is kept


def test_create_link_refuses_a_forged_form_another_tenant_and_odd_lifetimes(
    dash: Dash, other_tenant: str
) -> None:
    assert dash.client.post("/dashboard/links", data={"csrf": "forged"}).status_code == 403
    assert dash.post("/dashboard/links", expires="99y").status_code == 422
    assert dash.post("/dashboard/links", environment="moon").status_code == 422
    assert dash.post("/dashboard/links", tenant=other_tenant).status_code == 404
    dash.sign_in(dash.admin_key)
    made = dash.post("/dashboard/links", tenant=other_tenant)
    assert made.status_code == 200
    acme = audit.list_audit(dash.store, tenant_id=dash.harness.tenant_id)
    assert "connect_link.created" not in [e.action for e in acme]
    other = audit.list_audit(dash.store, tenant_id=other_tenant)
    assert [e.action for e in other].count("connect_link.created") == 1
