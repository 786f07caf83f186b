"""Settings that shape what we hand out: the public URL every link starts with."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rostersync.settings import Settings


def test_links_start_with_the_public_url_whatever_the_bind_address() -> None:
    settings = Settings(public_url="https://connect.acme.example/hr/")
    assert settings.link_base(host="0.0.0.0", port=9000) == "https://connect.acme.example/hr"


def test_without_a_public_url_links_use_the_configured_bind_address() -> None:
    settings = Settings(public_url="")
    assert settings.public_url is None
    assert settings.link_base(port=8123) == "http://127.0.0.1:8123"
    assert settings.link_base(host="0.0.0.0", port=443, tls=True) == "https://127.0.0.1:443"
    assert settings.link_base(host="hr.internal", port=8000) == "http://hr.internal:8000"


@pytest.mark.parametrize(
    "value", ["connect.acme.example", "ftp://connect.acme.example", "https://a.example/?x=1"]
)
def test_a_public_url_that_is_not_one_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="public_url"):
        Settings(public_url=value)
