"""Configuration from the environment (ROSTERSYNC_*). No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
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
    model_config = SettingsConfigDict(
        env_prefix="ROSTERSYNC_", env_nested_delimiter="__", extra="ignore"
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

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'rostersync.db'}"


def load_settings() -> Settings:
    return Settings()
