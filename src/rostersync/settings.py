"""Configuration from the environment (ROSTERSYNC_*). No I/O at import."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "rostersync"


LOGO_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
LOGO_MAX_BYTES = 512 * 1024
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}")
_URL = re.compile(r"https://[^\s<>\"]+")


def _relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""

    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_relative_luminance(colour) + 0.05)


def _colour(value: str) -> str:
    if not _HEX.fullmatch(value):
        raise ValueError(f"a colour must look like #1a2b3c, got {value[:20]!r}")
    return value.lower()


def _readable_on_white(value: str) -> str:
    # Buttons carry white text and links sit on white: below 4.5:1 the pages fail WCAG AA.
    ratio = contrast_with_white(value)
    if ratio < 4.5:
        raise ValueError(
            f"primary colour {value} has a contrast of {ratio:.1f}:1 with white; "
            "choose a darker one (at least 4.5:1)"
        )
    return value


def _product_name(value: str) -> str:
    name = " ".join(value.split())
    if not 1 <= len(name) <= 60 or any(not c.isprintable() for c in name):
        raise ValueError("the product name must be 1 to 60 printable characters")
    return name


def _support(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not (_EMAIL.fullmatch(value) or _URL.fullmatch(value)):
        raise ValueError("support contact must be an e-mail address or an https:// URL")
    return value


def _logo(value: Path | None) -> Path | None:
    if value is None:
        return None
    if value.suffix.lower() not in LOGO_TYPES:
        raise ValueError(f"the logo must be one of {', '.join(LOGO_TYPES)} files, got {value.name}")
    if not value.is_file():
        raise ValueError(f"logo file {value} does not exist (it must be a local file)")
    if value.stat().st_size > LOGO_MAX_BYTES:
        raise ValueError(f"logo file {value} is larger than {LOGO_MAX_BYTES // 1024} KiB")
    return value


Colour = Annotated[str, AfterValidator(_colour)]
# The rules a brand's values follow, wherever they are set (the environment, or per tenant).
ProductName = Annotated[str, AfterValidator(_product_name)]
ReadableColour = Annotated[Colour, AfterValidator(_readable_on_white)]
SupportContact = Annotated[str | None, AfterValidator(_support)]


class Branding(BaseModel):
    """What the customer's HR admin sees on the connect pages: the product that asks, not us.

    Environment: ROSTERSYNC_BRANDING__PRODUCT_NAME, __LOGO_FILE, __PRIMARY_COLOUR,
    __ACCENT_COLOUR, __SUPPORT_CONTACT. The logo is a local file served from our own origin:
    the pages' CSP allows images from 'self' only, and nothing is fetched while a page renders.
    """

    model_config = ConfigDict(frozen=True)

    product_name: ProductName = "rostersync"
    logo_file: Annotated[Path | None, AfterValidator(_logo)] = None
    primary_colour: ReadableColour = "#0a4f96"
    """Buttons and links: must reach 4.5:1 against white."""
    accent_colour: Colour = "#0a4f96"
    """The band under the page header (decorative)."""
    support_contact: SupportContact = None
    """An e-mail address or https:// URL the HR admin can ask for help."""

    @property
    def support_href(self) -> str | None:
        if self.support_contact is None:
            return None
        return (
            self.support_contact
            if self.support_contact.startswith("https://")
            else (f"mailto:{self.support_contact}")
        )


class OAuthAppSettings(BaseModel):
    """The operator's OAuth app at one vendor: registered once by the operator, never asked of
    the customer's admin (`ROSTERSYNC_OAUTH__GUSTO__CLIENT_ID`, `..__CLIENT_SECRET`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    redirect_uri: str | None = None
    """The callback URL registered with the vendor (`https://<public host>/connect/oauth/callback`);
    default: that path on the address the admin's browser used."""


class Settings(BaseSettings):
    # An empty variable is an unset one, as shells mean it (`ROSTERSYNC_MASTER_KEY= cmd`).
    model_config = SettingsConfigDict(
        env_prefix="ROSTERSYNC_", env_nested_delimiter="__", extra="ignore", env_ignore_empty=True
    )

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    """SQLAlchemy URL; default: a SQLite file in data_dir."""
    master_key: str | None = Field(default=None, repr=False)
    """Base64 of 32 random bytes, or versioned `1:<b64>,2:<b64>` (highest version encrypts)."""
    master_key_file: Path | None = None
    allow_loopback: bool = False
    """Development only: permit plain http:// and loopback destinations."""
    sync_interval_seconds: int = 900
    deliver_interval_seconds: float = 2.0
    oauth: dict[str, OAuthAppSettings] = Field(default_factory=dict)
    """OAuth apps by vendor slug; a vendor connected by OAuth without one cannot be connected."""
    branding: Branding = Field(default_factory=Branding)
    public_url: str | None = None
    """Where HR admins and the product reach this server (https://connect.example.com): every
    link and URL we hand out starts with it. A request's Host header is never used for them,
    since anyone can send any Host and the link would then point at their server."""

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "public_url must be an http(s) URL such as https://connect.example.com"
            )
        if parts.query or parts.fragment:
            raise ValueError("public_url takes no query or fragment")
        return value.strip().rstrip("/")

    def link_base(self, *, host: str = "127.0.0.1", port: int = 8000, tls: bool = False) -> str:
        """The base of every URL we generate: `public_url`, or else the address this process
        is configured to listen on (embedded and demo mode), never a request's Host header."""
        if self.public_url:
            return self.public_url
        # A wildcard bind address is not one a browser can open; loopback is.
        reachable = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host  # noqa: S104
        shown = f"[{reachable}]" if ":" in reachable else reachable
        return f"{'https' if tls else 'http'}://{shown}:{port}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'rostersync.db'}"


class SettingsInvalid(ValueError):
    """A ROSTERSYNC_* variable that cannot be read, named in one line without its value (it may
    be the master key). Not a RostersyncError: settings sit below errors.py in the layers."""


def load_settings(**overrides: Any) -> Settings:
    """The environment's settings, `overrides` taking precedence (the demo's own data dir)."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [
            f"ROSTERSYNC_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        raise SettingsInvalid("; ".join(problems)) from None
