"""The demo's operator overview: tenants, connections, synced people, runs and deliveries.

Mounted by `rostersync demo` only: it shows every tenant, which is right for the operator of
a local demo and wrong anywhere else (the tenant dashboard comes with login).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rostersync.services.dashboard import overview
from rostersync.store import Store

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def overview_router(store: Store, *, receiver_path: str | None) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(
            request,
            "overview.html",
            {"tenants": overview(store), "receiver_path": receiver_path},
        )

    return router
