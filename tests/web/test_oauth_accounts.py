"""An Employment Hero admin who sees several organisations chooses the one to connect, by
name, after the consent; only a choice the consent offered is taken, and the preflight and
the connection read that organisation. One organisation: no question (tests/e2e)."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterator

import httpx
import pytest

from rostersync.sandbox import SyntheticCompany
from tests.tls import self_signed
from tests.web.conftest import csrf_token
from tests.web.oauth_site import APPS, OAuthSite, oauth_site
from tests.web.test_connect_oauth import _allow, _callback, _start
from tests.web.test_framed_cookies import PRODUCT, _set_cookies

SECOND = "0e0e0e0e-0000-4000-8000-0000000000f2"
SECOND_COMPANY = SyntheticCompany(seed=23, size=12)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OAuthSite]:
    with oauth_site(
        tmp_path_factory.mktemp("oauth-accounts"),
        configured=("employmenthero",),
        organisations={SECOND: SECOND_COMPANY},
    ) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as browser:
        yield browser


def _chooser(site: OAuthSite, client: httpx.Client) -> tuple[str, str, httpx.Response]:
    """A new link's consent, allowed: (tenant id, link URL, the page asking which one)."""
    tenant_id, url = site.link()
    started = _start(client, url, "employmenthero")
    page = _callback(client, site, _allow(client, started.headers["location"]))
    assert page.status_code == 200, page.text
    return tenant_id, url, page


def _options(page: httpx.Response) -> dict[str, str]:
    """The choices by the name shown: {name: the value posted}."""
    values = dict(re.findall(r'id="(account-\d+)" name="account" value="([^"]+)"', page.text))
    labels = re.findall(r'<label for="(account-\d+)">([^<]+)</label>', page.text)
    return {name: values[ident] for ident, name in labels}


def test_the_admin_chooses_the_organisation_and_it_is_the_one_read(
    site: OAuthSite, client: httpx.Client
) -> None:
    tenant_id, url, page = _chooser(site, client)
    assert "Which Employment Hero organisation should be connected?" in page.text
    options = _options(page)
    assert list(options) == [SyntheticCompany(seed=22).name, SECOND_COMPANY.name]
    # Nothing secret on the page, and no bare id to swap for another.
    for secret in (APPS["employmenthero"]["client_secret"], "eh-refresh-token-e2e", SECOND):
        assert secret not in page.text
    checked = client.post(
        f"{url}/hris/employmenthero/oauth/account",
        data={"csrf_token": csrf_token(page), "account": options[SECOND_COMPANY.name]},
    )
    assert checked.status_code == 200, checked.text
    assert "Employment Hero answered" in checked.text
    assert client.cookies.get("rs_oauth_choice") is None
    confirmed = client.post(f"{url}/confirm", data={"csrf_token": csrf_token(checked)})
    assert confirmed.status_code == 303
    [connection] = site.connections_of(tenant_id)
    assert site.credentials_of(connection.id)["organisation_id"] == SECOND


@pytest.mark.parametrize("forged", ["", SECOND, "v1.not-a-sealed-value"])
def test_a_choice_the_consent_did_not_offer_is_refused(
    site: OAuthSite, client: httpx.Client, forged: str
) -> None:
    tenant_id, url, page = _chooser(site, client)
    answer = client.post(
        f"{url}/hris/employmenthero/oauth/account",
        data={"csrf_token": csrf_token(page), "account": forged},
    )
    assert answer.status_code == 422
    assert "No organisation was chosen" in answer.text
    assert "Employment Hero answered" not in answer.text
    assert site.connections_of(tenant_id) == []


def test_a_choice_from_an_earlier_consent_does_not_open_in_a_later_one(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url, first = _chooser(site, client)
    stale = _options(first)[SECOND_COMPANY.name]
    started = _start(client, url, "employmenthero")
    second = _callback(client, site, _allow(client, started.headers["location"]))
    answer = client.post(
        f"{url}/hris/employmenthero/oauth/account",
        data={"csrf_token": csrf_token(second), "account": stale},
    )
    assert answer.status_code == 422


def test_a_choice_posted_from_another_origin_is_refused(
    site: OAuthSite, client: httpx.Client
) -> None:
    _, url, page = _chooser(site, client)
    answer = client.post(
        f"{url}/hris/employmenthero/oauth/account",
        data={"csrf_token": csrf_token(page), "account": _options(page)[SECOND_COMPANY.name]},
        headers={"origin": "https://elsewhere.example"},
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("de", "Welche Employment Hero-Organisation soll verbunden werden?"),
        ("fr", "Quelle organisation Employment Hero faut-il connecter ?"),
        ("es", "¿Qué organización de Employment Hero se debe conectar?"),
        ("nl", "Welke Employment Hero-organisatie moet worden gekoppeld?"),
    ],
)
def test_the_question_is_asked_in_the_admins_language(
    site: OAuthSite, language: str, heading: str
) -> None:
    with httpx.Client(timeout=30, headers={"accept-language": language}) as client:
        _, _, page = _chooser(site, client)
    assert heading in page.text
    assert page.headers["content-language"] == language


@pytest.fixture(scope="module")
def framed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OAuthSite, str]]:
    """The same, served over https: (the site, its certificate)."""
    folder = tmp_path_factory.mktemp("oauth-accounts-framed")
    certificate = self_signed(folder)
    with oauth_site(
        folder,
        configured=("employmenthero",),
        organisations={SECOND: SECOND_COMPANY},
        tls=certificate,
    ) as running:
        yield running, certificate[0]


def test_in_a_products_iframe_the_consent_and_the_choice_keep_to_its_partition(
    framed_site: tuple[OAuthSite, str],
) -> None:
    """Every cookie of a framed link, the consent's and the waiting choice's included, is set
    (and dropped) partitioned: in the product's iframe, a Lax or unpartitioned one is lost."""
    site, certfile = framed_site
    trust = ssl.create_default_context(cafile=certfile)
    with httpx.Client(timeout=30, verify=trust) as client:
        _, url = site.link(allowed_origin=PRODUCT)
        started = _start(client, url, "employmenthero")
        page = _callback(client, site, _allow(client, started.headers["location"]))
        origin = {"origin": site.base_url}
        checked = client.post(
            f"{url}/hris/employmenthero/oauth/account",
            data={"csrf_token": csrf_token(page), "account": _options(page)[SECOND_COMPANY.name]},
            headers=origin,
        )
    assert checked.status_code == 200, checked.text
    for answer, names in (
        (started, {"rs_oauth"}),
        (page, {"rs_oauth", "rs_oauth_choice"}),
        (checked, {"rs_oauth", "rs_oauth_choice", "rs_flow"}),
    ):
        cookies = _set_cookies(answer)
        assert set(cookies) >= names
        for name in names:
            assert {"samesite=none", "secure", "partitioned"} <= set(cookies[name]), name
