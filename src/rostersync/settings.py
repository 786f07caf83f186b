"""Configuration from the environment (ROSTERSYNC_*). No I/O at import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
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
