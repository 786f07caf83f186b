"""oauth_grants: the `state` of each OAuth consent begun from a connect link, hashed, single
use and short-lived (issue 14, OAuth 2.0 in the connect flow).

Revision ID: 0007_oauth_grants
Revises: 0006_outbox_line
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rostersync.store.tables import UTCDateTime

revision = "0007_oauth_grants"
down_revision = "0006_outbox_line"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oauth_grants",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("link_id", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["connect_links.id"]),
        sa.PrimaryKeyConstraint("state_hash"),
    )
    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.create_index("ix_oauth_grants_link_id", ["link_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("oauth_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_oauth_grants_link_id")
    op.drop_table("oauth_grants")
