"""The operations the API gained for parity with the CLI: SCIM destinations and event
filters, promotion, API keys, deliveries. Each goes through the same service as the CLI."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.api.test_bad_input import refused
from tests.conftest import HIBOB_TOKEN, HIBOB_USER

SCIM_URL = "https://93.184.216.34/scim/v2"
SCIM_TOKEN = "scim-bearer-not-shown"


def test_a_scim_destination_with_an_event_filter_is_created_and_its_token_never_shown(
    api: Api,
) -> None:
    body = {
        "scim_url": SCIM_URL,
        "scim_token": SCIM_TOKEN,
        "event_types": ["user.deprovision", "user.provision"],
        "scim_groups": True,
    }
    with api.client(api.tenant_key) as client:
        created = client.post("/api/v1/destinations", json=body)
        listed = client.get("/api/v1/destinations")
        audit = client.get("/api/v1/audit")
    assert created.status_code == 201, created.text
    shown = created.json()
    assert shown["kind"] == "scim"
    assert shown["signing_secret"] is None
    assert shown["options"] == {
        "event_types": ["user.deprovision", "user.provision"],
        "groups": True,
    }
    assert [d["id"] for d in listed.json()] == [shown["id"]]
    assert SCIM_TOKEN not in created.text + listed.text + audit.text
    assert "destination.created" in [e["action"] for e in audit.json()]


def test_a_webhook_destination_filters_event_types_too(api: Api) -> None:
    body = {"webhook_url": "https://93.184.216.34/hooks", "event_types": ["user.update"]}
    with api.client(api.tenant_key) as client:
        created = client.post("/api/v1/destinations", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["options"] == {"event_types": ["user.update"]}
    assert created.json()["signing_secret"].startswith("whsec_")


def test_destination_options_are_checked_as_the_cli_checks_them(api: Api) -> None:
    hook = "https://93.184.216.34/hooks"
    with api.client(api.tenant_key) as client:
        unknown = client.post(
            "/api/v1/destinations", json={"webhook_url": hook, "event_types": ["user.provison"]}
        )
        both = client.post("/api/v1/destinations", json={"webhook_url": hook, "scim_url": SCIM_URL})
        tokenless = client.post("/api/v1/destinations", json={"scim_url": SCIM_URL})
        groups = client.post(
            "/api/v1/destinations", json={"webhook_url": hook, "scim_groups": True}
        )
        scim = client.post(
            "/api/v1/destinations", json={"scim_url": SCIM_URL, "scim_token": SCIM_TOKEN}
        ).json()
        rotated = client.post(f"/api/v1/destinations/{scim['id']}/rotate-secret")
    refused(unknown, "bad_input", "unknown event type 'user.provison'")
    refused(both, "bad_input", "exactly one of a webhook URL and a SCIM URL")
    refused(tokenless, "bad_input", "needs the SCIM server's bearer token")
    refused(groups, "bad_input", "apply to SCIM destinations only")
    refused(rotated, "bad_input", "is a SCIM destination: it has no signing secret")


def test_a_staging_connection_is_promoted_once(api: Api) -> None:
    body = {
        "provider": "hibob",
        "credentials": {"service_user_id": HIBOB_USER, "service_user_token": HIBOB_TOKEN},
        "base_url": api.harness.sandbox.base_url,
        "environment": "staging",
    }
    with api.client(api.tenant_key) as client:
        connection = client.post("/api/v1/connections", json=body).json()
        promoted = client.post(f"/api/v1/connections/{connection['id']}/promote")
        again = client.post(f"/api/v1/connections/{connection['id']}/promote")
    assert connection["environment"] == "staging"
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["environment"] == "production"
    refused(again, "bad_input", "is not a staging connection")


def test_a_tenant_key_manages_its_own_tenants_keys(api: Api) -> None:
    with api.client(api.tenant_key) as client:
        created = client.post("/api/v1/apikeys", json={"name": "ci"})
        assert created.status_code == 201, created.text
        key = created.json()
        assert key["tenant_id"] == api.harness.tenant_id
        listed = client.get("/api/v1/apikeys").json()
        assert key["id"] in [k["id"] for k in listed]
        assert all("token" not in k for k in listed)
        with api.client(key["token"]) as new:
            assert new.get("/api/v1/connections").status_code == 200
        revoked = client.post(f"/api/v1/apikeys/{key['id']}/revoke")
        assert revoked.json()["revoked_at"] is not None
        with api.client(key["token"]) as new:
            assert new.get("/api/v1/connections").status_code == 401
        assert client.post("/api/v1/apikeys", json={"admin": True}).status_code == 403
    with api.client(api.admin_key) as admin:
        made = admin.post("/api/v1/apikeys", json={"admin": True, "name": "ops"})
        assert made.status_code == 201, made.text
        assert made.json()["tenant_id"] is None
        refused(admin.post("/api/v1/apikeys", json={}), "tenant_required", "set tenant_id")


def test_deliveries_are_listed_replayed_and_sent(api: Api) -> None:
    with api.client(api.tenant_key) as client:
        listed = client.get("/api/v1/deliveries", params={"status": "pending"})
        replayed = client.post("/api/v1/deliveries/replay", json={"ids": ["msg_unknown"]})
        refused_send = client.post("/api/v1/deliveries/send")
    assert listed.status_code == 200, listed.text
    assert replayed.json() == {"replayed": 0}
    assert refused_send.status_code == 403
    with api.client(api.admin_key) as admin:
        sent = admin.post("/api/v1/deliveries/send")
    assert sent.status_code == 200, sent.text
    assert set(sent.json()) >= {"delivered", "retrying", "failed"}
