"""The master key: how much each version still encrypts, and rotation to a new version."""

from __future__ import annotations

from dataclasses import dataclass

from rostersync.connectors import BadInput
from rostersync.services.stores import open_configured_store
from rostersync.settings import Settings
from rostersync.store.crypto import add_key_version, generate_key_setting
from rostersync.store.keys import key_file, load_keyring
from rostersync.store.rotation import reencrypt_all, version_counts

__all__ = ["KeyStatus", "Rotated", "generate_key_setting", "key_status", "rotate_key"]


@dataclass(frozen=True)
class KeyStatus:
    current_version: int
    columns: dict[str, dict[int, int]]
    """Per `table.column`, how many ciphertexts each key version holds."""


@dataclass(frozen=True)
class Rotated:
    current_version: int
    reencrypted: dict[str, int]
    """Per table, how many rows were re-encrypted."""


def key_status(settings: Settings) -> KeyStatus:
    store = open_configured_store(settings)
    return KeyStatus(store.keyring.current_version, version_counts(store))


def rotate_key(settings: Settings) -> Rotated:
    """Add a key version (key file) and re-encrypt everything under it, batch by batch.

    A key from ROSTERSYNC_MASTER_KEY cannot be extended from here: every process must hold
    the new version first, so the operator adds it to the variable and this re-encrypts.
    """
    path = key_file(settings)
    if path is None:
        if len(load_keyring(settings).versions) < 2:
            raise BadInput(
                "ROSTERSYNC_MASTER_KEY holds one version: add a new one as `1:<old>,2:<new>` "
                "(see `rostersync keys generate`) on every process, then rotate"
            )
    elif path.exists():
        add_key_version(path)
    else:
        raise BadInput(f"no key file at {path}")
    # Opened after the new version is added, so the keyring encrypts under it.
    store = open_configured_store(settings)
    return Rotated(store.keyring.current_version, reencrypt_all(store))
