"""Bulk writes a batch at a time: one round trip per batch, and never more than one batch of
rows (encrypted values included) held at once, however many the run writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import JSON, Column, Connection, Dialect, Table, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from rostersync.store.tables import Base

_T = TypeVar("_T")

BATCH = 1000
"""Rows per statement: far below every driver's parameter ceiling at our column counts."""


def batched(items: Iterable[_T], size: int = BATCH) -> Iterator[list[_T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def insert_rows(session: Session, model: type[Base] | Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert `rows` (column -> value, the same columns in each) a batch at a time: COPY on
    PostgreSQL, multi-row INSERTs elsewhere. Returns how many were inserted.

    psycopg 3 sends an executemany as one statement per row, and SQLAlchemy's multi-row
    INSERT costs psycopg a client-side parse of every statement: COPY is the path
    PostgreSQL has for bulk loads (a first sync on PostgreSQL was 1.6x SQLite's time).
    """
    table = model if isinstance(model, Table) else Base.metadata.tables[model.__tablename__]
    connection = session.connection()
    copy = connection.dialect.name == "postgresql"
    count = 0
    for batch in batched(rows):
        if copy:
            _copy(connection, table, batch)
        else:
            session.execute(insert(table), batch)
        count += len(batch)
    return count


def _copy(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    given = rows[0].keys()
    # Columns the rows leave out get their Python-side defaults, as an INSERT would give
    # them; the rest (autoincrement keys, server defaults) are left to the database.
    defaulted = [c for c in table.columns if c.name not in given and c.default is not None]
    columns = [table.columns[name] for name in given] + defaulted
    processors = [_processor(column, connection.dialect) for column in columns]
    names = ", ".join(connection.dialect.identifier_preparer.quote(c.name) for c in columns)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    defaults = [_default_of(column) for column in defaulted]
    import psycopg

    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor, cursor.copy(statement) as stream:
        for row in rows:
            values = [row[name] for name in given] + [default() for default in defaults]
            stream.write_row(
                [
                    _plain(process(value) if process is not None else value)
                    for value, process in zip(values, processors, strict=True)
                ]
            )


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    # psycopg serialises JSON itself on an INSERT (SQLAlchemy gives no bind processor); in a
    # COPY a list would go as an array, so JSON is written as SQLAlchemy's serialiser would.
    if isinstance(column.type, JSON):
        return json.dumps
    return column.type.bind_processor(dialect)


def _default_of(column: Column[Any]) -> Callable[[], Any]:
    default = column.default
    assert isinstance(default, ScalarElementColumnDefault | CallableColumnDefault)
    if isinstance(default, CallableColumnDefault):
        # SQLAlchemy wraps a default taking no argument in one taking the statement's
        # context; ours never read it.
        produce: Callable[[Any], Any] = default.arg
        return lambda: produce(None)
    return lambda: default.arg


def _plain(value: Any) -> Any:
    # psycopg writes an Enum by its name; the column holds its value.
    return value.value if isinstance(value, Enum) else value
