"""Where the master key comes from: the environment, a key file, or (demo) a generated file."""

from __future__ import annotations

from pathlib import Path

from rostersync.settings import Settings
from rostersync.store.crypto import Keyring, load_or_create_key_file
from rostersync.store.errors import KeyConfigError


def key_file(settings: Settings) -> Path | None:
    """The key file in use, or None when the key comes from ROSTERSYNC_MASTER_KEY."""
    if settings.master_key:
        return None
    return settings.master_key_file or settings.data_dir / "master.key"


def load_keyring(settings: Settings, *, create: bool = False) -> Keyring:
    path = key_file(settings)
    if path is None:
        return Keyring.parse(settings.master_key or "")
    if path.exists() or create:
        return load_or_create_key_file(path)
    raise KeyConfigError(
        "no master key: set ROSTERSYNC_MASTER_KEY (base64 of 32 random bytes) "
        "or ROSTERSYNC_MASTER_KEY_FILE"
    )
