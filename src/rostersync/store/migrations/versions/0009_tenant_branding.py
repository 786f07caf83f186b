"""Tenant branding (issue 14): a tenant's own product name, logo, colours and support contact on
its connect pages, each falling back to the deployment's when unset.

Revision ID: 0009_tenant_branding
Revises: 0008_link_handoff
Create Date: 2026-12-04 20:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import rostersync.store.tables

revision = "0009_tenant_branding"
down_revision = "0008_link_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_branding",
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("product_name", sa.String(length=60), nullable=True),
        sa.Column("primary_colour", sa.String(length=7), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=True),
        sa.Column("support_contact", sa.String(length=500), nullable=True),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("logo_type", sa.String(length=32), nullable=True),
        sa.Column("logo_digest", sa.String(length=64), nullable=True),
        sa.Column(
            "modified_at", rostersync.store.tables.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_branding_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_branding")),
    )
    with op.batch_alter_table("tenant_branding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tenant_branding_logo_digest"), ["logo_digest"], unique=False
        )


def downgrade() -> None:
    op.drop_table("tenant_branding")
