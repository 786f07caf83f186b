"""Deciding a held run: approve applies its stored plan exactly; reject discards it.

Both are audited with who decided. Until one of them happens the connection does not sync, so
no later read can pile up behind a mass deprovision nobody has looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rostersync.engine import NotHeld, PlannedAction, SyncReport, apply_plan, plans
from rostersync.model import (
    Action,
    ActionKind,
    ConnectionStatus,
    LifecycleRule,
    RunStatus,
)
from rostersync.store import Keyring, Store
from rostersync.store.repos import audit, connections, runs
from rostersync.store.session import transaction
from rostersync.store.tables import SyncRun

_PLAN_CONTEXT = "sync_runs.held_plan"


@dataclass(frozen=True)
class HeldPerson:
    """Someone a held run would touch, by name: the admin decides on people, not ids."""

    name: str
    kind: ActionKind
    rule: LifecycleRule
    cause: str


def _held(session: Session, run_id: str, tenant_id: str | None) -> SyncRun:
    run = runs.get_run(session, run_id, tenant_id=tenant_id)
    if run.status != RunStatus.HELD or run.held_plan is None:
        raise NotHeld(f"run {run_id} is {run.status}, not held")
    return run


def planned_actions(keyring: Keyring, held_plan: str) -> tuple[PlannedAction, ...]:
    """The actions a held run's plan (its stored ciphertext) would take, with each person."""
    plan, _, _ = plans.load(keyring.decrypt(held_plan, context=_PLAN_CONTEXT))
    return plan.actions


def people_in_plan(keyring: Keyring, held_plan: str) -> list[HeldPerson]:
    """Who a held run's plan would touch."""
    return [
        HeldPerson(
            f"{p.employee.first_name} {p.employee.last_name}",
            p.action.kind,
            LifecycleRule(p.action.rule),
            p.action.cause,
        )
        for p in planned_actions(keyring, held_plan)
    ]


def decide(
    store: Store, run_id: str, *, approve: bool, tenant_id: str | None, actor: str
) -> SyncReport:
    at = datetime.now(UTC)
    with transaction(store.sessions) as session:
        run = _held(session, run_id, tenant_id)
        connection = connections.get_connection(session, run.connection_id, tenant_id=None)
        if approve and connection.status == ConnectionStatus.DISCONNECTED:
            # Belt and braces: disconnect discards held plans; none may write people back.
            raise NotHeld(f"run {run_id} belongs to a disconnected connection")
        actions: tuple[Action, ...] = ()
        if approve:
            text = store.keyring.decrypt(run.held_plan or "", context=_PLAN_CONTEXT)
            the_plan, groups, locations = plans.load(text)
            org = (groups, locations) if groups or locations else None
            apply_plan(session, store, connection, run, the_plan, org, at)
            actions = tuple(p.action for p in the_plan.actions)
        run.status = RunStatus.SUCCEEDED if approve else RunStatus.REJECTED
        run.held_plan = None
        run.decided_by = actor
        audit.record(
            session,
            tenant_id=run.tenant_id,
            actor=actor,
            action="run.approved" if approve else "run.rejected",
            target=run.id,
            details={"connection_id": run.connection_id, "counts": run.counts},
        )
        return SyncReport(
            run.id, run.connection_id, RunStatus(run.status), False, dict(run.counts), actions
        )
