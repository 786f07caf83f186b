"""Hand-off (issue 14): a link's redirect URL, embedding origin and state, and the one-time
codes a product exchanges for a link-made connection's account token.

Revision ID: 0008_link_handoff
Revises: 0007_oauth_grants
Create Date: 2026-12-03 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rostersync.store.tables

revision = "0008_link_handoff"
down_revision = "0007_oauth_grants"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connect_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redirect_url", sa.String(length=2000), nullable=True))
        batch_op.add_column(sa.Column("allowed_origin", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("return_state", sa.String(length=500), nullable=True))
    op.create_table(
        "handoff_codes",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=False),
        sa.Column("connection_id", sa.String(length=32), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", rostersync.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", rostersync.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", rostersync.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_handoff_codes_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["connect_links.id"], name=op.f("fk_handoff_codes_link_id_connect_links")
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_handoff_codes_connection_id_connections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_codes")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_handoff_codes_code_hash")),
    )
    with op.batch_alter_table("handoff_codes", schema=None) as batch_op:
        for column in ("tenant_id", "link_id", "connection_id"):
            batch_op.create_index(batch_op.f(f"ix_handoff_codes_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("handoff_codes")
    with op.batch_alter_table("connect_links", schema=None) as batch_op:
        batch_op.drop_column("return_state")
        batch_op.drop_column("allowed_origin")
        batch_op.drop_column("redirect_url")
