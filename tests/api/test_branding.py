"""A tenant's own brand through the admin API: who may set it, what is refused, what is kept."""

from __future__ import annotations

import base64

from rostersync.services import audit
from tests.api.conftest import Api

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/"
    "Ah3zkQAAAABJRU5ErkJggg=="
)
ACME = {
    "product_name": "Acme Learning",
    "primary_colour": "#7a1f5c",
    "accent_colour": "#f0c040",
    "support_contact": "help@acme-learning.example",
    "logo_base64": base64.b64encode(PNG).decode(),
}


def _path(tenant_id: str) -> str:
    return f"/api/v1/tenants/{tenant_id}/branding"


def test_admin_sets_a_tenants_brand_and_its_logo_is_served(api: Api) -> None:
    tenant = api.harness.tenant_id
    with api.client(api.admin_key) as client:
        before = client.get(_path(tenant)).json()
        saved = client.put(_path(tenant), json=ACME)
        shown = client.get(_path(tenant)).json()
        logo = client.get(shown["logo_path"])
    assert before["product_name"] is None
    assert before["modified_at"] is None
    assert saved.status_code == 200
    assert saved.json() == shown
    assert shown["product_name"] == "Acme Learning"
    assert shown["primary_colour"] == "#7a1f5c"
    assert shown["support_contact"] == "help@acme-learning.example"
    assert shown["logo_path"].startswith("/static/logos/")
    assert tenant not in shown["logo_path"]
    assert logo.content == PNG
    assert logo.headers["content-type"] == "image/png"
    assert "sandbox" in logo.headers["content-security-policy"]
    events = [
        e for e in audit.list_audit(api.harness.store, tenant_id=tenant) if e.target == tenant
    ]
    entry = next(e for e in events if e.action == "tenant.branding_set")
    # Which fields were set, never their values.
    assert entry.details == {
        "fields": ["product_name", "primary_colour", "accent_colour", "support_contact", "logo"]
    }


def test_a_tenant_key_sets_its_own_brand_only(api: Api) -> None:
    tenant = api.harness.tenant_id
    with api.client(api.admin_key) as admin:
        assert admin.put(_path(tenant), json=ACME).status_code == 200
    with api.client(api.other_key) as other:
        read = other.get(_path(tenant))
        written = other.put(_path(tenant), json={"product_name": "Hijacked"})
        cleared = other.delete(_path(tenant))
        own = other.put(_path(api.other_tenant_id), json={"product_name": "Other Brand"})
    assert (read.status_code, written.status_code, cleared.status_code) == (404, 404, 404)
    assert "Acme" not in read.text
    assert own.status_code == 200
    assert own.json()["product_name"] == "Other Brand"
    with api.client(api.admin_key) as admin:
        assert admin.get(_path(tenant)).json()["product_name"] == "Acme Learning"


def test_a_colour_without_contrast_is_refused_in_one_line_and_nothing_is_lost(api: Api) -> None:
    tenant = api.harness.tenant_id
    with api.client(api.tenant_key) as client:
        assert client.put(_path(tenant), json=ACME).status_code == 200
        refused = client.put(_path(tenant), json={**ACME, "primary_colour": "#ffe600"})
        kept = client.get(_path(tenant)).json()
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "bad_input"
    assert "\n" not in error["message"]
    assert error["message"].startswith("primary_colour: primary colour #ffe600 has a contrast of")
    assert kept["primary_colour"] == "#7a1f5c"
    assert kept["logo_path"] is not None


def test_a_logo_that_is_not_a_small_image_is_refused(api: Api) -> None:
    tenant = api.harness.tenant_id
    html = base64.b64encode(b"<html><script>alert(1)</script></html>").decode()
    large = base64.b64encode(PNG + b"\0" * 200_000).decode()
    with api.client(api.admin_key) as client:
        wrong = client.put(_path(tenant), json={"logo_base64": html})
        too_large = client.put(_path(tenant), json={"logo_base64": large})
        shown = client.get(_path(tenant)).json()
    assert wrong.json()["error"]["message"] == "the logo must be a PNG, JPEG, WebP or SVG image"
    assert too_large.json()["error"]["message"] == "the logo is larger than 128 KiB"
    assert (wrong.status_code, too_large.status_code) == (422, 422)
    assert shown["logo_path"] is None


def test_a_cleared_brand_falls_back_to_the_deployments(api: Api) -> None:
    tenant = api.harness.tenant_id
    with api.client(api.admin_key) as client:
        logo_path = client.put(_path(tenant), json=ACME).json()["logo_path"]
        assert client.delete(_path(tenant)).status_code == 204
        shown = client.get(_path(tenant)).json()
        gone = client.get(logo_path)
    assert shown["product_name"] is None
    assert shown["logo_path"] is None
    assert gone.status_code == 404


def test_only_checked_colours_make_a_stylesheet(api: Api) -> None:
    with api.client(None) as client:
        good = client.get("/static/brand/7a1f5c-f0c040.css")
        unreadable = client.get("/static/brand/ffe600-f0c040.css")
        injected = client.get("/static/brand/7a1f5c-f0c040%7D%20body%7B.css")
    assert good.status_code == 200
    assert "--accent: #7a1f5c" in good.text
    assert (unreadable.status_code, injected.status_code) == (404, 404)
