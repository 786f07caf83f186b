"""What a callback's code is worth when the vendor answers badly: a clear error, never a
half-filled set of credentials (and nothing of the answer echoed)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rostersync.connectors import AuthRevoked, BadPayload
from rostersync.engine.oauth import Account, Choice, Granted, OAuthClient, exchange
from rostersync.sandbox import ServerThread

CLIENT = OAuthClient("app-id", "app-secret")
GOOD_TOKEN = {"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 7200}
GOOD_INFO = {"resource": {"type": "Company", "uuid": "c0f0e1d2-0000-4000-8000-00000000000a"}}


def _vendor(token: Any, info: Any, *, status: int = 200) -> Starlette:
    async def oauth_token(request: Request) -> JSONResponse:
        form = await request.form()
        assert form["grant_type"] == "authorization_code"
        assert (form["client_id"], form["client_secret"]) == ("app-id", "app-secret")
        return JSONResponse(token, status_code=status)

    async def token_info(request: Request) -> JSONResponse:
        assert request.headers["authorization"] == "Bearer at-1"
        return JSONResponse(info)

    return Starlette(
        routes=[
            Route("/oauth/token", oauth_token, methods=["POST"]),
            Route("/v1/token_info", token_info),
        ]
    )


def _exchange(app: Starlette) -> dict[str, str]:
    with ServerThread(app, probe_path="/") as server:
        granted = exchange(
            "gusto",
            CLIENT,
            code="the-code",
            redirect_uri="https://app.example.com/connect/oauth/callback",
            verifier=None,
            base_url=server.base_url,
            allow_loopback=True,
        )
    assert granted.choice is None
    return granted.credentials


def test_a_good_answer_fills_every_credential_field() -> None:
    assert _exchange(_vendor(GOOD_TOKEN, GOOD_INFO)) == {
        "client_id": "app-id",
        "client_secret": "app-secret",
        "refresh_token": "rt-1",
        "company_uuid": GOOD_INFO["resource"]["uuid"],
    }


@pytest.mark.parametrize(
    ("token", "info", "says"),
    [
        ({"access_token": "at-1"}, GOOD_INFO, "no usable refresh token"),
        ({**GOOD_TOKEN, "refresh_token": "r" * 5000}, GOOD_INFO, "no usable refresh token"),
        ([GOOD_TOKEN], GOOD_INFO, "did not answer a JSON object"),
        (GOOD_TOKEN, {"resource": {}}, "did not say which account"),
        (GOOD_TOKEN, {"resource": {"uuid": "evil\nline"}}, "did not say which account"),
        (GOOD_TOKEN, {"resource": {"uuid": 7}}, "did not say which account"),
    ],
)
def test_a_bad_answer_is_a_clear_error(token: Any, info: Any, says: str) -> None:
    with pytest.raises(BadPayload) as raised:
        _exchange(_vendor(token, info))
    assert says in str(raised.value)
    assert "rt-1" not in str(raised.value)


def test_a_refused_code_is_revoked_credentials() -> None:
    refused = {"error": "invalid_grant", "error_description": "The code was used"}
    with pytest.raises(AuthRevoked):
        _exchange(_vendor(refused, GOOD_INFO, status=400))


ORG_A = {"id": "0e0e0e0e-0000-4000-8000-00000000000a", "name": "Acme Pty Ltd"}
ORG_B = {"id": "0e0e0e0e-0000-4000-8000-00000000000b", "name": "Acme NZ Ltd"}


def _employment_hero(organisations: Any) -> Starlette:
    """Employment Hero's token endpoint and organisation list (one page of them)."""

    async def oauth_token(request: Request) -> JSONResponse:
        form = await request.form()
        assert form["code_verifier"] == "the-verifier"
        return JSONResponse(GOOD_TOKEN)

    async def listed(request: Request) -> JSONResponse:
        assert request.headers["authorization"] == "Bearer at-1"
        return JSONResponse({"data": {"items": organisations, "page_index": 1}})

    return Starlette(
        routes=[
            Route("/oauth2/token", oauth_token, methods=["POST"]),
            Route("/api/v1/organisations", listed),
        ]
    )


def _granted(app: Starlette) -> Granted:
    with ServerThread(app, probe_path="/") as server:
        return exchange(
            "employmenthero",
            CLIENT,
            code="the-code",
            redirect_uri="https://app.example.com/connect/oauth/callback",
            verifier="the-verifier",
            base_url=server.base_url,
            allow_loopback=True,
        )


def test_a_consent_for_one_organisation_fills_it_in() -> None:
    granted = _granted(_employment_hero([ORG_A]))
    assert granted.choice is None
    assert granted.credentials["organisation_id"] == ORG_A["id"]


def test_a_consent_for_several_organisations_leaves_the_choice_to_the_admin() -> None:
    long_name = {"id": "org-c", "name": "  Acme \n Holdings " + "x" * 300}
    nameless = {"id": "org-d", "name": None}
    granted = _granted(_employment_hero([ORG_A, ORG_B, long_name, nameless]))
    assert "organisation_id" not in granted.credentials
    assert granted.credentials["refresh_token"] == "rt-1"
    assert granted.choice == Choice(
        "organisation_id",
        (
            Account(ORG_A["id"], ORG_A["name"]),
            Account(ORG_B["id"], ORG_B["name"]),
            Account("org-c", ("Acme Holdings " + "x" * 300)[:120]),
            Account("org-d", "org-d"),  # no name: the id is what the admin can go by
        ),
    )


@pytest.mark.parametrize(
    "organisations",
    [[], None, [ORG_A, {"name": "no id"}], [ORG_A, "org-b"], [{"id": "bad\nid", "name": "x"}]],
)
def test_no_usable_organisation_is_a_clear_error(organisations: Any) -> None:
    with pytest.raises(BadPayload) as raised:
        _granted(_employment_hero(organisations))
    assert "did not say which account" in str(raised.value)
    assert "item_per_page" not in str(raised.value)
