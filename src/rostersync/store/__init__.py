"""Persistence: tables, migrations, field encryption and tenant-scoped repositories.

Imports model (and the bottom-layer settings and errors) only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from rostersync.store.crypto import Keyring
from rostersync.store.errors import DecryptionError, KeyConfigError, NotFound, StoreError
from rostersync.store.key_check import verify_keyring
from rostersync.store.session import SessionFactory, make_engine, session_factory, upgrade


@dataclass(frozen=True)
class Store:
    engine: Engine
    sessions: SessionFactory
    keyring: Keyring


def open_store(database_url: str, keyring: Keyring, *, migrate: bool = True) -> Store:
    """Connect, migrate a new or older database to the current schema first, and refuse a
    master key other than the one the database was written with."""
    engine = make_engine(database_url)
    if migrate:
        try:
            upgrade(engine)
            verify_keyring(engine, keyring)
        except BaseException:
            engine.dispose()
            raise
    return Store(engine, session_factory(engine), keyring)


__all__ = [
    "DecryptionError",
    "KeyConfigError",
    "Keyring",
    "NotFound",
    "Store",
    "StoreError",
    "open_store",
]
