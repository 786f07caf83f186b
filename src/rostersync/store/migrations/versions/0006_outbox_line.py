"""outbox.ix_outbox_line: claim_due asks, for each candidate, whether an earlier entry of the
same destination and person is undelivered; without this index that is a scan of the
destination's entries per candidate (issue 13, deliver concurrently).

Revision ID: 0006_outbox_line
Revises: 0005_person_fingerprint
Create Date: 2026-12-03 12:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0006_outbox_line"
down_revision = "0005_person_fingerprint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_line", ["destination_id", "subject", "sequence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_line")
