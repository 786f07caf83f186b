"""The disclosure's "How to revoke" names what the HR admin really has in their vendor: a
service account they created, or (OAuth) an app they allowed and can remove."""

from __future__ import annotations

import httpx
import pytest

from rostersync.engine import catalog
from tests.web.conftest import ConnectSite, visible

PROVIDERS = catalog.providers()


@pytest.mark.parametrize("info", PROVIDERS, ids=[info.name for info in PROVIDERS])
def test_how_to_revoke_names_what_the_admin_created(
    connect_site: ConnectSite, info: catalog.ProviderInfo
) -> None:
    with httpx.Client(timeout=30) as client:
        answer = client.get(f"{connect_site.link()}/hris/{info.name}")
    assert answer.status_code == 200
    shown = " ".join(visible(answer.text)[0].split())
    revoke = shown.split("How to revoke", 1)[1]
    if info.uses_oauth:
        assert "from the connected apps in" in revoke
        assert "service account" not in shown
    else:
        assert "service account you created" in revoke
