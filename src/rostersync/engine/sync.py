"""One sync run: a complete read of a connection, or a failure that changes nothing.

The read happens outside any transaction; only when every page has arrived is the previous
state loaded, the plan made, and (unless it is a dry run) the new state, the actions and their
events written in one transaction. A failed read therefore never looks like people leaving.

Every run ends: whatever goes wrong once it has started, it is finished as failed. A process
that dies cannot do that, so a reading run beats a heartbeat on its row, and the scheduler's
sweep (`fail_abandoned_runs`) fails runs whose heartbeat stopped; a run swept while it was
still going finds out before it writes, and writes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain
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
from rostersync.store.repos import accounts, audit, connections, people, runs, tenants
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


def apply_plan(
    session: Session,
    store: Store,
    connection: Connection,
    run: SyncRun,
    the_plan: Plan,
    org: tuple[dict[str, Group], dict[str, Location]] | None,
    at: datetime,
    *,
    stored: Collection[str],
    unchanged: Iterable[Employee] = (),
) -> None:
    """Write the plan: the new state, its actions and their events, in the caller's transaction.
    `stored`: the remote ids with a row already (the state the plan was made from);
    `unchanged` people (the plan leaves their rows alone) get their fingerprints refreshed."""
    next_state = the_plan.next_state.values()
    people.save_people(session, store.keyring, connection, next_state, at, stored=stored)
    people.refresh_fingerprints(session, store.keyring, connection, unchanged)
    if org is not None:
        people.replace_org(session, connection, org[0], org[1], at)
    actions = [planned.action for planned in the_plan.actions]
    # Stable ids: an action already recorded (a retried run) is not emitted twice.
    known = runs.known_action_ids(session, connection, (a.id for a in actions))
    fresh = [planned for planned in the_plan.actions if planned.action.id not in known]
    runs.record_actions(session, run, (planned.action for planned in fresh))
    synced = events.connection_event(
        connection,
        event_type=ConnectionEvent.SYNCED,
        event_id=f"synced:{run.id}",
        details={"run_id": run.id, "actions": len(fresh)},
        at=at,
    )
    stream = chain((events.action_event(connection, p, at) for p in fresh), (synced,))
    events.publish(session, store.keyring, connection, stream, at)
    connections.mark_synced(connection, at)


def _apply(
    store: Store,
    connection_id: str,
    run_id: str,
    complete: CompleteRead,
    today: date,
    options: SyncOptions,
) -> SyncReport:
    options.on_planning()
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
        counts = _counts(
            len(complete.employees), len(complete.groups), len(complete.locations), the_plan
        )
        actions = tuple(planned.action for planned in the_plan.actions)
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
        # Just before the first write, so the run is ours until the commit (row lock; SQLite's
        # write lock): a sweep that failed it meanwhile stops us here, none can come after.
        if not runs.touch(session, run_id, at=at):
            raise RunAbandoned(_ABANDONED)
        if options.dry_run:
            runs.finish_run(run, status=RunStatus.PREVIEWED, at=at, counts=counts, report=details)
            return SyncReport(
                run_id,
                connection_id,
                RunStatus.PREVIEWED,
                True,
                counts,
                actions,
                hold=hold,
                needs_a_person=the_plan.needs_a_person,
                coverage=covered,
                field_warnings=tuple(gaps),
            )
        org = None if complete.from_store else (complete.groups, complete.locations)
        if hold:
            run.held_plan = store.keyring.encrypt(
                plans.dump(the_plan, *(org or ({}, {}))), context="sync_runs.held_plan"
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
            return SyncReport(
                run_id,
                connection_id,
                RunStatus.HELD,
                False,
                counts,
                actions,
                hold=hold,
                needs_a_person=the_plan.needs_a_person,
                coverage=covered,
                field_warnings=tuple(gaps),
            )
        stale = (
            complete.employees[rid]
            for rid in previous.stale_fingerprints
            if rid not in the_plan.next_state
        )
        apply_plan(
            session,
            store,
            connection,
            run,
            the_plan,
            org,
            at,
            stored=previous.people.keys(),
            unchanged=stale,
        )
        runs.finish_run(run, status=RunStatus.SUCCEEDED, at=at, counts=counts, report=details)
    log.info("sync %s of %s succeeded: %s", run_id, connection_id, counts)
    return SyncReport(
        run_id,
        connection_id,
        RunStatus.SUCCEEDED,
        False,
        counts,
        actions,
        needs_a_person=the_plan.needs_a_person,
        coverage=covered,
        field_warnings=tuple(gaps),
    )


def fail_abandoned_runs(store: Store, *, now: datetime) -> list[str]:
    """Fail every run whose process stopped without finishing it (its heartbeat, or its start
    if it never beat, is older than ABANDONED_AFTER), so its connection can sync again. The
    ids of the runs failed; each gets an audit entry."""
    with transaction(store.sessions) as session:
        abandoned = runs.fail_abandoned(
            session,
            silent_since=now - ABANDONED_AFTER,
            at=now,
            error_code=RunAbandoned.code,
            message=_ABANDONED,
        )
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
