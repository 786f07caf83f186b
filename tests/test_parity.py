"""The CLI and API parity table in README.md is true, and complete.

Every command and route the table names exists (commands and their options by introspecting
the Typer app, routes in the app's OpenAPI document), and every command and route that exists
is in the table, so an operation added to one front-end and not the other shows up here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup

from rostersync.cli.app import app as cli_app
from rostersync.cli.server import build_app
from rostersync.settings import Settings
from rostersync.store import open_store
from rostersync.store.crypto import Keyring, generate_key_setting

README = Path(__file__).resolve().parents[1] / "README.md"
_CODE = re.compile(r"`([^`]+)`")
_NONE = "—"


@dataclass(frozen=True)
class Row:
    operation: str
    commands: tuple[str, ...]
    routes: tuple[str, ...]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def parity_table() -> list[Row]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## CLI and API parity\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header, rule, *body = lines
    assert _cells(header)[:3] == ["operation", "CLI", "API"]
    assert set(rule) <= set("|- ")
    rows = []
    for line in body:
        operation, cli, api, *_ = _cells(line)
        rows.append(
            Row(
                operation,
                tuple(_CODE.findall(cli)) if cli != _NONE else (),
                tuple(_CODE.findall(api)) if api != _NONE else (),
            )
        )
    return rows


def _leaves(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            yield from _leaves(sub, (*path, name))
    else:
        yield path


def _resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The command a CLI cell names (Typer's own click types), and the options shown with it."""
    command: Any = typer.main.get_command(cli_app)
    options = [w for w in words if w.startswith("-")]
    for word in (w for w in words if not w.startswith("-")):
        assert isinstance(command, TyperGroup), f"{word!r}: {command.name} has no subcommands"
        sub = command.commands.get(word)
        assert sub is not None, f"no command {word!r} under {command.name!r}"
        command = sub
    return command, options


@pytest.fixture(scope="module")
def api_routes(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    data = tmp_path_factory.mktemp("parity")
    store = open_store(f"sqlite:///{data / 'parity.db'}", Keyring.parse(generate_key_setting()))
    try:
        document = build_app(store, Settings(data_dir=data)).openapi()
    finally:
        store.engine.dispose()
    return {f"{method.upper()} {path}" for path, ops in document["paths"].items() for method in ops}


def test_the_table_has_rows_and_each_names_a_cli_command_or_an_api_route() -> None:
    rows = parity_table()
    assert len(rows) >= 30
    assert all(row.commands or row.routes for row in rows), "a row with neither"


def test_every_cli_command_in_the_table_exists_with_its_options() -> None:
    for row in parity_table():
        for cell in row.commands:
            program, *words = cell.split()
            assert program == "rostersync", cell
            command, options = _resolve(words)
            assert not isinstance(command, TyperGroup), f"{cell}: not a command"
            known = {opt for param in command.params for opt in param.opts}
            for option in options:
                assert option in known, f"{cell}: no option {option}"


def test_every_api_route_in_the_table_exists(api_routes: set[str]) -> None:
    for row in parity_table():
        for route in row.routes:
            assert route in api_routes, f"{row.operation}: no route {route}"


def test_every_cli_command_is_in_the_table() -> None:
    listed = {tuple(cell.split()[1:]) for row in parity_table() for cell in row.commands}
    listed_commands = {tuple(w for w in words if not w.startswith("-")) for words in listed}
    missing = set(_leaves(typer.main.get_command(cli_app))) - listed_commands
    assert not missing, f"CLI commands missing from the README parity table: {sorted(missing)}"


def test_every_api_route_is_in_the_table(api_routes: set[str]) -> None:
    listed = {route for row in parity_table() for route in row.routes}
    missing = api_routes - listed
    assert not missing, f"API routes missing from the README parity table: {sorted(missing)}"
