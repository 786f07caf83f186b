"""A run's writes, staged a chunk per transaction and published all at once.

A first sync of 100k people writes 100k people, actions and outbox entries. Applying them in
one transaction made a crash lose everything and kept the whole write open for minutes; in
chunks, the product could see half a run. So a run stages its rows in twin tables
(tables.STAGED_*), committing a chunk at a time, and `publish` moves them into the live
tables in one transaction, with set statements that hold nothing in this process: the
product sees the run whole or not at all. A run that dies while staging leaves rows that
only `discard` (by run id) ever touches again.

Publishing skips an action or outbox entry whose id is live already (another run of the same
plan published it first: stable ids), and overwrites a person's row, so two runs of one
connection that overlap still deliver each event once.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, Table, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from rostersync.store.tables import (
    STAGED_ACTIONS,
    STAGED_OUTBOX,
    STAGED_PEOPLE,
    Action,
    Base,
    OutboxEntry,
    Person,
    SyncRun,
)

_PEOPLE = Base.metadata.tables[Person.__tablename__]
_ACTIONS = Base.metadata.tables[Action.__tablename__]
_OUTBOX = Base.metadata.tables[OutboxEntry.__tablename__]

_PAIRS: tuple[tuple[Table, Table], ...] = (
    (_PEOPLE, STAGED_PEOPLE),
    (_ACTIONS, STAGED_ACTIONS),
    (_OUTBOX, STAGED_OUTBOX),
)


def _same_person(staged: Table) -> ColumnElement[bool]:
    return (_PEOPLE.c.connection_id == staged.c.connection_id) & (
        _PEOPLE.c.remote_id == staged.c.remote_id
    )


def _matches(live: Table, staged: Table) -> ColumnElement[bool]:
    """A staged row's live counterpart: a person by natural key, anything else by its id."""
    if live is _PEOPLE:
        return _same_person(staged)
    return live.c.id == staged.c.id


def _copied(live: Table, staged: Table) -> list[str]:
    """The columns publishing sets: the live ones the twin holds (not its own keys)."""
    return [column.name for column in live.columns if column.name in staged.c]


def publish(session: Session, run_id: str) -> None:
    """Move the run's staged rows into the live tables, in staging order (a person's events
    keep their order; people get ids, the pull API's cursors, in the read's order), and
    forget them. Stored people are updated in place; the rest is inserted."""
    for live, staged in _PAIRS:
        ours = staged.c.run_id == run_id
        columns = _copied(live, staged)
        if live is _PEOPLE:
            keys = ("tenant_id", "connection_id", "remote_id")
            changes = {name: staged.c[name] for name in columns if name not in keys}
            session.execute(
                update(live).values(changes).where(ours, _same_person(staged)),
                execution_options={"synchronize_session": False},
            )
        rows = (
            select(*(staged.c[name] for name in columns))
            .where(ours, ~exists().where(_matches(live, staged)))
            .order_by(staged.c.staged_seq)
        )
        session.execute(insert(live).from_select(columns, rows))
        session.execute(delete(staged).where(ours))
    # A bulk update leaves people rows this session loaded earlier as they were.
    for loaded in [o for o in session.identity_map.values() if isinstance(o, Person)]:
        session.expire(loaded)


def discard(session: Session, run_ids: Collection[str]) -> None:
    """Forget what these runs staged (a failed or abandoned run: nothing of it was published)."""
    if not run_ids:
        return
    for _, staged in _PAIRS:
        session.execute(delete(staged).where(staged.c.run_id.in_(list(run_ids))))


def discard_connection(session: Session, connection_id: str) -> None:
    """Disconnect: whatever the connection's runs staged goes (it holds names and emails)."""
    runs = select(SyncRun.id).where(SyncRun.connection_id == connection_id)
    for _, staged in _PAIRS:
        session.execute(delete(staged).where(staged.c.run_id.in_(runs)))
