"""Sync runs and the actions they planned."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from rostersync.model import Action, RunStatus
from rostersync.store.errors import NotFound
from rostersync.store.repos.batches import batched, insert_rows
from rostersync.store.tables import STAGED_ACTIONS, Connection, SyncRun, new_id
from rostersync.store.tables import Action as ActionRow


def start_run(session: Session, connection: Connection, *, dry_run: bool, at: datetime) -> SyncRun:
    run = SyncRun(
        id=new_id("run"),
        tenant_id=connection.tenant_id,
        connection_id=connection.id,
        status=RunStatus.RUNNING,
        dry_run=dry_run,
        started_at=at,
        counts={},
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    run: SyncRun,
    *,
    status: RunStatus,
    at: datetime,
    counts: dict[str, Any] | None = None,
    report: dict[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    run.status = status
    run.finished_at = at
    run.counts = counts or {}
    run.report = report or {}
    run.error_code = error_code
    run.error_message = error_message


def known_action_ids(session: Session, connection: Connection, ids: Iterable[str]) -> set[str]:
    """Those of `ids` already recorded, asked a batch at a time: one IN list of a first
    sync's 100k ids would cost more memory to compile than the actions themselves."""
    known: set[str] = set()
    for batch in batched(ids):
        query = select(ActionRow.id).where(
            ActionRow.connection_id == connection.id, ActionRow.id.in_(batch)
        )
        known.update(session.scalars(query))
    return known


def stage_actions(session: Session, run: SyncRun, actions: Iterable[Action]) -> None:
    """Stage the run's actions: they join `actions` when the run is published (staging)."""
    ids = {"tenant_id": run.tenant_id, "connection_id": run.connection_id, "run_id": run.id}
    insert_rows(session, STAGED_ACTIONS, ({**action.as_json(), **ids} for action in actions))


def mark_applying(run: SyncRun, *, at: datetime) -> None:
    """The run starts writing its plan: staged a chunk per transaction, published at the end."""
    run.applying_since = at


def get_run(session: Session, run_id: str, *, tenant_id: str | None) -> SyncRun:
    query = select(SyncRun).where(SyncRun.id == run_id)
    if tenant_id is not None:
        query = query.where(SyncRun.tenant_id == tenant_id)
    run = session.scalars(query).one_or_none()
    if run is None:
        raise NotFound("sync run", run_id)
    return run


def list_runs(
    session: Session, *, tenant_id: str | None, connection_id: str | None = None, limit: int = 50
) -> list[SyncRun]:
    query = select(SyncRun).order_by(SyncRun.started_at.desc()).limit(limit)
    if tenant_id is not None:
        query = query.where(SyncRun.tenant_id == tenant_id)
    if connection_id is not None:
        query = query.where(SyncRun.connection_id == connection_id)
    return list(session.scalars(query))


def run_actions(session: Session, run: SyncRun) -> list[ActionRow]:
    query = select(ActionRow).where(ActionRow.run_id == run.id).order_by(ActionRow.created_at)
    return list(session.scalars(query))


def held_run(session: Session, connection: Connection) -> str | None:
    """The id of the connection's run that awaits approval, if one does."""
    query = select(SyncRun.id).where(
        SyncRun.connection_id == connection.id, SyncRun.status == RunStatus.HELD
    )
    return session.scalars(query).first()


def discard_held(session: Session, connection: Connection, *, actor: str) -> list[str]:
    """Disconnect: held runs lose their plans (names and emails) and can no longer be
    approved; the run rows stay, as history. The ids of the runs discarded."""
    held = list(
        session.scalars(
            select(SyncRun).where(
                SyncRun.connection_id == connection.id, SyncRun.status == RunStatus.HELD
            )
        )
    )
    for run in held:
        run.status, run.held_plan, run.decided_by = RunStatus.REJECTED, None, actor
    return [run.id for run in held]


def touch(session: Session, run_id: str, *, at: datetime) -> bool:
    """Beat the heart of a run that is still running; False when it was swept meanwhile.

    The write also takes the row for this transaction (a row lock on PostgreSQL, the write
    lock on SQLite), so a sweep cannot fail the run between this check and the commit.
    """
    beat = (
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == RunStatus.RUNNING)
        .values(heartbeat_at=at)
    )
    return cast("CursorResult[Any]", session.execute(beat)).rowcount == 1


def is_running(session: Session, connection: Connection) -> bool:
    query = select(SyncRun.id).where(
        SyncRun.connection_id == connection.id, SyncRun.status == RunStatus.RUNNING
    )
    return session.scalars(query).first() is not None


@dataclass(frozen=True)
class Abandoned:
    run_id: str
    tenant_id: str
    connection_id: str


def fail_abandoned(
    session: Session,
    *,
    silent_since: datetime,
    at: datetime,
    error_code: str,
    message: str,
    connection_id: str | None = None,
) -> list[Abandoned]:
    """Fail every run still `running` (of one connection, or any) whose last heartbeat (or
    start) is before `silent_since`: its process died. The runs failed."""
    last_sign = func.coalesce(SyncRun.heartbeat_at, SyncRun.started_at)
    which = [SyncRun.status == RunStatus.RUNNING, last_sign < silent_since]
    if connection_id is not None:
        which.append(SyncRun.connection_id == connection_id)
    sweep = (
        update(SyncRun)
        .where(*which)
        .values(
            status=RunStatus.FAILED,
            finished_at=at,
            error_code=error_code,
            error_message=message,
        )
        .returning(SyncRun.id, SyncRun.tenant_id, SyncRun.connection_id)
    )
    return [Abandoned(*row) for row in session.execute(sweep)]


def held_runs(session: Session, *, tenant_id: str) -> list[SyncRun]:
    """Every run of the tenant awaiting a decision, oldest first, however many ran since."""
    query = (
        select(SyncRun)
        .where(
            SyncRun.tenant_id == tenant_id,
            SyncRun.status == RunStatus.HELD,
            SyncRun.held_plan.is_not(None),
        )
        .order_by(SyncRun.started_at)
    )
    return list(session.scalars(query))


def latest_runs(
    session: Session,
    *,
    connection_ids: Collection[str],
    statuses: Collection[RunStatus] = tuple(RunStatus),
) -> dict[str, SyncRun]:
    """Each connection's newest run among `statuses`, in one query (dry runs included)."""
    if not connection_ids:
        return {}
    newest = (
        select(SyncRun.connection_id, func.max(SyncRun.started_at).label("started_at"))
        .where(SyncRun.connection_id.in_(list(connection_ids)), SyncRun.status.in_(statuses))
        .group_by(SyncRun.connection_id)
        .subquery()
    )
    query = select(SyncRun).join(
        newest,
        (SyncRun.connection_id == newest.c.connection_id)
        & (SyncRun.started_at == newest.c.started_at),
    )
    return {
        run.connection_id: run for run in session.scalars(query.where(SyncRun.status.in_(statuses)))
    }


def blocked_connections(
    session: Session, *, connection_ids: Collection[str] | None = None
) -> dict[str, set[RunStatus]]:
    """Which connections have a held or a running run (either stops the scheduler), in one
    query; `None`: every connection."""
    query = (
        select(SyncRun.connection_id, SyncRun.status)
        .where(SyncRun.status.in_((RunStatus.HELD, RunStatus.RUNNING)))
        .distinct()
    )
    if connection_ids is not None:
        query = query.where(SyncRun.connection_id.in_(list(connection_ids)))
    found: dict[str, set[RunStatus]] = {}
    for connection_id, status in session.execute(query):
        found.setdefault(connection_id, set()).add(RunStatus(status))
    return found


def run_actions_page(
    session: Session, run_id: str, *, limit: int, offset: int = 0
) -> tuple[list[ActionRow], int]:
    """A page of a run's recorded actions in planning order, and how many it has in all."""
    query = (
        select(ActionRow)
        .where(ActionRow.run_id == run_id)
        .order_by(ActionRow.created_at, ActionRow.id)
        .limit(limit)
        .offset(offset)
    )
    total = session.scalar(select(func.count()).where(ActionRow.run_id == run_id)) or 0
    return list(session.scalars(query)), total
