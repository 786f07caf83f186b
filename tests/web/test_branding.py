"""The deployment's brand: what settings accept, and how vendor text is put in its name."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rostersync.engine import VendorProfile, vendor_profile
from rostersync.settings import Branding, Settings
from rostersync.web.branding import Rebrand, stylesheet


def test_branding_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    monkeypatch.setenv("ROSTERSYNC_BRANDING__PRODUCT_NAME", "  Acme   Learning ")
    monkeypatch.setenv("ROSTERSYNC_BRANDING__LOGO_FILE", str(logo))
    monkeypatch.setenv("ROSTERSYNC_BRANDING__PRIMARY_COLOUR", "#5B21B6")
    monkeypatch.setenv("ROSTERSYNC_BRANDING__SUPPORT_CONTACT", "https://acme.example/help")
    branding = Settings().branding
    assert branding.product_name == "Acme Learning"
    assert branding.logo_file == logo
    assert branding.primary_colour == "#5b21b6"
    assert branding.support_href == "https://acme.example/help"
    assert "--accent: #5b21b6;" in stylesheet(branding)


def test_an_email_support_contact_becomes_a_mailto_link() -> None:
    assert Branding(support_contact="help@acme.example").support_href == "mailto:help@acme.example"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("primary_colour", "blue", "a colour must look like #1a2b3c"),
        ("primary_colour", "#fff", "a colour must look like #1a2b3c"),
        ("accent_colour", "#12345g", "a colour must look like #1a2b3c"),
        # White text on yellow buttons fails WCAG AA.
        ("primary_colour", "#ffd60a", "contrast of 1.4:1 with white"),
        ("product_name", "   ", "1 to 60 printable characters"),
        ("product_name", "A" * 61, "1 to 60 printable characters"),
        ("product_name", "Acme\x07", "1 to 60 printable characters"),
        ("support_contact", "http://acme.example/help", "an e-mail address or an https:// URL"),
        ("support_contact", "javascript:alert(1)", "an e-mail address or an https:// URL"),
        ("logo_file", "/nonexistent/logo.png", "does not exist"),
        ("logo_file", "/etc/passwd", "the logo must be one of"),
    ],
)
def test_bad_branding_is_refused_with_a_clear_message(field: str, value: str, error: str) -> None:
    with pytest.raises(ValidationError, match=error.replace("(", r"\(").replace(".", r"\.")):
        Branding.model_validate({field: value})


def test_a_logo_that_is_too_large_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "logo.svg"
    big.write_bytes(b"<svg/>" + b" " * 600_000)
    with pytest.raises(ValidationError, match="larger than 512 KiB"):
        Branding(logo_file=big)


def test_vendor_guides_are_put_in_the_products_name() -> None:
    rebrand = Rebrand(Branding(product_name="Acme Learning"))
    hibob = vendor_profile("hibob")
    assert any("rostersync" in step for step in hibob.steps)
    branded = rebrand.value(hibob)
    assert isinstance(branded, VendorProfile)
    assert not any("rostersync" in step.lower() for step in (*branded.steps, branded.summary))
    assert any("'Acme Learning'" in step for step in branded.steps)
    # An identifier stays an identifier, and the exact requests stay exact.
    assert rebrand.text("name it ISU_rostersync") == "name it ISU_acme_learning"
    assert branded.requests == hibob.requests
