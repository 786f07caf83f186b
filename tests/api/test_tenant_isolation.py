"""Every API route, called with another tenant's key, answers 403/404 and shows nothing.

The walk covers every route the app's OpenAPI document lists, so a route added later is
walked too without touching this test.
"""

from __future__ import annotations

from typing import Any

from rostersync.services import apikeys, destinations
from rostersync.services.destinations import DestinationSpec
from tests.api.conftest import Api
from tests.conftest import HIBOB_TOKEN, HIBOB_USER


def _tenant_a_objects(api: Api) -> dict[str, str]:
    harness = api.harness
    run = harness.sync()
    destination = destinations.create_destination(
        harness.store,
        harness.tenant_id,
        DestinationSpec(webhook_url="https://93.184.216.34/a-hook"),
        allow_loopback=False,
        actor="test",
    )
    key = apikeys.create_key(harness.store, tenant_id=harness.tenant_id, name="a", actor="test")
    return {
        "tenant_id": harness.tenant_id,
        "connection_id": harness.connection_id,
        "run_id": run.run_id,
        "destination_id": destination.id,
        "key_id": key.id,
    }


def _bodies(a: dict[str, str]) -> dict[str, dict[str, Any]]:
    """What a tenant-B caller sends to each body-taking route, aimed at tenant A."""
    return {
        "/api/v1/tenants": {"name": "Sneaky"},
        "/api/v1/tenants/{tenant_id}/branding": {"product_name": "Sneaky"},
        "/api/v1/connections": {
            "tenant_id": a["tenant_id"],
            "provider": "hibob",
            "credentials": {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
        },
        "/api/v1/destinations": {
            "tenant_id": a["tenant_id"],
            "webhook_url": "https://b.example/steal",
        },
        "/api/v1/accounts": {
            "tenant_id": a["tenant_id"],
            "accounts": [{"account_id": "u1", "email": "x@a.example"}],
        },
        "/api/v1/connections/{connection_id}/policy": {"lookahead_days": 3},
        "/api/v1/links": {"tenant_id": a["tenant_id"]},
        "/api/v1/links/exchange": {"tenant_id": a["tenant_id"], "code": "rsc_unknown"},
        "/api/v1/apikeys": {"tenant_id": a["tenant_id"]},
        "/api/v1/deliveries/replay": {"tenant_id": a["tenant_id"], "ids": ["msg_x"]},
    }


def test_a_scim_destination_or_a_reconnect_link_for_another_tenant_is_not_found(
    api: Api,
) -> None:
    a = _tenant_a_objects(api)
    with api.client(api.other_key) as b:
        scim = b.post(
            "/api/v1/destinations",
            json={
                "tenant_id": a["tenant_id"],
                "scim_url": "https://b.example/scim/v2",
                "scim_token": "t",
            },
        )
        assert scim.status_code == 404, scim.text
        # Its own tenant, but tenant A's connection: the link must not renew that one.
        link = b.post("/api/v1/links", json={"reconnect": a["connection_id"]})
        assert link.status_code == 404, link.text
        admin_key = b.post("/api/v1/apikeys", json={"admin": True})
        assert admin_key.status_code == 403, admin_key.text


def test_every_route_refuses_another_tenants_key(api: Api) -> None:
    a = _tenant_a_objects(api)
    secrets = set(a.values()) | {"Acme"}
    bodies = _bodies(a)
    walked = []
    with api.client(api.other_key) as b:
        for template, operations in api.app.openapi()["paths"].items():
            if not template.startswith("/api/v1/") or template == "/api/v1/providers":
                continue  # the public catalog holds no tenant data
            for method in (m.upper() for m in operations):
                path = template.format(**a)
                has_params = "{" in template
                if method == "GET" and not has_params:
                    own = b.get(path)
                    assert own.status_code == 200, (path, own.text)
                    assert not any(s in own.text for s in secrets), path
                    answer = b.get(path, params={"tenant_id": a["tenant_id"]})
                else:
                    answer = b.request(method, path, json=bodies.get(template))
                assert answer.status_code in (403, 404), (method, path, answer.status_code)
                # A 404 may repeat the id the caller sent, nothing else of tenant A.
                echoed = {a["tenant_id"]} | {v for v in secrets if v in path}
                assert not any(v in answer.text for v in secrets - echoed), path
                walked.append((method, template))
    assert len(walked) >= 24


def test_a_tenant_key_works_on_its_own_tenant(api: Api) -> None:
    a = _tenant_a_objects(api)
    with api.client(api.tenant_key) as client:
        connection = client.get(f"/api/v1/connections/{a['connection_id']}")
        assert connection.status_code == 200
        assert "credentials" not in connection.json()
        run = client.get(f"/api/v1/runs/{a['run_id']}").json()
        assert run["counts"]["provision"] > 0
        assert all(
            set(action)
            == {
                "id",
                "kind",
                "remote_id",
                "rule",
                "changed_fields",
                "from_status",
                "to_status",
                "account_id",
                "cause",
            }
            for action in run["actions"]
        )
        assert [c["id"] for c in client.get("/api/v1/connections").json()] == [a["connection_id"]]
        destinations_seen = client.get("/api/v1/destinations").json()
        assert all("secret" not in d and "signing_secret" not in d for d in destinations_seen)


def test_no_key_or_a_wrong_key_is_401(api: Api) -> None:
    with api.client(None) as anonymous:
        assert anonymous.get("/api/v1/connections").status_code == 401
    with api.client("rsk_nope_nope") as wrong:
        assert wrong.get("/api/v1/connections").status_code == 401
    with api.client(api.tenant_key[:-2] + "xx") as tampered:
        assert tampered.get("/api/v1/connections").status_code == 401


def test_admin_key_sees_every_tenant_and_must_name_one_to_create(api: Api) -> None:
    with api.client(api.admin_key) as admin:
        names = {t["name"] for t in admin.get("/api/v1/tenants").json()}
        assert names == {"Acme", "Other Co"}
        missing = admin.post("/api/v1/destinations", json={"webhook_url": "https://x.example/h"})
        assert missing.status_code == 422
        assert missing.json()["error"]["code"] == "tenant_required"
