"""The tenant dashboard: connection health, runs, held runs to decide, headcount, audit, disconnect.

Login is with an API key (a tenant key sees its tenant; an admin key picks one with
`?tenant=`); the session is a signed cookie (web.session) re-checked against the key, and
against the sessions signed out of, on every request. Every form carries a CSRF token bound to
the session; the login form, before there is one, a token bound to a random cookie of the
browser (login CSRF).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from rostersync.errors import RostersyncError
from rostersync.model import Environment
from rostersync.services import apikeys, approvals, connections, dashboard, tenants
from rostersync.services.apikeys import ApiKeyInfo
from rostersync.services.links import issue_link
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.web.charts import Bar, bar_chart
from rostersync.web.connect_state import set_cookie
from rostersync.web.session import COOKIE, LOGIN_COOKIE, TTL_SECONDS, Sessions

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

PLAIN_WORDS = {
    "auth_revoked": "The HR system no longer accepts the credentials (changed or revoked). "
    "Reconnect to resume syncing; nobody was removed.",
    "permission_denied": "The HR system's API user lacks a permission. Check the set-up steps, "
    "then reconnect; nobody was removed.",
    "vendor_unavailable": "The HR system did not answer. rostersync will try again.",
    "rate_limited": "The HR system asked us to slow down. rostersync will try again later.",
    "bad_payload": "The HR system sent a response we could not read, so nothing was changed.",
    "connection_not_active": "This connection is not active, so it was not synced.",
    "run_held": "An earlier run is waiting for your approval below.",
}


@dataclass(frozen=True)
class Viewer:
    key_id: str
    tenant_id: str
    is_admin: bool
    csrf: str

    @property
    def actor(self) -> str:
        return f"dashboard:{self.key_id}"


def _chart(title: str, counts: list[tuple[str, int]]) -> Markup:
    return Markup(bar_chart(title, [Bar(k, v) for k, v in counts]))  # noqa: S704 - escaped parts


def dashboard_router(store: Store, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/dashboard", include_in_schema=False)
    sessions = Sessions(store.keyring.derive("dashboard sessions"))

    def signed_in_key(cookie: str | None) -> ApiKeyInfo | None:
        """The key of a session neither expired nor signed out of, if it is not revoked."""
        signed_in = sessions.read(cookie)
        if signed_in is None:
            return None
        return apikeys.signed_in_key(store, signed_in.key_id, signed_in.nonce)

    def viewer(request: Request, tenant: str | None = None) -> Viewer:
        cookie = request.cookies.get(COOKIE)
        key = signed_in_key(cookie)
        if key is None or cookie is None:
            raise HTTPException(status_code=303, headers={"Location": "/dashboard/login"})
        if key.tenant_id is not None:
            if tenant not in (None, key.tenant_id):
                raise HTTPException(status_code=404)
            tenant_id = key.tenant_id
        elif tenant is not None:
            tenant_id = tenants.get_tenant(store, tenant).id
        else:
            raise HTTPException(status_code=303, headers={"Location": "/dashboard/tenants"})
        return Viewer(key.id, tenant_id, key.tenant_id is None, sessions.csrf_token(cookie))

    def check_csrf(request: Request, token: str) -> None:
        if not sessions.csrf_ok(request.cookies.get(COOKIE), token):
            raise HTTPException(status_code=403, detail="the form expired; reload the page")

    def page(request: Request, name: str, *, status: int = 200, **context: object) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, f"dashboard/{name}", context, status)

    def login_page(request: Request, error: str | None, *, status: int = 200) -> HTMLResponse:
        """A page elsewhere can make a browser post a key of the attacker's (login CSRF), but
        can neither read this browser's cookie nor compute the token bound to it."""
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        response = page(
            request, "login.html", status=status, error=error, csrf=sessions.csrf_token(nonce)
        )
        set_cookie(
            response, request, LOGIN_COOKIE, nonce, path="/dashboard/login", max_age=TTL_SECONDS
        )
        return response

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return login_page(request, None)

    @router.post("/login")
    def login(
        request: Request, api_key: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
    ) -> Response:
        if not sessions.csrf_ok(request.cookies.get(LOGIN_COOKIE), csrf):
            return login_page(request, "The sign-in form expired; please try again.", status=403)
        key = apikeys.authenticate(store, api_key.strip())
        if key is None:
            return login_page(request, "That API key is unknown or revoked.")
        response = RedirectResponse("/dashboard", status_code=303)
        set_cookie(response, request, COOKIE, sessions.issue(key.id), path="/", max_age=TTL_SECONDS)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
        check_csrf(request, csrf)
        # Deleting the cookie only asks this browser to forget it; a copy must stop working too.
        signed_in = sessions.read(request.cookies.get(COOKIE))
        if signed_in is not None:
            apikeys.sign_out(store, signed_in.nonce, expires_at=signed_in.expires_at)
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @router.get("/tenants", response_class=HTMLResponse)
    def pick_tenant(request: Request) -> HTMLResponse:
        key = signed_in_key(request.cookies.get(COOKIE))
        if key is None or key.tenant_id is not None:
            raise HTTPException(status_code=404)
        rows = [(t.id, t.name) for t in tenants.list_tenants(store)]
        return page(request, "tenants.html", tenants=rows)

    @router.get("", response_class=HTMLResponse)
    def home(request: Request, tenant: str | None = None) -> HTMLResponse:
        who = viewer(request, tenant)
        shown = dashboard.home(
            store, who.tenant_id, sync_interval=timedelta(seconds=settings.sync_interval_seconds)
        )
        return page(
            request,
            "home.html",
            viewer=who,
            home=shown,
            plain=PLAIN_WORDS,
            departments=_chart("People with access by department", shown.by_department),
            countries=_chart("People with access by country", shown.by_country),
        )

    def _back(who: Viewer) -> str:
        return "/dashboard" + (f"?tenant={who.tenant_id}" if who.is_admin else "")

    @router.post("/runs/{run_id}/{decision}")
    def decide_run(
        request: Request,
        run_id: str,
        decision: str,
        csrf: Annotated[str, Form()],
        tenant: Annotated[str | None, Form()] = None,
    ) -> Response:
        who = viewer(request, tenant)
        check_csrf(request, csrf)
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
            raise HTTPException(status_code=404 if error.code == "not_found" else 409) from None
        return RedirectResponse(_back(who), status_code=303)

    @router.post("/connections/{connection_id}/promote")
    def promote(
        request: Request,
        connection_id: str,
        csrf: Annotated[str, Form()],
        tenant: Annotated[str | None, Form()] = None,
    ) -> Response:
        who = viewer(request, tenant)
        check_csrf(request, csrf)
        try:
            connections.promote(store, connection_id, tenant_id=who.tenant_id, actor=who.actor)
        except RostersyncError as error:
            raise HTTPException(status_code=404 if error.code == "not_found" else 409) from None
        return RedirectResponse(_back(who), status_code=303)

    @router.post("/connections/{connection_id}/reconnect", response_class=HTMLResponse)
    def reconnect(
        request: Request,
        connection_id: str,
        csrf: Annotated[str, Form()],
        tenant: Annotated[str | None, Form()] = None,
    ) -> HTMLResponse:
        """A connect link that renews this connection's credentials, for the HR admin."""
        who = viewer(request, tenant)
        check_csrf(request, csrf)
        try:
            link = issue_link(
                store,
                tenant_id=who.tenant_id,
                environment=Environment.PRODUCTION,
                lifetime=timedelta(days=7),
                actor=who.actor,
                reconnect=connection_id,
            )
        except RostersyncError as error:
            raise HTTPException(status_code=404 if error.code == "not_found" else 409) from None
        # Never the request's Host header: the link is sent to a customer (Settings.public_url).
        base: str = request.app.state.link_base
        return page(request, "reconnect.html", viewer=who, url=link.url(base), link=link)

    @router.get("/connections/{connection_id}/disconnect", response_class=HTMLResponse)
    def confirm_disconnect(
        request: Request, connection_id: str, tenant: str | None = None
    ) -> HTMLResponse:
        who = viewer(request, tenant)
        connection = connections.get_connection(store, connection_id, tenant_id=who.tenant_id)
        return page(request, "disconnect.html", viewer=who, connection=connection)

    @router.post("/connections/{connection_id}/disconnect")
    def disconnect(
        request: Request,
        connection_id: str,
        csrf: Annotated[str, Form()],
        confirm: Annotated[str, Form()] = "",
        tenant: Annotated[str | None, Form()] = None,
    ) -> Response:
        who = viewer(request, tenant)
        check_csrf(request, csrf)
        connection = connections.get_connection(store, connection_id, tenant_id=who.tenant_id)
        provider = connection.provider
        if confirm.strip().lower() != provider:
            return page(
                request,
                "disconnect.html",
                viewer=who,
                connection=connection,
                error=f"Type {provider} to confirm.",
            )
        connections.disconnect(store, connection_id, tenant_id=who.tenant_id, actor=who.actor)
        return RedirectResponse(_back(who), status_code=303)

    return router
