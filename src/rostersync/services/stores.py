"""Opening the store the way every command and server of a deployment does."""

from __future__ import annotations

from rostersync.settings import Settings, load_settings
from rostersync.store import Store, open_store
from rostersync.store.keys import load_keyring


def open_configured_store(settings: Settings | None = None, *, create_key: bool = False) -> Store:
    """`create_key` (the demo only) writes a new key file when there is none yet."""
    settings = settings or load_settings()
    keyring = load_keyring(settings, create=create_key)
    return open_store(settings.resolved_database_url(), keyring)
