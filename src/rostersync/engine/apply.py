"""Writing a plan: the new state, its actions and their events, staged and then published.

Everything a run writes for the product (people, actions, outbox entries) is staged under the
run's id (store.repos.staging) and published in one transaction with the run's success, so
the product sees a run whole or not at all, however many transactions staging took. A sync
stages a chunk per transaction (sync.py); approving a held run does it all in one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from rostersync.engine import events
from rostersync.engine.lifecycle import Plan, PlannedAction
from rostersync.model import ConnectionEvent, Employee, Group, Location, StoredPerson
from rostersync.store import Store
from rostersync.store.repos import connections, people, runs, staging
from rostersync.store.tables import Connection, SyncRun

Org = tuple[dict[str, Group], dict[str, Location]]


def stage(
    session: Session,
    store: Store,
    connection: Connection,
    run: SyncRun,
    next_state: Iterable[StoredPerson],
    planned: Iterable[PlannedAction],
    at: datetime,
    *,
    unchanged: Iterable[Employee] = (),
) -> int:
    """Stage part of a plan in the caller's transaction; `unchanged` people (the plan leaves
    their rows alone) get their fingerprints refreshed in place, which the product cannot
    see and which stays true whatever becomes of the run. Returns how many actions were
    staged: an action already recorded (a retried run: stable ids) is not emitted twice."""
    people.stage_people(session, store.keyring, connection, run.id, next_state, at)
    people.refresh_fingerprints(session, store.keyring, connection, unchanged)
    planned = list(planned)
    known = runs.known_action_ids(session, connection, (p.action.id for p in planned))
    fresh = [p for p in planned if p.action.id not in known]
    runs.stage_actions(session, run, (p.action for p in fresh))
    stream = (events.action_event(connection, p, at) for p in fresh)
    events.publish(session, store.keyring, connection, stream, at, run_id=run.id)
    return len(fresh)


def publish(
    session: Session,
    store: Store,
    connection: Connection,
    run: SyncRun,
    org: Org | None,
    at: datetime,
    *,
    actions: int,
) -> None:
    """Make the staged run live, in the caller's transaction: the org, the run's rows and its
    `synced` event (last, after every action's event). `actions`: how many were staged."""
    synced = events.connection_event(
        connection,
        event_type=ConnectionEvent.SYNCED,
        event_id=f"synced:{run.id}",
        details={"run_id": run.id, "actions": actions},
        at=at,
    )
    events.publish(session, store.keyring, connection, (synced,), at, run_id=run.id)
    if org is not None:
        people.replace_org(session, connection, org[0], org[1], at)
    staging.publish(session, run.id)
    connections.mark_synced(connection, at)


def apply_plan(
    session: Session,
    store: Store,
    connection: Connection,
    run: SyncRun,
    the_plan: Plan,
    org: Org | None,
    at: datetime,
) -> None:
    """Write a whole plan in the caller's transaction (an approved held run)."""
    staged = stage(
        session, store, connection, run, the_plan.next_state.values(), the_plan.actions, at
    )
    publish(session, store, connection, run, org, at, actions=staged)
