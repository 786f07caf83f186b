"""The pages' own CSS and script, served as files so the CSP needs no inline allowance."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

STATIC = Path(__file__).parent / "static"
TYPES = {
    "rostersync.css": "text/css",
    "connect.css": "text/css",
    "connect.js": "text/javascript",
    "connect-embed.js": "text/javascript",
    "connect-handoff.js": "text/javascript",
}

router = APIRouter(include_in_schema=False)


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name not in TYPES:
        return Response(status_code=404)
    return FileResponse(STATIC / name, media_type=TYPES[name])
