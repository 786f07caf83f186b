"""One sync run: a complete read of a connection, or a failure that changes nothing.

The read happens outside any transaction; only when every page has arrived is the previous
state loaded, the plan made, and (unless it is a dry run) the new state, the actions and their
events written in one transaction. A failed read therefore never looks like people leaving.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from rostersync.connectors import (
    AuthRevoked,
    BadPayload,
    ConnectorError,
    PermissionDenied,
    ReadContext,
    get_connector,
)
from rostersync.engine import events
from rostersync.engine.errors import ConnectionNotActive
from rostersync.engine.lifecycle import Plan, Policy, plan
from rostersync.engine.report import SyncReport
from rostersync.errors import RostersyncError
from rostersync.model import ActionKind, Employee, Group, Location
from rostersync.store import Store
from rostersync.store.repos import audit, connections, people, runs
from rostersync.store.session import transaction
from rostersync.store.tables import Connection, SyncRun

log = logging.getLogger("rostersync.engine.sync")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class CompleteRead:
    employees: dict[str, Employee] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)


_R = TypeVar("_R", Employee, Group, Location)


def _add(bucket: dict[str, _R], record: _R, vendor: str) -> None:
    if record.remote_id in bucket:
        raise BadPayload(f"{vendor} returned {record.type} {record.remote_id!r} twice")
    bucket[record.remote_id] = record


def read_connection(connection: Connection, context: ReadContext) -> CompleteRead:
    connector = get_connector(connection.provider)
    result = CompleteRead()
    for record in connector.read(context):
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
    dry_run: bool = False
    allow_loopback: bool = False
    policy: Policy = field(default_factory=Policy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = utcnow


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
        run = runs.start_run(session, connection, dry_run=options.dry_run, at=started)
        run_id = run.id
        active = connection.status == "active"
        credentials = connections.read_credentials(store.keyring, connection) if active else {}
    if not active:
        reason = f"the connection is {connection.status}; reconnect it to sync again"
        return _fail(store, connection_id, run_id, ConnectionNotActive(reason), options)

    def save_credentials(values: Mapping[str, str]) -> None:
        # A vendor rotated a token mid-read: keep the new one now, whatever the run's outcome.
        with transaction(store.sessions) as session:
            current = connections.get_connection(session, connection_id, tenant_id=None)
            connections.replace_credentials(store.keyring, current, dict(values))

    context = ReadContext(
        credentials=credentials,
        as_of=options.as_of or started.date(),
        base_url=connection.base_url,
        allow_loopback=options.allow_loopback,
        sleep=options.sleep,
        save_credentials=save_credentials,
    )
    try:
        complete = read_connection(connection, context)
    except ConnectorError as error:
        return _fail(store, connection_id, run_id, error, options)
    return _apply(store, connection_id, run_id, complete, context.as_of, options)


def _fail(
    store: Store, connection_id: str, run_id: str, error: RostersyncError, options: SyncOptions
) -> SyncReport:
    at = options.clock()
    log.warning("sync %s of %s failed: %s", run_id, connection_id, error.code)
    with transaction(store.sessions) as session:
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        run = runs.get_run(session, run_id, tenant_id=None)
        runs.finish_run(
            run, status="failed", at=at, error_code=error.code, error_message=str(error)
        )
        revoked = isinstance(error, AuthRevoked | PermissionDenied)
        if revoked and connection.status == "active" and not options.dry_run:
            connections.mark_needs_reauth(connection, str(error))
            audit.record(
                session,
                tenant_id=connection.tenant_id,
                actor="system",
                action="connection.needs_reauth",
                target=connection.id,
                details={"run_id": run_id, "error": error.code},
            )
            events.publish_connection_event(
                session,
                store.keyring,
                connection,
                event_type="connection.needs_reauth",
                event_id=f"needs_reauth:{run_id}",
                details={"reason": error.code, "run_id": run_id},
                at=at,
            )
    return SyncReport(
        run_id,
        connection_id,
        "failed",
        options.dry_run,
        error_code=error.code,
        error_message=str(error),
    )


def _counts(complete: CompleteRead, the_plan: Plan) -> dict[str, int]:
    return {
        "employees_read": len(complete.employees),
        "groups_read": len(complete.groups),
        "locations_read": len(complete.locations),
        **{kind.value: the_plan.count(kind) for kind in ActionKind},
        "not_provisionable": len(the_plan.not_provisionable),
    }


def _apply(
    store: Store,
    connection_id: str,
    run_id: str,
    complete: CompleteRead,
    today: date,
    options: SyncOptions,
) -> SyncReport:
    with transaction(store.sessions) as session:
        at = options.clock()
        connection = connections.get_connection(session, connection_id, tenant_id=None)
        run: SyncRun = runs.get_run(session, run_id, tenant_id=None)
        previous = people.load_state(session, store.keyring, connection)
        the_plan = plan(
            connection_id=connection.id,
            previous=previous.people,
            current=complete.employees,
            today=today,
            policy=options.policy,
        )
        counts = _counts(complete, the_plan)
        actions = tuple(planned.action for planned in the_plan.actions)
        if options.dry_run:
            runs.finish_run(run, status="previewed", at=at, counts=counts)
            return SyncReport(run_id, connection_id, "previewed", True, counts, actions)
        people.save_people(session, store.keyring, connection, the_plan.next_state.values(), at)
        people.replace_org(session, connection, complete.groups, complete.locations, at)
        # Stable ids: an action already recorded (a retried run) is not emitted twice.
        known = runs.known_action_ids(session, connection, (a.id for a in actions))
        fresh = [planned for planned in the_plan.actions if planned.action.id not in known]
        runs.record_actions(session, run, (planned.action for planned in fresh))
        for planned in fresh:
            events.publish_action(session, store.keyring, connection, planned, at)
        connections.mark_synced(connection, at)
        runs.finish_run(run, status="succeeded", at=at, counts=counts)
    log.info("sync %s of %s succeeded: %s", run_id, connection_id, counts)
    return SyncReport(run_id, connection_id, "succeeded", False, counts, actions)
