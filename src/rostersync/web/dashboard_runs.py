"""A run's own page (every action, everyone who needs a person and why) and the decision on
a held run."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rostersync.errors import RostersyncError
from rostersync.services import approvals, run_detail
from rostersync.store import Store
from rostersync.web.dashboard_auth import DashboardAuth, PageNumber, page, refused


def runs_router(store: Store, auth: DashboardAuth) -> APIRouter:
    router = APIRouter()

    @router.get("/runs/{run_id}", response_class=HTMLResponse)
    def run(
        request: Request, run_id: str, tenant: str | None = None, page_no: PageNumber = 1
    ) -> HTMLResponse:
        who = auth.viewer(request, tenant)
        try:
            shown = run_detail.run_page(store, run_id, tenant_id=who.tenant_id, page=page_no)
        except RostersyncError as error:
            raise refused(error) from None
        return page(request, "run.html", viewer=who, shown=shown)

    @router.post("/runs/{run_id}/{decision}")
    def decide_run(
        request: Request,
        run_id: str,
        decision: str,
        csrf: Annotated[str, Form()],
        tenant: Annotated[str | None, Form()] = None,
    ) -> Response:
        who = auth.posted_by(request, csrf, tenant)
        if decision not in ("approve", "reject"):
            raise HTTPException(status_code=404)
        try:
            approvals.decide(
                store,
                run_id,
                approve=decision == "approve",
                tenant_id=who.tenant_id,
                actor=who.actor,
            )
        except RostersyncError as error:
            raise refused(error) from None
        return RedirectResponse(who.home, status_code=303)

    return router
