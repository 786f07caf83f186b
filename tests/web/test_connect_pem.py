"""PEM credentials in the connect form: a text area each, and a bad one refused in one line."""

from __future__ import annotations

import httpx

from tests.web.conftest import ConnectSite, csrf_token


def test_pem_fields_are_text_areas_and_a_bad_certificate_is_refused_by_name(
    connect_site: ConnectSite, client: httpx.Client
) -> None:
    url = connect_site.link()
    assert client.get(f"{url}/hris/adpworkforcenow").status_code == 200  # the disclosure first
    form = client.get(f"{url}/hris/adpworkforcenow/credentials")
    assert form.status_code == 200
    assert '<textarea id="f-client_certificate" name="client_certificate"' in form.text
    assert '<textarea id="f-private_key" name="private_key"' in form.text
    assert '<input id="f-client_id" name="client_id" type="text"' in form.text
    posted = client.post(
        f"{url}/hris/adpworkforcenow/credentials",
        data={
            "client_id": "id",
            "client_secret": "secret",
            "client_certificate": "-----BEGIN CERTIFICATE-----\nnot one\n-----END CERTIFICATE-----",
            "private_key": "not a key",
            "csrf_token": csrf_token(form),
        },
    )
    assert "the client certificate is not a PEM certificate" in posted.text
    assert "not a key" not in posted.text  # what was typed is never shown back
