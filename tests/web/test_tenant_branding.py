"""The dashboard's tenant page shows the brand its connect pages use, and where each part
comes from (this tenant or the deployment)."""

from __future__ import annotations

from rostersync.services import branding
from tests.api.test_branding import PNG
from tests.web.conftest import Dash, visible


def _brand_rows(html: str) -> list[str]:
    _, cells = visible(html)
    start = cells.index("Product name")
    return cells[start : start + 15]


def test_the_tenant_page_shows_its_own_brand_over_the_deployments(dash: Dash) -> None:
    assert _brand_rows(dash.home())[:3] == ["Product name", "rostersync", "The deployment"]
    branding.set_branding(
        dash.store,
        dash.harness.tenant_id,
        product_name="Acme Learning",
        primary_colour="#7a1f5c",
        logo=PNG,
        actor="test",
    )
    html = dash.home()
    assert _brand_rows(html) == [
        *("Product name", "Acme Learning", "This tenant"),
        *("Primary colour", "#7a1f5c", "This tenant"),
        *("Accent colour", "#0a4f96", "The deployment"),
        *("Support contact", "none", "The deployment"),
        *("Logo", "", "This tenant"),
    ]
    logo = branding.get_branding(dash.store, dash.harness.tenant_id).logo_path
    assert f'<img src="{logo}" alt="Acme Learning logo"' in html
    text, _ = visible(html)
    assert "Brand of the connect pages set" in text
