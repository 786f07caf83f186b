"""One run as the dashboard explains it: every action it took (or, held, would take) and
everyone it left for a person to sort out, each with the reason in words.

People are named where the design lets the dashboard name them (as the held-run view does:
an admin decides about people, not ids), decrypting only the page shown; someone no longer
stored (a disconnected connection's people are purged) is shown by the HR system's id.
"""

from __future__ import annotations

from dataclasses import dataclass

from rostersync.model import (
    ALLOWLIST,
    ActionKind,
    LifecycleRule,
    NeedsAPerson,
    RecordType,
    RunStatus,
)
from rostersync.services.approvals import planned_actions
from rostersync.services.connections import ConnectionInfo, connection_info
from rostersync.services.runs import RunInfo, run_info
from rostersync.store import Store
from rostersync.store.repos import connections, people, runs
from rostersync.store.session import transaction

PAGE_SIZE = 200
_FIELD_LABELS = {f.name: f.label for f in ALLOWLIST if f.record is RecordType.EMPLOYEE}


@dataclass(frozen=True)
class PersonLabel:
    remote_id: str
    """The HR system's id: no personal value."""
    name: str | None
    """None when the person is no longer stored."""


@dataclass(frozen=True)
class RunAction:
    kind: ActionKind
    person: PersonLabel
    rule: LifecycleRule
    changed: tuple[str, ...]
    """Labels of the fields that changed (an update)."""


@dataclass(frozen=True)
class NeedsPerson:
    reason: NeedsAPerson
    person: PersonLabel


@dataclass(frozen=True)
class RunPage:
    run: RunInfo
    connection: ConnectionInfo
    actions: list[RunAction]
    """This page of them, in planning order."""
    actions_total: int
    page: int
    pages: int
    needs_a_person: list[NeedsPerson]
    """Everyone, on the first page only (a list a person works through)."""

    @property
    def held(self) -> bool:
        return self.run.status == RunStatus.HELD


@dataclass(frozen=True)
class _Row:
    kind: ActionKind
    remote_id: str
    rule: LifecycleRule
    changed: tuple[str, ...]
    name: str | None = None


def run_page(store: Store, run_id: str, *, tenant_id: str, page: int = 1) -> RunPage:
    """`page` counts from 1 (a page past the last one is empty)."""
    page = max(page, 1)
    with transaction(store.sessions) as session:
        row = runs.get_run(session, run_id, tenant_id=tenant_id)
        run = run_info(row)
        connection = connection_info(
            connections.get_connection(session, row.connection_id, tenant_id=tenant_id)
        )
        if row.status == RunStatus.HELD and row.held_plan is not None:
            # Nothing is recorded until approval: the plan itself says what it would do.
            planned = planned_actions(store.keyring, row.held_plan)
            total = len(planned)
            shown = [
                _Row(
                    p.action.kind,
                    p.action.remote_id,
                    LifecycleRule(p.action.rule),
                    p.action.changed_fields,
                    f"{p.employee.first_name} {p.employee.last_name}",
                )
                for p in planned[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            ]
        else:
            recorded, total = runs.run_actions_page(
                session, run_id, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
            shown = [
                _Row(
                    ActionKind(a.kind), a.remote_id, LifecycleRule(a.rule), tuple(a.changed_fields)
                )
                for a in recorded
            ]
        waiting = _needs_a_person(run) if page == 1 else []
        wanted = {r.remote_id for r in shown if r.name is None} | {i for _, i in waiting}
        known = people.names(session, store.keyring, connection.id, wanted)
    return RunPage(
        run,
        connection,
        [
            RunAction(
                r.kind,
                PersonLabel(r.remote_id, r.name or known.get(r.remote_id)),
                r.rule,
                tuple(_FIELD_LABELS.get(f, f) for f in r.changed),
            )
            for r in shown
        ],
        total,
        page,
        _pages(total),
        [NeedsPerson(reason, PersonLabel(i, known.get(i))) for reason, i in waiting],
    )


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def _needs_a_person(run: RunInfo) -> list[tuple[NeedsAPerson, str]]:
    reported: dict[str, list[str]] = dict(run.report.get("needs_a_person") or {})
    return [
        (NeedsAPerson(reason), remote_id)
        for reason, remote_ids in reported.items()
        for remote_id in remote_ids
    ]
