"""`rostersync keys`: generate, inspect and rotate the master key."""

from __future__ import annotations

import typer

from rostersync import services
from rostersync.cli.admin import JsonFlag
from rostersync.cli.output import emit

keys_app = typer.Typer(help="The master key: generate, status, rotate.", no_args_is_help=True)


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key setting for ROSTERSYNC_MASTER_KEY (version 1)."""
    typer.echo(services.keys.generate_key_setting())


@keys_app.command("status")
def keys_status(as_json: JsonFlag = False) -> None:
    """How many ciphertexts each key version still holds, per column."""
    from rostersync.settings import load_settings

    status = services.keys.key_status(load_settings())
    text = "\n".join(
        f"{column}\t" + ", ".join(f"v{v}: {n}" for v, n in by_version.items())
        for column, by_version in status.columns.items()
    )
    emit(
        {"current_version": status.current_version, "columns": status.columns},
        as_json=as_json,
        text=f"current key version: v{status.current_version}\n{text}",
    )


@keys_app.command("rotate")
def keys_rotate(as_json: JsonFlag = False) -> None:
    """Add a key version (key file) and re-encrypt everything under it, batch by batch.

    With ROSTERSYNC_MASTER_KEY, add the new version to the variable on every process first
    (`1:<old>,2:<new>`, rolling restart); this then re-encrypts under the highest version.
    """
    from rostersync.settings import load_settings

    rotated = services.keys.rotate_key(load_settings())
    emit(
        {"current_version": rotated.current_version, "reencrypted": rotated.reencrypted},
        as_json=as_json,
        text=f"re-encrypted under v{rotated.current_version}: "
        + ", ".join(f"{table} {n}" for table, n in rotated.reencrypted.items()),
    )
