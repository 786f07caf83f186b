"""The master key must be the one the database was written with, or nothing opens.

A wrong key does not fail by itself: every new value would be sealed under it, beside values
sealed under the right one, and the first read of an old value fails much later, in a
delivery or a sync — by then the database holds data under two keys that nobody holds
together. So opening a store decrypts a known value sealed under each key version both the
database and the keyring know, and seals one under the current version the first time.
"""

from __future__ import annotations

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from rostersync.store.crypto import Keyring
from rostersync.store.errors import DecryptionError, KeyConfigError
from rostersync.store.tables import KeyCheck

_CONTEXT = "key_checks.token"
_KNOWN = "rostersync key check"


def verify_keyring(engine: Engine, keyring: Keyring) -> None:
    """Raise KeyConfigError unless ``keyring`` opens what this database was sealed with."""
    with engine.connect() as connection:
        sealed = {row.version: row.token for row in connection.execute(select(KeyCheck))}
    for version in sorted(sealed.keys() & set(keyring.versions)):
        try:
            opened = keyring.decrypt(sealed[version], context=_CONTEXT)
        except DecryptionError:
            opened = None
        if opened != _KNOWN:
            raise KeyConfigError(
                f"master key version {version} is not the key this database was written with: "
                "set ROSTERSYNC_MASTER_KEY (or the key file) to that key"
            )
    if keyring.current_version not in sealed:
        try:
            with engine.begin() as connection:
                connection.execute(
                    insert(KeyCheck).values(
                        version=keyring.current_version,
                        token=keyring.encrypt(_KNOWN, context=_CONTEXT),
                    )
                )
        except IntegrityError:
            # Another process opening the same new database sealed it first; the next open
            # of this one checks against theirs.
            pass
