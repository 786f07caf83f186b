"""The Gusto emulator's documented rules that the shared suites do not exercise."""

from __future__ import annotations

import httpx

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

CREDS = {
    "client_id": "cid",
    "client_secret": "secret",
    "refresh_token": "refresh-1",
    "company_uuid": "c0f0e1d2-0000-4000-8000-000000000009",
}


def _refresh(base_url: str, refresh_token: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": "secret",
        "refresh_token": refresh_token,
    }
    return httpx.post(f"{base_url}/oauth/token", data=form, timeout=10)


def test_pagination_headers_terminated_filter_and_strict_rotation() -> None:
    company = SyntheticCompany(seed=3, size=120, today=TODAY)
    app = EMULATORS["gusto"](
        company, credentials=CREDS, faults=Faults(), strict_refresh_rotation=True
    )
    with ServerThread(app) as server:
        first = _refresh(server.base_url, "refresh-1").json()
        assert first["expires_in"] == 7200
        assert _refresh(server.base_url, "refresh-1").status_code == 400  # rotated away
        assert _refresh(server.base_url, first["refresh_token"]).status_code == 200
        headers = {"Authorization": f"Bearer {first['access_token']}"}
        url = f"{server.base_url}/v1/companies/{CREDS['company_uuid']}/employees"
        page = httpx.get(url, params={"page": 2, "per": 100}, headers=headers, timeout=10)
        assert page.headers["X-Total-Count"] == "120"
        assert page.headers["X-Total-Pages"] == "2"
        assert len(page.json()) == 20
        gone = httpx.get(url, params={"terminated": "true"}, headers=headers, timeout=10).json()
        assert gone
        assert all(e["terminated"] and e["terminations"] for e in gone)
        other = httpx.get(
            f"{server.base_url}/v1/companies/someone-else/employees", headers=headers, timeout=10
        )
        assert other.status_code == 403
        assert "errors" in other.json()
