"""people.fingerprint: a keyed digest of each stored employee, so a re-sync compares people
without decrypting them (issue 13). Rows from before it have none: they are decrypted once and
given one by the next sync.

Revision ID: 0005_person_fingerprint
Revises: 0004_garden_leave
Create Date: 2026-12-03 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_person_fingerprint"
down_revision = "0004_garden_leave"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("fingerprint")
