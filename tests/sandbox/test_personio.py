"""The Personio emulator's documented rules that the shared suites do not exercise."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

CREDS = {"client_id": "cid", "client_secret": "secret"}


@pytest.fixture
def base_url() -> Iterator[str]:
    company = SyntheticCompany(seed=3, size=120, today=TODAY)
    with ServerThread(EMULATORS["personio"](company, credentials=CREDS, faults=Faults())) as s:
        yield s.base_url


def _token(base_url: str) -> str:
    response = httpx.post(f"{base_url}/v1/auth", params=CREDS, timeout=10)
    assert response.status_code == 200
    token: str = response.json()["data"]["token"]
    assert token.startswith("papi-")
    return token


def test_pages_by_record_offset_with_the_token_echoed(base_url: str) -> None:
    token = _token(base_url)
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.get(
        f"{base_url}/v1/company/employees",
        params={"limit": 100, "offset": 100},
        headers=headers,
        timeout=10,
    )
    body = response.json()
    assert body["metadata"] == {"total_elements": 120, "current_page": 1, "total_pages": 2}
    assert len(body["data"]) == 20
    assert response.headers["authorization"] == f"Bearer {token}"
    default = httpx.get(f"{base_url}/v1/company/employees", headers=headers, timeout=10).json()
    assert default["limit"] == 50
    too_many = httpx.get(
        f"{base_url}/v1/company/employees", params={"limit": 101}, headers=headers, timeout=10
    )
    assert too_many.status_code == 400
    assert too_many.json()["success"] is False


def test_attributes_filter_leaves_out_sensitive_attributes(base_url: str) -> None:
    headers = {"Authorization": f"Bearer {_token(base_url)}"}
    rows = httpx.get(
        f"{base_url}/v1/company/employees",
        params=[("attributes[]", "first_name"), ("attributes[]", "status")],
        headers=headers,
        timeout=10,
    ).json()["data"]
    assert set(rows[0]["attributes"]) == {"id", "first_name", "status"}
    statuses = {
        r["attributes"]["status"]["value"]
        for r in httpx.get(
            f"{base_url}/v1/company/employees",
            params={"limit": 100},
            headers=headers,
            timeout=10,
        ).json()["data"]
    }
    assert statuses <= {"active", "inactive", "onboarding", "leave"}


def test_wrong_credentials_and_tokens_answer_401(base_url: str) -> None:
    bad = httpx.post(f"{base_url}/v1/auth", params={**CREDS, "client_secret": "x"}, timeout=10)
    assert bad.status_code == 401
    response = httpx.get(
        f"{base_url}/v1/company/employees", headers={"Authorization": "Bearer papi-x"}, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
