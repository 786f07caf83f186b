"""The emulated consent pages and authorization codes (Gusto without PKCE, Employment Hero
with S256 required): what a real authorization server refuses, the emulators refuse."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

CALLBACK = "https://app.example.com/connect/oauth/callback"
EH = {
    "client_id": "eh-app",
    "client_secret": "eh-secret",
    "refresh_token": "eh-refresh",
    "organisation_id": "0e0e0e0e-0000-4000-8000-000000000001",
}
VERIFIER = "a-verifier-of-the-right-length-0123456789-abcdefghijklmnop"
CHALLENGE = (
    base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
)


@pytest.fixture(scope="module")
def eh() -> Iterator[str]:
    app = EMULATORS["employmenthero"](
        SyntheticCompany(seed=5, size=10, today=TODAY), credentials=EH, faults=Faults()
    )
    with ServerThread(app) as server:
        yield server.base_url


def _authorize(base: str, **overrides: str) -> httpx.Response:
    query = {
        "client_id": EH["client_id"],
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "state": "st-1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **overrides,
    }
    return httpx.get(f"{base}/oauth2/authorize", params=query, timeout=10)


def _decide(base: str, page: httpx.Response, decision: str) -> dict[str, str]:
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
    decided = httpx.post(
        f"{base}/oauth2/authorize", data={**fields, "decision": decision}, timeout=10
    )
    assert decided.status_code == 303
    location = decided.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _token(base: str, code: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": EH["client_id"],
        "client_secret": EH["client_secret"],
        "code_verifier": VERIFIER,
        **overrides,
    }
    return httpx.post(f"{base}/oauth2/token", data=form, timeout=10)


def test_allow_gives_a_code_good_once_with_its_verifier(eh: str) -> None:
    back = _decide(eh, _authorize(eh), "allow")
    assert back["state"] == "st-1"
    first = _token(eh, back["code"])
    assert first.status_code == 200, first.text
    assert first.json()["refresh_token"] == EH["refresh_token"]
    assert _token(eh, back["code"]).json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"code_verifier": "another-verifier-0123456789-abcdefghijklmnopqrstuv"}, "invalid_grant"),
        ({"code_verifier": ""}, "invalid_grant"),
        ({"redirect_uri": "https://app.example.com/elsewhere"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "invalid_client"),
    ],
)
def test_a_code_is_refused_without_what_it_was_issued_with(
    eh: str, override: dict[str, str], error: str
) -> None:
    back = _decide(eh, _authorize(eh), "allow")
    refused = _token(eh, back["code"], **override)
    assert refused.status_code in (400, 401)
    assert refused.json() == {"error": error}


def test_deny_and_bad_requests(eh: str) -> None:
    assert _decide(eh, _authorize(eh), "deny") == {"error": "access_denied", "state": "st-1"}
    # Unknown client or unregistered redirect: an error page, never a redirect.
    assert _authorize(eh, client_id="someone-else").status_code == 400
    assert _authorize(eh, redirect_uri="javascript:alert(1)").status_code == 400
    # PKCE is required here: no challenge goes back as invalid_request.
    missing = _authorize(eh, code_challenge="", code_challenge_method="")
    assert missing.status_code == 303
    assert "error=invalid_request" in missing.headers["location"]


def test_gusto_exchanges_a_code_without_pkce_and_names_the_company() -> None:
    creds = {
        "client_id": "cid",
        "client_secret": "secret",
        "refresh_token": "refresh-1",
        "company_uuid": "c0f0e1d2-0000-4000-8000-000000000009",
    }
    app = EMULATORS["gusto"](
        SyntheticCompany(seed=3, size=10, today=TODAY), credentials=creds, faults=Faults()
    )
    with ServerThread(app) as server:
        base = server.base_url
        page = httpx.get(
            f"{base}/oauth/authorize",
            params={"client_id": "cid", "redirect_uri": CALLBACK, "response_type": "code"},
            timeout=10,
        )
        fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
        decided = httpx.post(
            f"{base}/oauth/authorize", data={**fields, "decision": "allow"}, timeout=10
        )
        code = parse_qs(urlsplit(decided.headers["location"]).query)["code"][0]
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": "cid",
            "client_secret": "secret",
        }
        tokens = httpx.post(f"{base}/oauth/token", data=form, timeout=10)
        assert tokens.status_code == 200, tokens.text
        access = tokens.json()["access_token"]
        info = httpx.get(
            f"{base}/v1/token_info", headers={"Authorization": f"Bearer {access}"}, timeout=10
        )
        assert info.json()["resource"]["uuid"] == creds["company_uuid"]
