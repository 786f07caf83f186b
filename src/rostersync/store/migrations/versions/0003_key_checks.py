"""key checks: the master key must be the one the database was written with

- key_checks: a known value sealed under each key version; every store open decrypts them.

Revision ID: 0003_key_checks
Revises: 0002_access_sequence
Create Date: 2026-12-02 18:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_key_checks"
down_revision = "0002_access_sequence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_checks",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_key_checks")),
    )


def downgrade() -> None:
    op.drop_table("key_checks")
