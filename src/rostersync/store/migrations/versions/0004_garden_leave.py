"""people.on_garden_leave: the vendor's garden-leave fact, so the planner can apply the
connection's garden_leave policy (issue 12.2).

Revision ID: 0004_garden_leave
Revises: 0003_key_checks
Create Date: 2026-12-02 18:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_garden_leave"
down_revision = "0003_key_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("on_garden_leave", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("on_garden_leave")
