"""The deployment's brand on the customer pages: a generated stylesheet and the logo.

Both are served from our own origin under neutral paths (the pages' CSP allows styles and
images from 'self' only, and a customer should not see our name in an address either); the
logo file is read once when the app is built, never fetched while a page renders.

A tenant may have its own brand (services.branding): `page_brand` lays it over the
deployment's, field by field. Its colours come from a stylesheet whose path carries them (checked
again when it is served, so no other CSS can be asked for) and its logo from the database by its
digest: still 'self', no inline style to allow in the CSP, and no tenant id in an address.

The vendors' set-up guides, credential hints and preflight messages are written in our name
("create a service user named 'rostersync'"); `Rebrand` puts the product's name in their place
before a page shows them, after they are translated (their msgids are the English text, and
every translation keeps our name where the English has it). The exact requests are left exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from rostersync.engine import PreflightResult, ProviderInfo, VendorProfile
from rostersync.services import branding as tenant_branding
from rostersync.services.branding import TenantBrand
from rostersync.services.runs import Progress
from rostersync.settings import LOGO_TYPES, Branding, Colour, ReadableColour
from rostersync.store import Store
from rostersync.web.vendor_text import reword

STYLESHEET = "/static/brand.css"
# A logo may be an SVG: opened on its own it must not run script in our origin.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


OUR_NAME = re.compile("rostersync", re.IGNORECASE)
# In an identifier (Workday's ISU_rostersync) the product's name must stay an identifier.
OUR_NAME_IN_IDENTIFIER = re.compile("(?<=_)rostersync", re.IGNORECASE)


class Rebrand:
    """The product's name wherever vendor-facing text names us."""

    def __init__(self, branding: Branding) -> None:
        self.branding = branding

    @cached_property
    def identifier(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "_", self.branding.product_name).strip("_").lower()
        return slug or "integration"

    def text(self, value: str) -> str:
        value = OUR_NAME_IN_IDENTIFIER.sub(self.identifier, value)
        return OUR_NAME.sub(self.branding.product_name, value)

    def value(self, value: object) -> object:
        """A page's context value, rebranded where it carries vendor or engine text."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, VendorProfile | ProviderInfo):
            return reword(value, self.text)
        if isinstance(value, PreflightResult):
            checks = tuple(
                replace(c, values=tuple((k, self.text(v)) for k, v in c.values))
                for c in value.checks
            )
            return replace(value, checks=checks)
        if isinstance(value, Progress):
            return self.progress(value)
        return value

    def progress(self, value: Progress) -> Progress:
        return replace(value, detail=self.text(value.detail))

    def context(self, context: dict[str, object]) -> dict[str, object]:
        return {key: self.value(value) for key, value in context.items()}


def stylesheet(branding: Branding) -> str:
    """Custom properties that connect.css reads; both values are validated hex colours."""
    return (
        f":root {{ --accent: {branding.primary_colour}; "
        f"--brand-band: {branding.accent_colour}; }}\n"
    )


def logo_path(branding: Branding) -> str | None:
    if branding.logo_file is None:
        return None
    return f"/static/logo{branding.logo_file.suffix.lower()}"


class _Colours(BaseModel):
    """A tenant's colours, as a stylesheet's path carries them: the rules they were set under."""

    primary_colour: ReadableColour
    accent_colour: Colour


def _colours_path(branding: Branding) -> str:
    return f"/static/brand/{branding.primary_colour[1:]}-{branding.accent_colour[1:]}.css"


@dataclass(frozen=True)
class PageBrand:
    """The brand one page shows: a tenant's own values, the deployment's where it set none."""

    branding: Branding
    logo_path: str | None
    stylesheet: str

    def context(self) -> dict[str, object]:
        return {"brand": self.branding, "logo_path": self.logo_path, "brand_css": self.stylesheet}


def page_brand(deployment: Branding, own: TenantBrand | None = None) -> PageBrand:
    if own is None:
        return PageBrand(deployment, logo_path(deployment), STYLESHEET)
    overrides = {
        name: value
        for name in ("product_name", "primary_colour", "accent_colour", "support_contact")
        if (value := getattr(own, name)) is not None
    }
    # Validated when the tenant set them (services.branding), under the same rules.
    branding = deployment.model_copy(update=overrides)
    same_colours = (branding.primary_colour, branding.accent_colour) == (
        deployment.primary_colour,
        deployment.accent_colour,
    )
    return PageBrand(
        branding,
        own.logo_path or logo_path(deployment),
        STYLESHEET if same_colours else _colours_path(branding),
    )


def branding_router(branding: Branding, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    css = stylesheet(branding)

    @router.get(STYLESHEET)
    def brand_css() -> Response:
        return Response(css, media_type="text/css", headers={"cache-control": "no-cache"})

    @router.get("/static/brand/{primary}-{accent}.css")
    def tenant_css(primary: str, accent: str) -> Response:
        try:
            colours = _Colours(primary_colour=f"#{primary}", accent_colour=f"#{accent}")
        except ValidationError:
            raise HTTPException(status_code=404, detail="not found") from None
        body = stylesheet(branding.model_copy(update=colours.model_dump()))
        # The path is the content: it never changes.
        headers = {"cache-control": "public, max-age=86400, immutable"}
        return Response(body, media_type="text/css", headers=headers)

    @router.get(tenant_branding.LOGO_PATH + "{digest}")
    def tenant_logo(digest: str) -> Response:
        found = tenant_branding.logo(store, digest)
        if found is None:
            raise HTTPException(status_code=404, detail="not found")
        image, media_type = found
        headers = {
            "cache-control": "public, max-age=86400, immutable",
            "content-security-policy": LOGO_CSP,
        }
        return Response(image, media_type=media_type, headers=headers)

    path = logo_path(branding)
    if branding.logo_file is not None and path is not None:
        image = branding.logo_file.read_bytes()
        media_type = LOGO_TYPES[branding.logo_file.suffix.lower()]

        @router.get(path)
        def logo() -> Response:
            headers = {"cache-control": "no-cache", "content-security-policy": LOGO_CSP}
            return Response(image, media_type=media_type, headers=headers)

    return router
