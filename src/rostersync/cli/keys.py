"""`rostersync keys`: generate, inspect and rotate the master key."""

from __future__ import annotations

import typer

from rostersync.cli.admin import JsonFlag
from rostersync.cli.output import emit
from rostersync.connectors import BadInput
from rostersync.settings import load_settings
from rostersync.store import open_store
from rostersync.store.crypto import add_key_version, generate_key_setting
from rostersync.store.keys import key_file, load_keyring
from rostersync.store.rotation import reencrypt_all, version_counts

keys_app = typer.Typer(help="The master key: generate, status, rotate.", no_args_is_help=True)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key setting for ROSTERSYNC_MASTER_KEY (version 1)."""
    typer.echo(generate_key_setting())


@keys_app.command("status")
def keys_status(as_json: JsonFlag = False) -> None:
    """How many ciphertexts each key version still holds, per column."""
    settings = load_settings()
    store = open_store(settings.resolved_database_url(), load_keyring(settings))
    counts = version_counts(store)
    text = "\n".join(
        f"{column}\t" + ", ".join(f"v{v}: {n}" for v, n in by_version.items())
        for column, by_version in counts.items()
    )
    emit(
        {"current_version": store.keyring.current_version, "columns": counts},
        as_json=as_json,
        text=f"current key version: v{store.keyring.current_version}\n{text}",
    )


@keys_app.command("rotate")
def keys_rotate(as_json: JsonFlag = False) -> None:
    """Add a key version (key file) and re-encrypt everything under it, batch by batch.

    With ROSTERSYNC_MASTER_KEY, add the new version to the variable on every process first
    (`1:<old>,2:<new>`, rolling restart); this then re-encrypts under the highest version.
    """
    settings = load_settings()
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
    store = open_store(settings.resolved_database_url(), load_keyring(settings))
    rotated = reencrypt_all(store)
    emit(
        {"current_version": store.keyring.current_version, "reencrypted": rotated},
        as_json=as_json,
        text=f"re-encrypted under v{store.keyring.current_version}: "
        + ", ".join(f"{table} {n}" for table, n in rotated.items()),
    )
