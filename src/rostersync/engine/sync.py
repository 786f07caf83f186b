"""One sync run: a complete read of a connection, or a failure that changes nothing.

The read happens outside any transaction; only when every page has arrived is the previous
state loaded and the plan made, in a transaction that writes none of it. A failed read
therefore never looks like people leaving. Unless it is a dry run or held, the run is then
marked applying, and the new state, the actions and their events are staged a chunk per
transaction and published in one last transaction with the run's success (engine.apply):
the product sees the run whole or not at all.

Every run ends: whatever goes wrong once it has started, it is finished as failed and what it
staged is discarded. A process that dies cannot do that, so a running run beats a heartbeat
on its row (while reading, and at each chunk it applies), and a sweep (`fail_abandoned_runs`,
by the scheduler and at the start of the connection's next sync) fails runs whose heartbeat
stopped and discards what they staged; a run swept while it was still going finds out before
its next write, and writes nothing more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import zip_longest
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from rostersync.connectors import (
    AuthRevoked,
    BadPayload,
    PermissionDenied,
    ReadContext,
    get_connector,
    read_records,
)
from rostersync.engine import coverage, events, plans
from rostersync.engine.apply import Org, publish, stage
from rostersync.engine.coverage import FieldWarning
from rostersync.engine.errors import ConnectionNotActive, RunAbandoned, RunCrashed, RunHeld
from rostersync.engine.guards import hold_reason
from rostersync.engine.lifecycle import Inputs, Plan, plan
from rostersync.engine.policy import Policy
from rostersync.engine.report import SyncReport
from rostersync.errors import RostersyncError
from rostersync.model import (
    ActionKind,
    ConnectionEvent,
    ConnectionStatus,
    Employee,
    Group,
    Location,
    RunStatus,
)
from rostersync.store import Store
from rostersync.store.repos import accounts, audit, connections, people, runs, staging, tenants
from rostersync.store.repos.batches import batched
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, SyncRun

log = logging.getLogger("rostersync.engine.sync")

HEARTBEAT_INTERVAL = timedelta(seconds=30)
"""How often a reading run touches its row: often enough to tell slow from dead, rarely
enough that a read of 100k people costs a handful of writes."""
ABANDONED_AFTER = 10 * HEARTBEAT_INTERVAL
"""A running run silent this long is taken for dead: ten missed beats, so a slow page, a long
Retry-After pause or a busy database never gets a live run swept."""
_ABANDONED = "the run stopped without finishing (its process ended or hung); it was failed"


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CompleteRead:
    employees: dict[str, Employee] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    from_store: bool = False
    """The stored snapshot re-planned against today (the date check), not a vendor read."""


_R = TypeVar("_R", Employee, Group, Location)


def _add(bucket: dict[str, _R], record: _R, vendor: str) -> None:
    if record.remote_id in bucket:
        raise BadPayload(f"{vendor} returned {record.type} {record.remote_id!r} twice")
    bucket[record.remote_id] = record


def read_connection(
    connection: Connection, context: ReadContext, beat: Callable[[], None] = lambda: None
) -> CompleteRead:
    connector = get_connector(connection.provider)
    result = CompleteRead()
    for record in read_records(connector, context):
        beat()
        match record:
            case Employee():
                _add(result.employees, record, connector.display_name)
            case Group():
                _add(result.groups, record, connector.display_name)
            case Location():
                _add(result.locations, record, connector.display_name)
    return result


CHUNK = 5000
"""Plan rows (people, actions) staged per transaction: a crash loses at most one chunk's
work, and no transaction holds a 100k-person write open for minutes."""


@dataclass(frozen=True)
class SyncOptions:
    as_of: date | None = None
    """The day statuses and start dates are read against; default: today in the tenant's zone."""
    dry_run: bool = False
    allow_loopback: bool = False
    from_store: bool = False
    """Re-plan the stored snapshot against today without calling the vendor (date check)."""
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = utcnow
    on_record: Callable[[], None] = lambda: None
    """Called for each record read (a front-end's progress; it must not raise)."""
    on_planning: Callable[[], None] = lambda: None
    """Called once the read is complete, before the plan is made and applied."""
    chunk: int = CHUNK
    """Plan rows (people, actions) staged per transaction."""
    on_applied: Callable[[int], None] = lambda _rows: None
    """Called as each chunk of the plan is committed, with how many of its rows (people and
    actions) are staged so far; the run is published after the last."""


class _Heartbeat:
    """Touches the run's row, at most once per HEARTBEAT_INTERVAL, in a transaction of its own
    (the read holds none). Raises RunAbandoned once a sweep has failed the run: reading on
    would be wasted."""

    def __init__(self, store: Store, run_id: str, options: SyncOptions, started: datetime) -> None:
        self._store = store
        self._run_id = run_id
        self._options = options
        self._last = started

    def __call__(self) -> None:
        now = self._options.clock()
        if now - self._last < HEARTBEAT_INTERVAL:
            return
        self._last = now
        with transaction(self._store.sessions) as session:
            if not runs.touch(session, self._run_id, at=now):
                raise RunAbandoned(_ABANDONED)

    def sleep(self, seconds: float) -> None:
        """The read's pauses (Retry-After, backoff), cut into beats so a long one is not
        taken for a dead run."""
        step = HEARTBEAT_INTERVAL.total_seconds()
        while seconds > 0:
            self._options.sleep(min(seconds, step))
            seconds -= step
            self()


def run_sync(
    store: Store,
    connection_id: str,
    *,
    tenant_id: str | None = None,
    options: SyncOptions | None = None,
) -> SyncReport:
    options = options or SyncOptions()
    started = options.clock()
    # A run of this connection that died (mid-apply, say) is rolled back before this one plans.
    fail_abandoned_runs(store, now=started, connection_id=connection_id)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=tenant_id)
        zone = tenants.get_tenant(session, connection.tenant_id).timezone
        held = runs.held_run(session, connection)
        run = runs.start_run(session, connection, dry_run=options.dry_run, at=started)
        run_id = run.id
        active = connection.status == ConnectionStatus.ACTIVE
        credentials = connections.read_credentials(store.keyring, connection) if active else {}
        stored = (
            people.load_state(session, store.keyring, connection) if options.from_store else None
        )
    try:
        today = options.as_of or started.astimezone(ZoneInfo(zone)).date()
        if not active:
            reason = f"the connection is {connection.status}; reconnect it to sync again"
            raise ConnectionNotActive(reason)
        if held is not None and not options.dry_run:
            raise RunHeld(f"run {held} is held for approval; approve or reject it first")
        if stored is not None:
            # People awaiting a confirming read stay as they are: only a vendor read settles them.
            current = {
                rid: p.employee
                for rid, p in stored.people.items()
                if not p.remote_was_deleted and p.missing_since is None
            }
            complete = CompleteRead(current, from_store=True)
        else:
            complete = _read(store, connection, run_id, today, credentials, options, started)
        return _apply(store, connection_id, run_id, complete, today, options)
    except RostersyncError as error:
        return _fail(store, connection_id, run_id, error, options)
    except Exception as exc:  # noqa: BLE001 - fail closed: every run that started ends
        # Whatever it was, the run must not stay `running`. The type alone is logged: a
        # traceback would carry the exception's message and the values it choked on.
        crashed = RunCrashed(exc)
        log.error("sync %s of %s: %s", run_id, connection_id, crashed)
        return _fail(store, connection_id, run_id, crashed, options)


def _read(
    store: Store,
    connection: Connection,
    run_id: str,
    today: date,
    credentials: dict[str, str],
    options: SyncOptions,
    started: datetime,
) -> CompleteRead:
    connection_id = connection.id

    def save_credentials(values: Mapping[str, str]) -> None:
        # A vendor rotated a token mid-read: keep the new one now, whatever the run's outcome.
        with transaction(store.sessions) as session:
            current = connections.get_connection(session, connection_id, tenant_id=None)
            connections.replace_credentials(store.keyring, current, dict(values))

    heartbeat = _Heartbeat(store, run_id, options, started)
    context = ReadContext(
        credentials=credentials,
        as_of=today,
        base_url=connection.base_url,
        allow_loopback=options.allow_loopback,
        sleep=heartbeat.sleep,
        save_credentials=save_credentials,
    )

    def beat() -> None:
        heartbeat()
        options.on_record()

    return read_connection(connection, context, beat)


def _fail(
    store: Store, connection_id: str, run_id: str, error: RostersyncError, options: SyncOptions
) -> SyncReport:
    at = options.clock()
    with transaction(store.sessions) as session:
        if not runs.touch(session, run_id, at=at):
            # A sweep failed the run already; its verdict stands.
            error = RunAbandoned(_ABANDONED)
            return _failed_report(run_id, connection_id, error, options)
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        run = runs.get_run(session, run_id, tenant_id=None)
        runs.finish_run(
            run, status=RunStatus.FAILED, at=at, error_code=error.code, error_message=str(error)
        )
        staging.discard(session, [run_id])
        revoked = isinstance(error, AuthRevoked | PermissionDenied)
        if revoked and connection.status == ConnectionStatus.ACTIVE and not options.dry_run:
            connections.mark_needs_reauth(connection, str(error))
            audit.record(
                session,
                tenant_id=connection.tenant_id,
                actor="system",
                action="connection.needs_reauth",
                target=connection.id,
                details={"run_id": run_id, "error": error.code},
            )
            reauth = events.connection_event(
                connection,
                event_type=ConnectionEvent.NEEDS_REAUTH,
                event_id=f"needs_reauth:{run_id}",
                details={"reason": error.code, "run_id": run_id},
                at=at,
            )
            events.publish(session, store.keyring, connection, (reauth,), at)
    return _failed_report(run_id, connection_id, error, options)


def _failed_report(
    run_id: str, connection_id: str, error: RostersyncError, options: SyncOptions
) -> SyncReport:
    log.warning("sync %s of %s failed: %s", run_id, connection_id, error.code)
    return SyncReport(
        run_id,
        connection_id,
        RunStatus.FAILED,
        options.dry_run,
        error_code=error.code,
        error_message=str(error),
        exit_code=error.exit_code,
    )


def _counts(employees: int, groups: int, locations: int, the_plan: Plan) -> dict[str, int]:
    return {
        "employees_read": employees,
        "groups_read": groups,
        "locations_read": locations,
        **{kind.value: the_plan.count(kind) for kind in ActionKind},
        "needs_a_person": sum(len(ids) for ids in the_plan.needs_a_person.values()),
        "managers_unresolved": the_plan.managers_unresolved,
        "missing_unconfirmed": len(the_plan.newly_missing) + len(the_plan.awaiting_confirmation),
    }


@dataclass(frozen=True)
class _Planned:
    """A plan ready to write, and what the run's row and report say about it."""

    plan: Plan
    org: Org | None
    at: datetime
    counts: dict[str, int]
    details: dict[str, object]
    coverage: dict[str, int]
    warnings: tuple[FieldWarning, ...]
    unchanged: list[Employee]
    """Read people equal to their stored rows whose fingerprints are stale."""

    def report(
        self, run_id: str, connection_id: str, status: RunStatus, hold: str | None = None
    ) -> SyncReport:
        return SyncReport(
            run_id,
            connection_id,
            status,
            status is RunStatus.PREVIEWED,
            self.counts,
            tuple(planned.action for planned in self.plan.actions),
            hold=hold,
            needs_a_person=self.plan.needs_a_person,
            coverage=self.coverage,
            field_warnings=self.warnings,
        )


def _apply(
    store: Store,
    connection_id: str,
    run_id: str,
    complete: CompleteRead,
    today: date,
    options: SyncOptions,
) -> SyncReport:
    options.on_planning()
    planned = _plan(store, connection_id, run_id, complete, today, options)
    if isinstance(planned, SyncReport):
        return planned
    _write(store, connection_id, run_id, planned, options)
    log.info("sync %s of %s succeeded: %s", run_id, connection_id, planned.counts)
    return planned.report(run_id, connection_id, RunStatus.SUCCEEDED)


def _plan(
    store: Store,
    connection_id: str,
    run_id: str,
    complete: CompleteRead,
    today: date,
    options: SyncOptions,
) -> _Planned | SyncReport:
    """Plan the run in a transaction that writes none of the plan: a dry run or a held run
    ends here, with its report; any other is marked applying. The stored state the plan was
    made from is let go on return, before the writing starts."""
    with transaction(store.sessions) as session:
        at = options.clock()
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        run: SyncRun = runs.get_run(session, run_id, tenant_id=None)
        policy = Policy.model_validate(connection.policy or {})
        previous = people.load_state(session, store.keyring, connection, reading=complete.employees)
        inputs = Inputs(
            connection_id=connection.id,
            today=today,
            now=at,
            complete_read=not complete.from_store,
            policy=policy,
            locations=complete.locations or previous.locations,
            accounts=accounts.account_index(session, tenant_id=connection.tenant_id),
            email_key=store.keyring.blind_index,
            taken_emails=people.tenant_emails(
                session, tenant_id=connection.tenant_id, except_connection=connection.id
            ),
        )
        the_plan = plan(previous=previous.people, current=complete.employees, inputs=inputs)
        hold = (
            None
            if complete.from_store
            else hold_reason(
                previous.people, the_plan, len(complete.employees), policy, complete.employees
            )
        )
        had = [p.employee for p in previous.people.values() if not p.remote_was_deleted]
        covered = coverage.coverage(complete.employees.values())
        gaps = coverage.field_warnings(
            get_connector(connection.provider).fields,
            covered,
            len(complete.employees),
            coverage.coverage(had),
            len(had),
        )
        details: dict[str, object] = {
            "needs_a_person": the_plan.needs_a_person,
            "field_coverage": covered,
            "field_warnings": [gap.as_dict() for gap in gaps],
        }
        if hold:
            details["hold_reason"] = hold
        planned = _Planned(
            the_plan,
            None if complete.from_store else (complete.groups, complete.locations),
            at,
            _counts(
                len(complete.employees), len(complete.groups), len(complete.locations), the_plan
            ),
            details,
            covered,
            tuple(gaps),
            [
                complete.employees[rid]
                for rid in previous.stale_fingerprints
                if rid not in the_plan.next_state
            ],
        )
        # Just before the first write, so the run is ours until the commit (row lock; SQLite's
        # write lock): a sweep that failed it meanwhile stops us here, none can come after.
        if not runs.touch(session, run_id, at=at):
            raise RunAbandoned(_ABANDONED)
        counts = planned.counts
        if options.dry_run:
            runs.finish_run(run, status=RunStatus.PREVIEWED, at=at, counts=counts, report=details)
            return planned.report(run_id, connection_id, RunStatus.PREVIEWED, hold)
        if hold:
            run.held_plan = store.keyring.encrypt(
                plans.dump(the_plan, *(planned.org or ({}, {}))), context="sync_runs.held_plan"
            )
            runs.finish_run(run, status=RunStatus.HELD, at=at, counts=counts, report=details)
            held = events.connection_event(
                connection,
                event_type=ConnectionEvent.HELD,
                event_id=f"held:{run_id}",
                details={"run_id": run_id, "reason": hold, "counts": counts},
                at=at,
            )
            events.publish(session, store.keyring, connection, (held,), at)
            log.warning("sync %s of %s held: %s", run_id, connection_id, hold)
            return planned.report(run_id, connection_id, RunStatus.HELD, hold)
        runs.mark_applying(run, at=at)
    return planned


def _ours(
    session: Session, connection_id: str, run_id: str, options: SyncOptions
) -> tuple[Connection, SyncRun]:
    """The connection and the run, once the run's heart has beaten: a sweep that failed it,
    or a disconnect, stops the writing before this transaction writes anything."""
    if not runs.touch(session, run_id, at=options.clock()):
        raise RunAbandoned(_ABANDONED)
    connection = connections.get_connection(session, connection_id, tenant_id=None)
    if connection.status != ConnectionStatus.ACTIVE:
        raise ConnectionNotActive(f"the connection became {connection.status} during the run")
    return connection, runs.get_run(session, run_id, tenant_id=None)


def _write(
    store: Store, connection_id: str, run_id: str, planned: _Planned, options: SyncOptions
) -> None:
    """Stage the plan a chunk per transaction, then publish it with the run's success in one:
    a run that dies on the way has published nothing, and its staged rows are discarded
    when it is failed (here, by a sweep, or by the connection's next sync)."""
    the_plan, at = planned.plan, planned.at
    chunks = zip_longest(
        batched(the_plan.next_state.values(), options.chunk),
        batched(the_plan.actions, options.chunk),
        batched(planned.unchanged, options.chunk),
    )
    actions = rows = 0
    for next_state, chunk, unchanged in chunks:
        with transaction(store.sessions) as session:
            connection, run = _ours(session, connection_id, run_id, options)
            actions += stage(
                session,
                store,
                connection,
                run,
                next_state or (),
                chunk or (),
                at,
                unchanged=unchanged or (),
            )
        rows += len(next_state or ()) + len(chunk or ())
        options.on_applied(rows)
    with transaction(store.sessions) as session:
        connection, run = _ours(session, connection_id, run_id, options)
        publish(session, store, connection, run, planned.org, at, actions=actions)
        runs.finish_run(
            run, status=RunStatus.SUCCEEDED, at=at, counts=planned.counts, report=planned.details
        )


def fail_abandoned_runs(
    store: Store, *, now: datetime, connection_id: str | None = None
) -> list[str]:
    """Fail every run (of one connection, or any) whose process stopped without finishing it
    (its heartbeat, or its start if it never beat, is older than ABANDONED_AFTER), so its
    connection can sync again, and discard what it staged: a run killed while applying is
    rolled back, never completed, since the read it planned from died with it and the next
    sync plans from a fresher one. The ids of the runs failed; each gets an audit entry."""
    with transaction(store.sessions) as session:
        abandoned = runs.fail_abandoned(
            session,
            silent_since=now - ABANDONED_AFTER,
            at=now,
            error_code=RunAbandoned.code,
            message=_ABANDONED,
            connection_id=connection_id,
        )
        staging.discard(session, [run.run_id for run in abandoned])
        for run in abandoned:
            audit.record(
                session,
                tenant_id=run.tenant_id,
                actor="system",
                action="run.abandoned",
                target=run.run_id,
                details={"connection_id": run.connection_id},
            )
    for run in abandoned:
        log.warning("sync %s of %s abandoned: failed", run.run_id, run.connection_id)
    return [run.run_id for run in abandoned]
