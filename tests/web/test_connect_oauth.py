"""The OAuth consent in the connect flow over real HTTP: the state is this browser's, single
use and short-lived, PKCE where the vendor takes it, and every way a callback can go wrong
ends on a page that says so, with nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from rostersync.store.session import transaction
from rostersync.store.tables import OAuthGrant
from tests.web.oauth_site import APPS, VENDOR_HOST, OAuthSite, oauth_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthSite]:
    # Only Gusto's app is registered: Employment Hero shows what an unconfigured vendor does.
    with oauth_site(tmp_path_factory.mktemp("oauth"), configured=("gusto",)) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as browser:
        yield browser


def _disclose(client: httpx.Client, url: str, provider: str = "gusto") -> None:
    """What will be read is shown first: no consent before this browser saw it."""
    assert client.get(f"{url}/hris/{provider}").status_code == 200


def _start(client: httpx.Client, url: str, provider: str = "gusto") -> httpx.Response:
    _disclose(client, url, provider)
    started = client.get(f"{url}/hris/{provider}/oauth")
    assert started.status_code == 303, started.text
    return started


def _allow(client: httpx.Client, authorize: str, decision: str = "allow") -> dict[str, str]:
    """What the emulator's consent page sends back: the callback's query."""
    page = client.get(authorize)
    assert page.status_code == 200
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', page.text))
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    decided = client.post(
        httpx.URL(authorize).join(action.group(1)), data={**fields, "decision": decision}
    )
    assert decided.status_code == 303
    back = decided.headers["location"]
    assert back.split("?")[0].endswith("/connect/oauth/callback")
    return {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}


def _callback(client: httpx.Client, site: OAuthSite, query: dict[str, str]) -> httpx.Response:
    return client.get(f"{site.base_url}/connect/oauth/callback", params=query)


def test_the_consent_redirect_carries_a_fresh_state_and_no_secret(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url = site.link()
    assert client.get(f"{url}/hris/gusto/oauth").status_code == 303  # to the disclosure
    _disclose(client, url)
    page = client.get(f"{url}/hris/gusto/credentials")
    assert page.status_code == 200
    assert "Continue to Gusto" in page.text
    assert 'type="password"' not in page.text
    first, second = _start(client, url), _start(client, url)
    target = urlsplit(first.headers["location"])
    assert (target.hostname, target.path) == (VENDOR_HOST, "/oauth/authorize")
    query = parse_qs(target.query)
    assert query["client_id"] == [APPS["gusto"]["client_id"]]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [f"{site.base_url}/connect/oauth/callback"]
    assert "code_challenge" not in query  # Gusto documents no PKCE
    assert len(query["state"][0]) >= 40
    assert query["state"] != parse_qs(urlsplit(second.headers["location"]).query)["state"]
    cookie = first.headers["set-cookie"].lower()
    assert "path=/connect/oauth/callback" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert APPS["gusto"]["client_secret"] not in first.text + first.headers["location"]
    # Reloading the start in a loop keeps one consent per link, not one row per request.
    before = _grants(site)
    for _ in range(3):
        _start(client, url)
    assert _grants(site) == before


def _grants(site: OAuthSite) -> int:
    with transaction(site.store.sessions) as session:
        return len(session.scalars(select(OAuthGrant)).all())


def test_a_callback_works_once_and_a_replay_finds_the_state_spent(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url = site.link()
    started = _start(client, url)
    sealed = client.cookies.get("rs_oauth")
    query = _allow(client, started.headers["location"])
    done = _callback(client, site, query)
    assert done.status_code == 200, done.text
    assert "Gusto answered" in done.text
    assert APPS["gusto"]["client_secret"] not in done.text
    # The browser dropped its half; an attacker replaying both halves finds the state spent.
    assert client.cookies.get("rs_oauth") is None
    with httpx.Client(timeout=30, cookies={"rs_oauth": sealed or ""}) as replay:
        again = _callback(replay, site, query)
    assert again.status_code == 400
    assert "This sign-in has expired" in again.text


def test_a_state_this_browser_was_not_given_is_refused(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url = site.link()
    started = _start(client, url)
    query = _allow(client, started.headers["location"])
    wrong = _callback(client, site, {**query, "state": "a" * 43})
    assert wrong.status_code == 400
    assert "This sign-in has expired" in wrong.text
    # A callback without this browser's cookie is matched to no link at all.
    with httpx.Client(timeout=30) as stranger:
        lost = _callback(stranger, site, query)
    assert lost.status_code == 400
    assert "could not be matched" in lost.text


def test_an_expired_state_is_refused(site: OAuthSite, client: httpx.Client) -> None:
    _, url = site.link()
    started = _start(client, url)
    query = _allow(client, started.headers["location"])
    with transaction(site.store.sessions) as session:
        session.execute(
            update(OAuthGrant).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    expired = _callback(client, site, query)
    assert expired.status_code == 400
    assert "This sign-in has expired" in expired.text
    assert "Try again" in expired.text


def test_denied_or_codeless_callbacks_show_a_retry_and_store_nothing(
    site: OAuthSite, client: httpx.Client
) -> None:
    tenant_id, url = site.link()
    started = _start(client, url)
    denied = _callback(client, site, _allow(client, started.headers["location"], "deny"))
    assert denied.status_code == 400
    assert "Access was not allowed" in denied.text
    assert f'href="{urlsplit(url).path}/hris/gusto/oauth"' in denied.text  # Try again

    started = _start(client, url)
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    codeless = _callback(client, site, {"state": state})
    assert codeless.status_code == 400
    assert "did not complete the sign-in" in codeless.text
    assert site.connections_of(tenant_id) == []


def test_a_refused_code_is_explained(site: OAuthSite, client: httpx.Client) -> None:
    _, url = site.link()
    started = _start(client, url)
    query = _allow(client, started.headers["location"])
    refused = _callback(client, site, {**query, "code": "not-a-code-the-vendor-issued"})
    assert refused.status_code == 400
    assert "Gusto did not complete the sign-in" in refused.text


def test_an_unconfigured_vendor_says_so_and_takes_no_typed_secret(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url = site.link()
    _disclose(client, url, "employmenthero")
    page = client.get(f"{url}/hris/employmenthero/credentials")
    assert page.status_code == 503
    assert "Employment Hero is not set up on this service yet" in page.text
    assert "<form" not in page.text
    started = client.get(f"{url}/hris/employmenthero/oauth")
    assert started.status_code == 503
    assert "Employment Hero is not set up on this service yet" in started.text
    assert client.get(f"{url}/hris/hibob/oauth").status_code == 404  # an API-key vendor
    _disclose(client, url, "hibob")
    form = client.get(f"{url}/hris/hibob/credentials")  # a page with a form: its CSRF token
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    _disclose(client, url)
    posted = client.post(
        f"{url}/hris/gusto/credentials",
        data={"csrf_token": token.group(1) if token else "", **APPS["gusto"]},
    )
    assert posted.status_code == 405
    assert "Gusto answered" not in posted.text
