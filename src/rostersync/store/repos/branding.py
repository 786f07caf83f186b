"""Tenant branding: at most one row per tenant, replaced whole when it is set."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rostersync.store.tables import TenantBranding


def get_branding(session: Session, tenant_id: str) -> TenantBranding | None:
    return session.get(TenantBranding, tenant_id)


def put_branding(session: Session, row: TenantBranding) -> TenantBranding:
    """Replace the tenant's branding by `row` (a new, unsaved row)."""
    merged = session.merge(row)
    session.flush()
    return merged


def delete_branding(session: Session, tenant_id: str) -> bool:
    """Remove the tenant's branding; False if it had none."""
    row = session.get(TenantBranding, tenant_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def logo_by_digest(session: Session, digest: str) -> tuple[bytes, str] | None:
    """A logo and its media type by its SHA-256: logos are public (every link shows them)."""
    found = session.execute(
        select(TenantBranding.logo, TenantBranding.logo_type)
        .where(TenantBranding.logo_digest == digest)
        .limit(1)
    ).first()
    if found is None or found.logo is None or found.logo_type is None:
        return None
    return found.logo, found.logo_type
