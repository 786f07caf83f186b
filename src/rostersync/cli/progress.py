"""Progress on stderr while a command works: a spinner with a count on a terminal, and nothing
at all for --json or when stderr is not a terminal (a pipe, a file, a scheduler's log)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Ticker:
    """What a command tells its progress; this one shows nothing."""

    def advance(self, count: int = 1) -> None:
        """`count` more done."""

    def stage(self, description: str) -> None:
        """The command moved on to another stage of its work."""


class _Bar(Ticker):
    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar = bar
        self._task = task

    def advance(self, count: int = 1) -> None:
        self._bar.advance(self._task, count)

    def stage(self, description: str) -> None:
        self._bar.update(self._task, description=description)


@contextmanager
def progress(description: str, unit: str, *, as_json: bool) -> Iterator[Ticker]:
    """A counter of `unit` (the total is not known beforehand), shown while the block runs."""
    if as_json or not sys.stderr.isatty():
        yield Ticker()
        return
    # Imported here: a command run by a script (no terminal) never pays for rich's display.
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn(f"{{task.completed}} {unit}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        yield _Bar(bar, bar.add_task(description, total=None))
