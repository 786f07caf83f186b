"""A link a product frames, served from an https public URL: its cookies go with cross-site
requests (`SameSite=None; Secure; Partitioned`), every other link's stay Strict, and what keeps
another site's POST out is the form value and an Origin check, both tested here on their own."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest

from rostersync.cli.server import build_app
from rostersync.sandbox import Faults, ServerThread, SyntheticCompany
from rostersync.sandbox.vendors import hibob as hibob_emulator
from rostersync.services import tenants
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store, open_store
from rostersync.store.crypto import Keyring, generate_key_setting
from rostersync.web import SandboxTarget
from tests.tls import self_signed
from tests.web.conftest import CREDENTIALS, TOKEN, USER, ConnectSite, csrf_token, free_port

PRODUCT = "https://learning.example.com"


@dataclass
class SecureSite:
    store: Store
    base_url: str
    trust: ssl.SSLContext
    hibob: Faults

    def link(self, *, embeddable: bool) -> str:
        tenant = tenants.create_tenant(self.store, "Acme", actor="test")
        issued = issue_link(
            self.store,
            tenant_id=tenant.id,
            environment="production",
            lifetime=timedelta(days=1),
            actor="test",
            allowed_origin=PRODUCT if embeddable else None,
        )
        return issued.url(self.base_url)


@pytest.fixture(scope="module")
def secure_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureSite]:
    folder = tmp_path_factory.mktemp("framed-cookies")
    certfile, keyfile = self_signed(folder)
    store = open_store(
        f"sqlite:///{folder / 'rostersync.db'}", Keyring.parse(generate_key_setting())
    )
    faults = Faults()
    emulator = hibob_emulator.create_app(
        SyntheticCompany(seed=6, size=8),
        credentials={"service_user_id": USER, "token": TOKEN},
        faults=faults,
    )
    port = free_port()
    public_url = f"https://127.0.0.1:{port}"
    with ServerThread(emulator) as hibob:
        app = build_app(
            store,
            Settings(data_dir=folder, allow_loopback=True, public_url=public_url),
            connect_sandboxes={"hibob": SandboxTarget(hibob.base_url, CREDENTIALS)},
        )
        with ServerThread(app, port=port, tls=(certfile, keyfile)):
            yield SecureSite(store, public_url, ssl.create_default_context(cafile=certfile), faults)
    store.engine.dispose()


@pytest.fixture
def browser(secure_site: SecureSite) -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30, verify=secure_site.trust) as client:
        yield client


def _set_cookies(answer: httpx.Response) -> dict[str, list[str]]:
    """Each cookie the answer sets, by name, with its attributes (lower case)."""
    out = {}
    for header in answer.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        out[name] = [a.strip().lower() for a in rest.split(";")[1:]]
    return out


def test_a_framed_links_cookies_go_cross_site_in_the_products_partition(
    secure_site: SecureSite, browser: httpx.Client
) -> None:
    answer = browser.get(f"{secure_site.link(embeddable=True)}/hris/hibob")
    assert answer.status_code == 200
    cookies = _set_cookies(answer)
    assert set(cookies) >= {"rs_csrf", "rs_flow"}
    for attributes in cookies.values():
        assert {"samesite=none", "secure", "partitioned", "httponly"} <= set(attributes)
    # Under the app's `no-referrer` a browser would post `Origin: null`, refused below.
    assert answer.headers["referrer-policy"] == "same-origin"


def test_a_link_nobody_frames_keeps_strict_cookies(
    secure_site: SecureSite, browser: httpx.Client
) -> None:
    answer = browser.get(f"{secure_site.link(embeddable=False)}/hris/hibob")
    for attributes in _set_cookies(answer).values():
        assert "samesite=strict" in attributes
        assert "partitioned" not in attributes


def test_over_plain_http_a_framed_link_keeps_strict_cookies(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    """No Secure cookie over http: the product must then be on the same site."""
    tenant = tenants.create_tenant(connect_site.store, "Acme", actor="test")
    issued = issue_link(
        connect_site.store,
        tenant_id=tenant.id,
        environment="production",
        lifetime=timedelta(days=1),
        actor="test",
        allowed_origin=PRODUCT,
    )
    answer = client.get(f"{issued.url(connect_site.base_url)}/hris/hibob")
    for attributes in _set_cookies(answer).values():
        assert "samesite=strict" in attributes
        assert "partitioned" not in attributes


def _credential_form(site: SecureSite, client: httpx.Client) -> tuple[str, str]:
    """The disclosure shown, then the credential form: (its URL, its form value)."""
    link = site.link(embeddable=True)
    assert client.get(f"{link}/hris/hibob").status_code == 200
    form = client.get(f"{link}/hris/hibob/credentials")
    assert form.status_code == 200
    return f"{link}/hris/hibob/credentials", csrf_token(form)


@pytest.mark.parametrize(
    "origin",
    [PRODUCT, "https://127.0.0.1.evil.example", "null", "http://127.0.0.1"],
)
def test_a_post_from_another_origin_is_refused_even_with_the_cookie_and_the_form_value(
    secure_site: SecureSite, browser: httpx.Client, origin: str
) -> None:
    """With SameSite=None a page elsewhere can make the browser send our cookies with its POST;
    even if it had the form value, the browser's Origin gives it away (the product that frames
    the flow included: only the flow's own pages post)."""
    url, token = _credential_form(secure_site, browser)
    before = len(secure_site.hibob.requests())
    posted = browser.post(
        url, data={"csrf_token": token, **CREDENTIALS}, headers={"origin": origin}
    )
    assert posted.status_code == 403
    assert len(secure_site.hibob.requests()) == before  # the vendor was never called


def test_a_post_from_our_own_page_is_checked(
    secure_site: SecureSite, browser: httpx.Client
) -> None:
    url, token = _credential_form(secure_site, browser)
    posted = browser.post(
        url, data={"csrf_token": token, **CREDENTIALS}, headers={"origin": secure_site.base_url}
    )
    assert posted.status_code == 200, posted.text
    assert "HiBob answered" in posted.text


def test_a_post_without_the_form_value_is_refused_from_our_own_origin(
    secure_site: SecureSite, browser: httpx.Client
) -> None:
    url, _ = _credential_form(secure_site, browser)
    posted = browser.post(
        url, data={"csrf_token": "guessed", **CREDENTIALS}, headers={"origin": secure_site.base_url}
    )
    assert posted.status_code == 403
