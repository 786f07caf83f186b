"""Connect links through the admin API and the CLI: shown once, tenant-scoped, single use."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import httpx

from rostersync.services.links import complete, issue_link
from rostersync.services.runs import sync_now
from rostersync.store.crypto import generate_key_setting
from rostersync.store.repos import audit
from rostersync.store.session import transaction
from rostersync.store.tables import ConnectLink
from tests.api.conftest import PUBLIC_URL, Api
from tests.cli.test_cli import rostersync
from tests.conftest import HIBOB_TOKEN, HIBOB_USER


def test_a_tenant_key_creates_a_link_for_its_own_tenant_only(api: Api) -> None:
    tenant_id = api.harness.tenant_id
    with api.client(api.tenant_key) as client:
        created = client.post("/api/v1/links", json={"environment": "staging", "expires": "2h"})
        assert created.status_code == 201, created.text
        body = created.json()
        elsewhere = client.post("/api/v1/links", json={"tenant_id": api.other_tenant_id})
        assert elsewhere.status_code == 404
        assert client.post("/api/v1/links", json={"expires": "90d"}).status_code == 422
    assert (body["tenant_id"], body["environment"]) == (tenant_id, "staging")
    token = body["url"].rsplit("/", 1)[1]
    assert body["url"] == f"{PUBLIC_URL}/connect/{token}"
    assert token.startswith("cl_")
    with transaction(api.harness.store.sessions) as session:
        link = session.get(ConnectLink, body["id"])
        assert link is not None
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in json.dumps(
            [e.details for e in audit.list_events(session, tenant_id=tenant_id)]
        )
    page = httpx.get(f"{api.base_url}/connect/{token}", timeout=30)
    assert page.status_code == 200
    assert "Which HR system" in page.text


def test_an_admin_key_must_name_the_tenant(api: Api) -> None:
    with api.client(api.admin_key) as admin:
        missing = admin.post("/api/v1/links", json={})
        assert missing.json()["error"]["code"] == "tenant_required"
        named = admin.post("/api/v1/links", json={"tenant_id": api.other_tenant_id})
        assert named.status_code == 201


def test_cli_prints_the_link_url(tmp_path: Path) -> None:
    env = {
        "ROSTERSYNC_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "ROSTERSYNC_MASTER_KEY": generate_key_setting(),
    }
    tenant = rostersync("tenants", "create", "Acme", env=env).stdout.strip()
    made = rostersync(
        "links",
        "create",
        "--tenant",
        tenant,
        "--expires",
        "7d",
        "--base-url",
        "https://hr.example.com",
        "--json",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    out = json.loads(made.stdout)
    assert out["url"].startswith("https://hr.example.com/connect/cl_")
    assert out["environment"] == "production"
    bad = rostersync("links", "create", "--tenant", tenant, "--environment", "prod", env=env)
    assert bad.returncode == 2
    assert "environment must be one of" in bad.stderr


def test_a_link_takes_its_handoff_and_refuses_a_bad_one(api: Api) -> None:
    with api.client(api.tenant_key) as client:
        made = client.post(
            "/api/v1/links",
            json={
                "redirect_url": "https://app.acme.example/hr/connected",
                "allowed_origin": "https://APP.acme.example",
                "state": "s-1",
            },
        )
        assert made.status_code == 201, made.text
        assert made.json()["allowed_origin"] == "https://app.acme.example"
        assert made.json()["redirect_url"] == "https://app.acme.example/hr/connected"
        bad = client.post("/api/v1/links", json={"allowed_origin": "https://a.example/x"})
        assert bad.status_code == 422
        assert bad.json()["error"]["message"] == (
            "allowed_origin must be scheme://host[:port], with no path or query"
        )
        plain = client.post("/api/v1/links", json={"redirect_url": "http://a.example/back"})
        assert plain.status_code == 422
        assert "https" in plain.json()["error"]["message"]


def test_the_callers_host_header_never_reaches_the_link(api: Api) -> None:
    with api.client(api.tenant_key) as client:
        made = client.post("/api/v1/links", json={}, headers={"Host": "rostersync.internal"})
    assert made.status_code == 201, made.text
    assert made.json()["url"].startswith(f"{PUBLIC_URL}/connect/cl_")
    assert "rostersync.internal" not in made.text


def test_the_product_exchanges_the_code_and_reads_the_employees(api: Api) -> None:
    harness = api.harness
    link = issue_link(
        harness.store,
        tenant_id=harness.tenant_id,
        environment="production",
        lifetime=timedelta(hours=1),
        actor="test",
    )
    done = complete(
        harness.store,
        link_id=link.id,
        provider="hibob",
        credentials={"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
        base_url=harness.sandbox.base_url,
        allow_loopback=True,
    )
    sync_now(harness.store, done.id, tenant_id=harness.tenant_id, allow_loopback=True)
    code = {"code": done.handoff_code}
    with api.client(api.other_key) as stranger:
        assert stranger.post("/api/v1/links/exchange", json=code).status_code == 404
    with api.client(api.admin_key) as admin:
        wrong = admin.post(
            "/api/v1/links/exchange", json={**code, "tenant_id": api.other_tenant_id}
        )
        assert wrong.status_code == 404
        exchanged = admin.post(
            "/api/v1/links/exchange", json={**code, "tenant_id": harness.tenant_id}
        )
        assert exchanged.status_code == 200, exchanged.text
        body = exchanged.json()
        assert (body["connection_id"], body["vendor"]) == (done.id, "hibob")
        replay = admin.post("/api/v1/links/exchange", json=code)
        assert replay.status_code == 410
        assert replay.json()["error"]["code"] == "code_unavailable"
        people = admin.get(
            "/api/hris/v1/employees", headers={"X-Account-Token": body["account_token"]}
        )
    assert people.status_code == 200, people.text
    results = people.json()["results"]
    assert results
    emails = {p.work_email for p in harness.sandbox.company.people()}
    assert {r["work_email"] for r in results} <= emails
