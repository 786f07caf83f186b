"""A store opens only under the master key it was written with, before anything is sealed."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rostersync.services import tenants
from rostersync.store import KeyConfigError, Keyring, Store, open_store


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _url(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def _opens(store: Store, keyring: Keyring) -> list[str]:
    """The tenant names the store shows under ``keyring``, if it opens."""
    opened = open_store(_url(store), keyring)
    try:
        return [t.name for t in tenants.list_tenants(opened)]
    finally:
        opened.engine.dispose()


def test_another_key_is_refused_before_anything_is_written(store: Store) -> None:
    tenants.create_tenant(store, "Acme", actor="test")
    with pytest.raises(KeyConfigError, match="not the key this database was written with"):
        _opens(store, Keyring.parse(_key()))
    assert _opens(store, store.keyring) == ["Acme"]


def test_a_rotated_keyring_opens_and_each_version_is_checked(store: Store) -> None:
    second = _key()
    _opens(store, Keyring.parse(f"{store.keyring.serialise()},2:{second}"))
    with pytest.raises(KeyConfigError, match="version 1 is not the key"):
        _opens(store, Keyring.parse(f"1:{_key()},2:{second}"))
    with pytest.raises(KeyConfigError, match="version 2 is not the key"):
        _opens(store, Keyring.parse(f"{store.keyring.serialise()},2:{_key()}"))


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_the_cli_says_so_in_one_line(store: Store, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTERSYNC_")}
    env |= {"ROSTERSYNC_DATABASE_URL": _url(store), "ROSTERSYNC_MASTER_KEY": _key()}
    done = subprocess.run(
        [sys.executable, "-m", "rostersync", "deliver"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.splitlines() == [
        "error: master key version 1 is not the key this database was written with: "
        "set ROSTERSYNC_MASTER_KEY (or the key file) to that key"
    ]
