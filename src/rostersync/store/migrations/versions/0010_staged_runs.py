"""Chunked apply (issue 13): a run stages its people, actions and outbox entries in twin
tables, a chunk per transaction, and publishes them at once; sync_runs says when it began.

Revision ID: 0010_staged_runs
Revises: 0009_tenant_branding
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rostersync.store.tables

revision = "0010_staged_runs"
down_revision = "0009_tenant_branding"
branch_labels = None
depends_on = None

_UTC = rostersync.store.tables.UTCDateTime(timezone=True)


def _staged(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("staged_seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("staged_seq", name=op.f(f"pk_{name}")),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{name}_run_id"), ["run_id"], unique=False)


def upgrade() -> None:
    _staged(
        "staged_people",
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("work_email", sa.Text(), nullable=True),
        sa.Column("work_email_index", sa.String(length=64), nullable=True),
        sa.Column("fingerprint", sa.String(length=80), nullable=True),
        sa.Column("employment_status", sa.String(length=16), nullable=False),
        sa.Column("group_ids", sa.JSON(), nullable=False),
        sa.Column("manager_remote_id", sa.String(length=200), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("location_id", sa.String(length=200), nullable=True),
        sa.Column("on_garden_leave", sa.Boolean(), nullable=False),
        sa.Column("provisioned", sa.Boolean(), nullable=False),
        sa.Column("account_id", sa.String(length=200), nullable=True),
        sa.Column("deprovisioned_on", sa.Date(), nullable=True),
        sa.Column("account_deleted", sa.Boolean(), nullable=False),
        sa.Column("remote_was_deleted", sa.Boolean(), nullable=False),
        sa.Column("access_seq", sa.Integer(), nullable=False),
        sa.Column("missing_since", _UTC, nullable=True),
        sa.Column("modified_at", _UTC, nullable=False),
    )
    _staged(
        "staged_actions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("remote_id", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("account_id", sa.String(length=200), nullable=True),
        sa.Column("cause", sa.String(length=300), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
    )
    _staged(
        "staged_outbox",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("destination_id", sa.String(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("lease_until", _UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _UTC, nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("delivered_at", _UTC, nullable=True),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applying_since", _UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("applying_since")
    for name in ("staged_outbox", "staged_actions", "staged_people"):
        op.drop_table(name)
