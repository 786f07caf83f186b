"""The OpenAPI docs (/docs: Swagger UI, /redoc: ReDoc) from files we serve ourselves.

FastAPI's own pages load their scripts from a CDN and start Swagger UI with an inline script:
the CSP (security.py) refuses both, and an air-gapped site has no CDN. The bundles come from
the fastapi-offline package; our pages load them, and Swagger UI's start-up, as files.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from rostersync.web.security import HEADERS

BUNDLES = Path(fastapi_offline.__file__).parent / "static"
OURS = Path(__file__).parent / "static"
FILES = {
    "swagger-ui-bundle.js": (BUNDLES, "text/javascript"),
    "swagger-ui.css": (BUNDLES, "text/css"),
    "swagger-init.js": (OURS, "text/javascript"),
    "docs.css": (OURS, "text/css"),
}
REDOC = BUNDLES / "redoc.standalone.js"
# ReDoc's menu shows Redocly's logo from their CDN, which the CSP refuses (and an air-gapped
# site cannot reach): the bundle we serve draws an empty image there instead.
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
NO_LOGO = b"\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E\""
# ReDoc styles itself with <style> elements it writes at run time: styled-components' empty
# one (filled through CSSOM, which the CSP does not govern) and perfect-scrollbar's stylesheet.
# Their hashes admit exactly those two, and on /redoc only; tests/e2e/test_docs.py fails if a
# new bundle writes others.
REDOC_STYLES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)
REDOC_CSP = HEADERS["content-security-policy"].replace(
    "style-src 'self'", " ".join(("style-src 'self'", *REDOC_STYLES))
)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@cache
def _redoc_bundle() -> bytes:
    bundle = REDOC.read_bytes()
    if REDOC_LOGO not in bundle:
        raise RuntimeError(f"{REDOC} no longer loads Redocly's logo from their CDN: see docs.py")
    return bundle.replace(REDOC_LOGO, NO_LOGO)


def docs_router(*, title: str, openapi_url: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, template: str) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        values = {
            "title": title,
            "openapi_url": f"{root}{openapi_url}",
            "static": f"{root}/static/docs",
        }
        return TEMPLATES.TemplateResponse(request, template, values)

    @router.get("/docs", response_class=HTMLResponse)
    def swagger(request: Request) -> HTMLResponse:
        return page(request, "docs/swagger.html")

    @router.get("/redoc", response_class=HTMLResponse)
    def redoc(request: Request) -> HTMLResponse:
        response = page(request, "docs/redoc.html")
        response.headers["content-security-policy"] = REDOC_CSP
        return response

    @router.get("/static/docs/redoc.standalone.js")
    def redoc_bundle() -> Response:
        return Response(_redoc_bundle(), media_type="text/javascript")

    @router.get("/static/docs/{name}")
    def static(name: str) -> Response:
        if name not in FILES:
            return Response(status_code=404)
        folder, media_type = FILES[name]
        return FileResponse(folder / name, media_type=media_type)

    return router
