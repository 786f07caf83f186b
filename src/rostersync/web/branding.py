"""The deployment's brand on the customer pages: a generated stylesheet and the logo.

Both are served from our own origin under neutral paths (the pages' CSP allows styles and
images from 'self' only, and a customer should not see our name in an address either); the
logo file is read once when the app is built, never fetched while a page renders.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from rostersync.settings import LOGO_TYPES, Branding

STYLESHEET = "/static/brand.css"
# A logo may be an SVG: opened on its own it must not run script in our origin.
LOGO_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


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


def branding_router(branding: Branding) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    css = stylesheet(branding)

    @router.get(STYLESHEET)
    def brand_css() -> Response:
        return Response(css, media_type="text/css", headers={"cache-control": "no-cache"})

    path = logo_path(branding)
    if branding.logo_file is not None and path is not None:
        image = branding.logo_file.read_bytes()
        media_type = LOGO_TYPES[branding.logo_file.suffix.lower()]

        @router.get(path)
        def logo() -> Response:
            headers = {"cache-control": "no-cache", "content-security-policy": LOGO_CSP}
            return Response(image, media_type=media_type, headers=headers)

    return router
