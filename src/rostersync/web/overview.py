"""The demo's operator overview: how to get in, then tenants, connections, synced people, runs
and deliveries.

Mounted by `rostersync demo` only: it shows every tenant, and the demo's admin key and connect
link, which is right for the operator of a local demo (served on 127.0.0.1) and wrong anywhere
else (the tenant dashboard comes with login).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rostersync.services.dashboard import overview
from rostersync.store import Store

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class DemoAccess:
    """What the demo's start-up banner says, so it cannot scroll away: also on the overview."""

    base_url: str
    admin_key: str
    """Signs in to the dashboard for every tenant; a new one each start (the last is revoked)."""
    connect_link: str | None
    """None once the second tenant is connected."""
    data_dir: str
    sync_every: int


def overview_router(
    store: Store, *, receiver_path: str | None, access: DemoAccess | None = None
) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def page(request: Request) -> HTMLResponse:
        response = TEMPLATES.TemplateResponse(
            request,
            "overview.html",
            {"tenants": overview(store), "receiver_path": receiver_path, "access": access},
        )
        # It may show the admin key: no cache keeps a copy.
        response.headers["cache-control"] = "no-store"
        return response

    return router
