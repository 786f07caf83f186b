"""Configuration from the environment (ROSTERSYNC_*). No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "rostersync"


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
