"""Connect links through the admin API and the CLI: shown once, tenant-scoped, single use."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx

from rostersync.store.crypto import generate_key_setting
from rostersync.store.repos import audit
from rostersync.store.session import transaction
from rostersync.store.tables import ConnectLink
from tests.api.conftest import PUBLIC_URL, Api
from tests.cli.test_cli import rostersync


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
