"""A tenant's own brand on its connect pages: a product that resells to several brands sets,
per tenant, the product name, logo, colours and support contact; whatever a tenant leaves unset
is the deployment's (Settings.branding), resolved by the pages (web.branding).

The values follow the deployment's rules (settings: a primary colour must reach 4.5:1 against
white, and so on), and a refusal is one line naming the field. The logo is an uploaded image
kept in the database, not an https URL: the pages' CSP allows images from 'self' only, a
remote logo would be fetched by every HR admin's browser from a host nobody checked (or by us,
through the host guard, at every render), and air-gapped sites have no such host. Its type is
read from its first bytes, never from what the caller says it is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from rostersync.connectors import BadInput
from rostersync.settings import Colour, ProductName, ReadableColour, SupportContact
from rostersync.store import Store
from rostersync.store.repos import audit, tenants
from rostersync.store.repos import branding as repo
from rostersync.store.session import transaction
from rostersync.store.tables import TenantBranding

LOGO_MAX_BYTES = 128 * 1024
"""A logo is shown small in a page header, and every connect page's first load carries it."""
LOGO_PATH = "/static/logos/"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_SVG = re.compile(
    rb"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]", re.DOTALL
)


class _Values(BaseModel):
    """The settable fields, under the deployment's rules."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_name: ProductName | None = None
    primary_colour: ReadableColour | None = None
    accent_colour: Colour | None = None
    support_contact: SupportContact = None


@dataclass(frozen=True)
class TenantBrand:
    """What a tenant set; None is "the deployment's"."""

    tenant_id: str
    product_name: str | None = None
    primary_colour: str | None = None
    accent_colour: str | None = None
    support_contact: str | None = None
    logo_path: str | None = None
    """Where the pages load the tenant's logo from: its digest, so no tenant id shows."""
    modified_at: datetime | None = None

    @property
    def is_set(self) -> bool:
        return self.modified_at is not None


def _brand(tenant_id: str, row: TenantBranding | None) -> TenantBrand:
    if row is None:
        return TenantBrand(tenant_id)
    return TenantBrand(
        tenant_id,
        row.product_name,
        row.primary_colour,
        row.accent_colour,
        row.support_contact,
        f"{LOGO_PATH}{row.logo_digest}" if row.logo_digest else None,
        row.modified_at,
    )


def logo_type(image: bytes) -> str:
    """The media type of an uploaded logo, read from its first bytes; BadInput otherwise."""
    if len(image) > LOGO_MAX_BYTES:
        raise BadInput(f"the logo is larger than {LOGO_MAX_BYTES // 1024} KiB")
    if image.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if image.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if image[:4] == b"RIFF" and image[8:12] == b"WEBP":
        return "image/webp"
    if _SVG.match(image[:4096]):
        # Served with a sandboxing CSP (web.branding.LOGO_CSP): opened alone it runs nothing.
        return "image/svg+xml"
    raise BadInput("the logo must be a PNG, JPEG, WebP or SVG image")


def _validated(
    product_name: str | None,
    primary_colour: str | None,
    accent_colour: str | None,
    support_contact: str | None,
) -> _Values:
    try:
        return _Values(
            product_name=product_name,
            primary_colour=primary_colour,
            accent_colour=accent_colour,
            support_contact=support_contact,
        )
    except ValidationError as exc:
        # One line, naming each field: the rule's own words say what would be accepted.
        problems = (
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors(include_url=False)
        )
        raise BadInput("; ".join(problems)) from None


def get_branding(store: Store, tenant_id: str) -> TenantBrand:
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        return _brand(tenant_id, repo.get_branding(session, tenant_id))


def set_branding(
    store: Store,
    tenant_id: str,
    *,
    product_name: str | None = None,
    primary_colour: str | None = None,
    accent_colour: str | None = None,
    support_contact: str | None = None,
    logo: bytes | None = None,
    actor: str,
) -> TenantBrand:
    """Replace the tenant's branding: every field not given falls back to the deployment's.
    Nothing is changed when a value is refused."""
    values = _validated(product_name, primary_colour, accent_colour, support_contact)
    media_type = logo_type(logo) if logo is not None else None
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        row = repo.put_branding(
            session,
            TenantBranding(
                tenant_id=tenant_id,
                **values.model_dump(),
                logo=logo,
                logo_type=media_type,
                logo_digest=hashlib.sha256(logo).hexdigest() if logo is not None else None,
                modified_at=datetime.now(UTC),
            ),
        )
        # Which fields, never their values: the audit log is read more widely than the brand.
        given = [name for name, value in values.model_dump().items() if value is not None]
        audit.record(
            session,
            tenant_id=tenant_id,
            actor=actor,
            action="tenant.branding_set",
            target=tenant_id,
            details={"fields": [*given, *(["logo"] if logo is not None else [])]},
        )
        return _brand(tenant_id, row)


def clear_branding(store: Store, tenant_id: str, *, actor: str) -> None:
    """The tenant's pages show the deployment's brand again."""
    with transaction(store.sessions) as session:
        tenants.get_tenant(session, tenant_id)
        if repo.delete_branding(session, tenant_id):
            audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action="tenant.branding_cleared",
                target=tenant_id,
            )


def logo(store: Store, digest: str) -> tuple[bytes, str] | None:
    """A tenant's logo and its media type, by the digest in its path."""
    if not _DIGEST.fullmatch(digest):
        return None
    with transaction(store.sessions) as session:
        return repo.logo_by_digest(session, digest)
