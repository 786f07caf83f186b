"""The Rippling emulator's documented rules that the shared suites do not exercise."""

from __future__ import annotations

import httpx

from rostersync.sandbox import EMULATORS, Faults, PersonStatus, ServerThread, SyntheticCompany
from tests.conftest import TODAY


def test_active_list_excludes_leavers_and_pages_at_most_100() -> None:
    company = SyntheticCompany(seed=3, size=150, today=TODAY)
    app = EMULATORS["rippling"](company, credentials={"api_key": "k"}, faults=Faults())
    leavers = sum(p.status is PersonStatus.TERMINATED for p in company.people())
    with ServerThread(app) as server:
        headers = {"Authorization": "Bearer k"}
        base = f"{server.base_url}/platform/api"
        everyone = httpx.get(f"{base}/employees/include_terminated", headers=headers, timeout=10)
        active = httpx.get(f"{base}/employees", headers=headers, timeout=10).json()
        assert len(everyone.json()) == 150
        assert len(active) == 150 - leavers > 0
        assert {e["roleState"] for e in everyone.json()} >= {"ACTIVE", "TERMINATED"}
        capped = httpx.get(
            f"{base}/employees/include_terminated",
            params={"limit": 500, "offset": 0},
            headers=headers,
            timeout=10,
        )
        assert len(capped.json()) == 100
        denied = httpx.get(f"{base}/employees", headers={"Authorization": "Bearer x"}, timeout=10)
        assert denied.status_code == 401
        assert "detail" in denied.json()
