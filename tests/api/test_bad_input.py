"""Hostile or mistyped admin API input: a 4xx in our error shape, never a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import Api


def refused(answer: httpx.Response, code: str, message: str) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert message in error["message"]


@pytest.mark.parametrize("expires", ["99999999999999999999d", "9" * 5000 + "h"])
def test_a_link_lifetime_past_the_maximum_is_refused(api: Api, expires: str) -> None:
    with api.client(api.tenant_key) as client:
        answer = client.post("/api/v1/links", json={"expires": expires})
    refused(answer, "bad_input", "a connect link must expire within 30 days")


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("http://[::1", "not a valid base URL"),
        ("https://a]b", "not a valid base URL"),
        ("http://127.0.0.1:0", "port 0 is out of range (1-65535)"),
        ("http://127.0.0.1:99999", "port 99999 is out of range (1-65535)"),
    ],
)
def test_a_bad_connection_base_url_is_refused(api: Api, base_url: str, message: str) -> None:
    body = {
        "provider": "hibob",
        "credentials": {"service_user_id": "SERVICE-1", "service_user_token": "t"},
        "base_url": base_url,
    }
    with api.client(api.tenant_key) as client:
        answer = client.post("/api/v1/connections", json=body)
    refused(answer, "blocked_destination", message)


@pytest.mark.parametrize("port", ["0", "99999"])
def test_a_webhook_port_outside_1_to_65535_is_refused(api: Api, port: str) -> None:
    body = {"webhook_url": f"https://93.184.216.34:{port}/hooks?token=s3cr3t-value"}
    with api.client(api.tenant_key) as client:
        answer = client.post("/api/v1/destinations", json=body)
    refused(answer, "blocked_destination", f"port {port} is out of range (1-65535)")
    assert "s3cr3t-value" not in answer.text
