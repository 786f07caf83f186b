"""The order of the connect flow: what will be read is shown before anything is asked for,
and no vendor is read before that; the paths beside the flow."""

from __future__ import annotations

import logging
from urllib.parse import unquote

import httpx
import pytest

from rostersync.engine import catalog
from tests.web.conftest import CREDENTIALS, ConnectSite, csrf_token


def _people_reads(site: ConnectSite) -> int:
    return sum(1 for _, path, _ in site.hibob.requests() if path.endswith("/people/search"))


def test_credentials_are_refused_until_the_disclosure_was_shown(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    url = connect_site.link()
    before = len(connect_site.hibob.requests())
    form = client.get(f"{url}/hris/hibob/credentials")
    assert form.status_code == 303
    assert form.headers["location"] == f"{url.removeprefix(connect_site.base_url)}/hris/hibob"
    setup = client.get(f"{url}/hris/hibob/setup")
    assert setup.status_code == 303

    # A valid form token (from another form of the link), and the right credentials: still no read.
    token = csrf_token(client.get(f"{url}/not-listed"))
    posted = client.post(f"{url}/hris/hibob/credentials", data={**CREDENTIALS, "csrf_token": token})
    assert posted.status_code == 303
    assert len(connect_site.hibob.requests()) == before

    disclosure = client.get(f"{url}/hris/hibob")
    assert disclosure.status_code == 200
    assert "What we read from HiBob" in disclosure.text
    assert client.get(f"{url}/hris/hibob/setup").status_code == 200
    form = client.get(f"{url}/hris/hibob/credentials")
    assert form.status_code == 200
    checked = client.post(
        f"{url}/hris/hibob/credentials", data={**CREDENTIALS, "csrf_token": csrf_token(form)}
    )
    assert checked.status_code == 200
    assert "HiBob answered" in checked.text
    assert _people_reads(connect_site) >= 1
    assert 'action="' in checked.text
    assert "/confirm" in checked.text


def test_a_disclosure_counts_for_its_own_vendor_only(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    url = connect_site.link()
    client.get(f"{url}/hris/bamboohr")
    assert client.get(f"{url}/hris/hibob/credentials").status_code == 303


def test_confirming_without_a_check_connects_nothing(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    url = connect_site.link()
    disclosure = client.get(f"{url}/hris/hibob")
    confirmed = client.post(
        f"{url}/confirm", data={"csrf_token": csrf_token(client.get(f"{url}/not-listed"))}
    )
    assert disclosure.status_code == 200
    assert confirmed.status_code == 303
    assert client.get(f"{url}/progress").status_code == 303


def test_a_link_may_preselect_the_vendor(connect_site: ConnectSite, client: httpx.Client) -> None:
    url = connect_site.link()
    chosen = client.get(f"{url}?vendor=hibob")
    assert chosen.status_code == 303
    assert chosen.headers["location"].endswith("/hris/hibob")
    unknown = client.get(f"{url}?vendor=sap-successfactors")
    assert unknown.status_code == 200
    assert "We do not connect to “sap-successfactors”" in unknown.text
    assert "Which HR system" in unknown.text


def test_every_vendor_card_has_a_monogram(connect_site: ConnectSite, client: httpx.Client) -> None:
    page = client.get(connect_site.link()).text
    for provider in catalog.providers():
        assert f'/hris/{provider.name}"><span class="mark mark-' in page, provider.name
    assert ">HB</span> HiBob" in page


def test_send_to_it_admin_gives_the_link_and_a_neutral_email(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    url = connect_site.link(tenant="Globex")
    shared = client.get(f"{url}/share?vendor=hibob")
    assert shared.status_code == 200
    assert f'value="{url}?vendor=hibob"' in shared.text
    mailto = shared.text.split('href="mailto:', 1)[1].split('"', 1)[0]
    body = unquote(mailto.replace("&amp;", "&"))
    assert "subject=Connecting HiBob for Globex" in body
    assert f"{url}?vendor=hibob" in body


def test_a_system_not_listed_reaches_the_operator_without_personal_data(
    connect_site: ConnectSite, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    url = connect_site.link()
    page = client.get(f"{url}/not-listed")
    assert "file export" in page.text
    with caplog.at_level(logging.INFO, logger="rostersync.web.connect"):
        told = client.post(
            f"{url}/not-listed",
            data={"system": "Sage People <jane@example.com>", "csrf_token": csrf_token(page)},
        )
    assert told.status_code == 200
    assert "now knows you use Sage People janeexample.com" in told.text
    [record] = [r for r in caplog.records if "not listed" in r.getMessage()]
    assert "@" not in record.getMessage()
    assert url.rsplit("/", 1)[1] not in record.getMessage()
    empty = client.post(f"{url}/not-listed", data={"system": "<>", "csrf_token": csrf_token(page)})
    assert empty.status_code == 422
