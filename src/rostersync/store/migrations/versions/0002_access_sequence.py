"""access sequence, confirmed absence, run heartbeats, revoked links

- people.access_seq: how many times access was granted or removed, part of every action id so
  access given back is a new action (issue 10).
- people.missing_since: when a complete read first missed the person; removal by absence waits
  for a second complete read at least the policy's interval later.
- sync_runs.heartbeat_at: a running sync touches it; a run whose heartbeat stops is failed by
  the next scheduler pass.
- connect_links.revoked_at: disconnect revokes every outstanding link of the connection.
- destinations.url_query: the URL's query string (often the receiver's token), encrypted;
  `url` keeps it with every value redacted.
- ended_sessions: dashboard sessions signed out of, refused until their cookies expire.

Revision ID: 0002_access_sequence
Revises: 0001
Create Date: 2026-12-02 11:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rostersync.store.tables

revision = "0002_access_sequence"
down_revision = "0001"
branch_labels = None
depends_on = None

_WHEN = rostersync.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("access_seq", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("missing_since", _WHEN, nullable=True))
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", _WHEN, nullable=True))
    with op.batch_alter_table("connect_links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", _WHEN, nullable=True))
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("url_query", sa.Text(), nullable=True))
    op.create_table(
        "ended_sessions",
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_ended_sessions")),
    )


def downgrade() -> None:
    with op.batch_alter_table("destinations", schema=None) as batch_op:
        batch_op.drop_column("url_query")
    op.drop_table("ended_sessions")
    with op.batch_alter_table("connect_links", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("missing_since")
        batch_op.drop_column("access_seq")
