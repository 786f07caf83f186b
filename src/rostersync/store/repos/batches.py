"""Bulk writes a batch at a time: one round trip per batch, and never more than one batch of
rows (encrypted values included) held at once, however many the run writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

_T = TypeVar("_T")

BATCH = 1000
"""Rows per statement: far below every driver's parameter ceiling at our column counts."""


def batched(items: Iterable[_T], size: int = BATCH) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
