"""Settings and the store, opened the same way by every command."""

from __future__ import annotations

from rostersync.connectors import BadInput
from rostersync.settings import Settings, load_settings
from rostersync.store import Store, open_store
from rostersync.store.keys import load_keyring


def open_configured_store(settings: Settings | None = None, *, create_key: bool = False) -> Store:
    settings = settings or load_settings()
    keyring = load_keyring(settings, create=create_key)
    return open_store(settings.resolved_database_url(), keyring)


def parse_pairs(pairs: list[str], *, option: str) -> dict[str, str]:
    """`NAME=VALUE` options into a dict; the value may itself contain `=`."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            # The value may be a secret: the message must not echo it.
            raise BadInput(f"{option} takes NAME=VALUE; one of them has no '=' or no name")
        values[name.strip()] = value
    return values
