"""Sync runs: run one now (or preview it), list them, read one's report and actions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rostersync.engine import ConnectionNotActive, RunHeld, SyncOptions, SyncReport, run_sync
from rostersync.errors import ExitCode, RostersyncError, Terminal
from rostersync.model import ConnectionStatus, RunStatus
from rostersync.store import Store
from rostersync.store.repos import audit, connections, runs
from rostersync.store.session import transaction
from rostersync.store.tables import Action, SyncRun

log = logging.getLogger("rostersync.services.runs")


@dataclass(frozen=True)
class RunInfo:
    id: str
    tenant_id: str
    connection_id: str
    status: RunStatus
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, Any]
    report: dict[str, Any]
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True)
class ActionInfo:
    """A planned action and its cause: ids and field names, never a personal value."""

    id: str
    kind: str
    remote_id: str
    rule: str
    changed_fields: list[str]
    from_status: str | None
    to_status: str | None
    account_id: str | None
    cause: str


@dataclass(frozen=True)
class RunDetail(RunInfo):
    actions: tuple[ActionInfo, ...]


def run_info(row: SyncRun) -> RunInfo:
    return RunInfo(
        row.id,
        row.tenant_id,
        row.connection_id,
        RunStatus(row.status),
        row.dry_run,
        row.started_at,
        row.finished_at,
        dict(row.counts or {}),
        dict(row.report or {}),
        row.error_code,
        row.error_message,
    )


def _action(row: Action) -> ActionInfo:
    return ActionInfo(
        row.id,
        row.kind,
        row.remote_id,
        row.rule,
        list(row.changed_fields),
        row.from_status,
        row.to_status,
        row.account_id,
        row.cause,
    )


def sync_now(
    store: Store,
    connection_id: str,
    *,
    tenant_id: str | None,
    allow_loopback: bool,
    dry_run: bool = False,
    as_of: date | None = None,
    on_record: Callable[[], None] = lambda: None,
    on_planning: Callable[[], None] = lambda: None,
) -> SyncReport:
    """One sync of the connection now (the run audits itself); a dry run delivers nothing.

    `on_record` and `on_planning` are SyncOptions' progress hooks."""
    options = SyncOptions(
        as_of=as_of,
        dry_run=dry_run,
        allow_loopback=allow_loopback,
        on_record=on_record,
        on_planning=on_planning,
    )
    return run_sync(store, connection_id, tenant_id=tenant_id, options=options)


class AlreadySyncing(RostersyncError, Terminal):
    code = "already_syncing"
    http_status = 409
    exit_code = ExitCode.ERROR


def start_sync(
    store: Store, connection_id: str, *, tenant_id: str, allow_loopback: bool, actor: str
) -> None:
    """Start a sync of the connection now, in the background (a full read can take minutes;
    a page must not wait for it), after the checks that would only fail it: the connection
    must be active, with no held run to decide and no run under way. Audited with who asked.

    Two requests at the same instant may both pass the check; the second run then plans
    the same stable action ids and delivers nothing twice (DESIGN.md section 5)."""
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        if connection.status != ConnectionStatus.ACTIVE:
            raise ConnectionNotActive(f"the connection is {connection.status}: reconnect it first")
        blocked = runs.blocked_connections(session, connection_ids=(connection_id,))
        waiting = blocked.get(connection_id, set())
        if RunStatus.HELD in waiting:
            raise RunHeld("a held run awaits approval: approve or reject it first")
        if RunStatus.RUNNING in waiting:
            raise AlreadySyncing("a sync of this connection is under way already")
        audit.record(
            session,
            tenant_id=connection.tenant_id,
            actor=actor,
            action="sync.requested",
            target=connection_id,
        )

    def run() -> None:
        try:
            sync_now(store, connection_id, tenant_id=tenant_id, allow_loopback=allow_loopback)
        except Exception as exc:  # noqa: BLE001 - a background thread has nobody else to tell
            # The type alone: a traceback would carry the exception's message and values.
            log.error(
                "sync of %s asked for by %s crashed: %s", connection_id, actor, type(exc).__name__
            )

    threading.Thread(target=run, name=f"sync-now:{connection_id}", daemon=True).start()


def list_runs(
    store: Store, *, tenant_id: str | None, connection_id: str | None = None, limit: int = 50
) -> list[RunInfo]:
    """Newest first."""
    with transaction(store.sessions) as session:
        rows = runs.list_runs(
            session, tenant_id=tenant_id, connection_id=connection_id, limit=limit
        )
        return [run_info(r) for r in rows]


def get_run(store: Store, run_id: str, *, tenant_id: str | None) -> RunDetail:
    with transaction(store.sessions) as session:
        run = runs.get_run(session, run_id, tenant_id=tenant_id)
        actions = tuple(_action(a) for a in runs.run_actions(session, run))
        return RunDetail(**vars(run_info(run)), actions=actions)


_ACTION_COUNTS = ("provision", "update", "deprovision", "delete")


@dataclass(frozen=True)
class Progress:
    """A new connection's first sync, as the connect flow shows it."""

    stage: str
    """starting | reading | done | held | failed"""
    people_read: int | None = None
    actions_planned: int | None = None
    detail: str = ""

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "held", "failed")


def first_sync_progress(store: Store, connection_id: str, *, tenant_id: str) -> Progress:
    with transaction(store.sessions) as session:
        recent = [
            run_info(r)
            for r in runs.list_runs(
                session, tenant_id=tenant_id, connection_id=connection_id, limit=5
            )
            if not r.dry_run
        ]
    # Another worker may sync the new connection too; whichever run finishes first tells.
    finished = next((r for r in recent if r.status != RunStatus.RUNNING), None)
    if finished is None:
        return Progress("reading" if recent else "starting")
    counts = finished.counts
    read = counts.get("employees_read")
    planned = sum(int(counts.get(kind, 0)) for kind in _ACTION_COUNTS) if counts else None
    if finished.status == RunStatus.FAILED:
        return Progress("failed", detail=finished.error_message or "")
    if finished.status == RunStatus.HELD:
        return Progress("held", read, planned, str(finished.report.get("hold_reason", "")))
    return Progress("done", read, planned)
