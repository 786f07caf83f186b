"""Configuration from the environment (ROSTERSYNC_*). No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "rostersync"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ROSTERSYNC_", extra="ignore")

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


def load_settings() -> Settings:
    return Settings()
