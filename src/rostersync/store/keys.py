"""Where the master key comes from: the environment, a key file, or (demo) a generated file."""

from __future__ import annotations

from rostersync.settings import Settings
from rostersync.store.crypto import Keyring, load_or_create_key_file
from rostersync.store.errors import KeyConfigError


def load_keyring(settings: Settings, *, create: bool = False) -> Keyring:
    if settings.master_key:
        return Keyring.parse(settings.master_key)
    key_file = settings.master_key_file or settings.data_dir / "master.key"
    if key_file.exists() or create:
        return load_or_create_key_file(key_file)
    raise KeyConfigError(
        "no master key: set ROSTERSYNC_MASTER_KEY (base64 of 32 random bytes) "
        "or ROSTERSYNC_MASTER_KEY_FILE"
    )
