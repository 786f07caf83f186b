"""Bulk inserts (COPY on PostgreSQL, multi-row INSERTs on SQLite) store what an ORM insert
would: Python-side defaults, enum values, JSON lists, aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from rostersync.model import DeliveryStatus
from rostersync.store import Store
from rostersync.store.repos import connections, tenants
from rostersync.store.repos.batches import BATCH, insert_rows
from rostersync.store.session import transaction
from rostersync.store.tables import Action, SyncRun, new_id

AT = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


def test_bulk_rows_read_back_as_written_with_their_defaults(store: Store) -> None:
    with transaction(store.sessions) as session:
        tenant = tenants.create_tenant(session, "Acme")
        connection = connections.create_connection(
            session, store.keyring, tenant_id=tenant.id, provider="hibob", credentials={}
        )
        run = SyncRun(
            id=new_id("run"),
            tenant_id=tenant.id,
            connection_id=connection.id,
            status="running",
            started_at=AT,
        )
        session.add(run)
        session.flush()
        rows = [
            {
                "id": f"act_{n}",
                "tenant_id": tenant.id,
                "connection_id": connection.id,
                "run_id": run.id,
                "kind": DeliveryStatus.PENDING,  # any StrEnum: stored by value
                "remote_id": f"{n}",
                "rule": "joiner.active",
                "changed_fields": ["group_ids", "location_id"] if n % 2 else [],
                "from_status": None,
                "to_status": "ACTIVE",
                "account_id": None,
                "cause": "joiner: ACTIVE, with a tab\tand 'quotes' \\ and \u00e9",
            }
            for n in range(BATCH + 3)  # more than one batch
        ]
        assert insert_rows(session, Action, iter(rows)) == len(rows)
    with transaction(store.sessions) as session:
        stored = {a.id: a for a in session.scalars(select(Action))}
    assert len(stored) == len(rows)
    for row in rows:
        action = stored[str(row["id"])]
        assert action.kind == "pending"
        assert action.changed_fields == row["changed_fields"]
        assert action.cause == row["cause"]
        assert action.from_status is None
        assert action.created_at.tzinfo is not None  # the column's Python default, aware
