"""The tenant dashboard: connection health, held runs to decide, delivery health, headcount,
audit; sync now, connect links, promote, reconnect, disconnect. Who may see what is
web.dashboard_auth; a run's own page is web.dashboard_runs."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from rostersync.errors import RostersyncError
from rostersync.model import Environment
from rostersync.services import apikeys, branding, connections, dashboard, runs, tenants
from rostersync.services.links import IssuedLink, issue_link
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.web.branding import page_brand
from rostersync.web.charts import Bar, bar_chart
from rostersync.web.connect_state import set_cookie
from rostersync.web.dashboard_auth import DashboardAuth, PageNumber, Viewer, page, refused
from rostersync.web.dashboard_runs import runs_router
from rostersync.web.session import COOKIE, LOGIN_COOKIE, TTL_SECONDS, Sessions

LINK_LIFETIMES = {"1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
"""The lifetimes the create-link form offers (a select: no free text to parse)."""

Tenant = Annotated[str | None, Form()]
Csrf = Annotated[str, Form()]


def _chart(title: str, counts: list[tuple[str, int]]) -> Markup:
    return Markup(bar_chart(title, [Bar(k, v) for k, v in counts]))  # noqa: S704 - escaped parts


def _link_page(request: Request, who: Viewer, link: IssuedLink) -> HTMLResponse:
    """The link, shown this once: only its hash is kept. Never the request's Host header for
    its base: the link is sent to a customer (Settings.public_url)."""
    url = link.url(request.app.state.link_base)
    return page(request, "link.html", viewer=who, url=url, link=link)


def dashboard_router(store: Store, settings: Settings) -> APIRouter:
    router = APIRouter(prefix="/dashboard", include_in_schema=False)
    sessions = Sessions(store.keyring.derive("dashboard sessions"))
    auth = DashboardAuth(store, sessions)
    interval = timedelta(seconds=settings.sync_interval_seconds)

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
    def login(request: Request, api_key: Annotated[str, Form()], csrf: Csrf = "") -> Response:
        if not sessions.csrf_ok(request.cookies.get(LOGIN_COOKIE), csrf):
            return login_page(request, "The sign-in form expired; please try again.", status=403)
        key = apikeys.authenticate(store, api_key.strip())
        if key is None:
            return login_page(request, "That API key is unknown or revoked.")
        response = RedirectResponse("/dashboard", status_code=303)
        set_cookie(response, request, COOKIE, sessions.issue(key.id), path="/", max_age=TTL_SECONDS)
        return response

    @router.post("/logout")
    def logout(request: Request, csrf: Csrf) -> Response:
        auth.check_csrf(request, csrf)
        # Deleting the cookie only asks this browser to forget it; a copy must stop working too.
        signed_in = sessions.read(request.cookies.get(COOKIE))
        if signed_in is not None:
            apikeys.sign_out(store, signed_in.nonce, expires_at=signed_in.expires_at)
        response = RedirectResponse("/dashboard/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    @router.get("/tenants", response_class=HTMLResponse)
    def pick_tenant(request: Request, q: str = "", page_no: PageNumber = 1) -> HTMLResponse:
        key = auth.signed_in_key(request)
        if key is None or key.tenant_id is not None:
            raise HTTPException(status_code=404)
        cookie = request.cookies.get(COOKIE) or ""
        listed = tenants.tenant_page(store, search=q, page=page_no)
        return page(request, "tenants.html", listing=listed, csrf=sessions.csrf_token(cookie))

    @router.get("", response_class=HTMLResponse)
    def home(request: Request, tenant: str | None = None, started: str = "") -> HTMLResponse:
        who = auth.viewer(request, tenant)
        shown = dashboard.home(store, who.tenant_id, sync_interval=interval)
        started_on = next((h.connection for h in shown.health if h.connection.id == started), None)
        own = branding.get_branding(store, who.tenant_id)
        return page(
            request,
            "home.html",
            viewer=who,
            home=shown,
            started=started_on,
            lifetimes=LINK_LIFETIMES,
            environments=tuple(Environment),
            departments=_chart("People with access by department", shown.by_department),
            countries=_chart("People with access by country", shown.by_country),
            own_brand=own,
            brand=page_brand(settings.branding, own).branding,
        )

    @router.post("/connections/{connection_id}/sync")
    def sync_now(
        request: Request, connection_id: str, csrf: Csrf, tenant: Tenant = None
    ) -> Response:
        who = auth.posted_by(request, csrf, tenant)
        try:
            runs.start_sync(
                store,
                connection_id,
                tenant_id=who.tenant_id,
                allow_loopback=settings.allow_loopback,
                actor=who.actor,
            )
        except RostersyncError as error:
            raise refused(error) from None
        joiner = "&" if who.is_admin else "?"
        return RedirectResponse(f"{who.home}{joiner}started={connection_id}", status_code=303)

    @router.post("/connections/{connection_id}/promote")
    def promote(
        request: Request, connection_id: str, csrf: Csrf, tenant: Tenant = None
    ) -> Response:
        who = auth.posted_by(request, csrf, tenant)
        try:
            connections.promote(store, connection_id, tenant_id=who.tenant_id, actor=who.actor)
        except RostersyncError as error:
            raise refused(error) from None
        return RedirectResponse(who.home, status_code=303)

    @router.post("/links", response_class=HTMLResponse)
    def create_link(
        request: Request,
        csrf: Csrf,
        environment: Annotated[Environment, Form()] = Environment.PRODUCTION,
        expires: Annotated[str, Form()] = "7d",
        tenant: Tenant = None,
    ) -> HTMLResponse:
        """A connect link for the tenant's HR admin, to connect an HR system."""
        who = auth.posted_by(request, csrf, tenant)
        if expires not in LINK_LIFETIMES:
            raise HTTPException(status_code=422, detail="choose one of the offered lifetimes")
        link = issue_link(
            store,
            tenant_id=who.tenant_id,
            environment=environment,
            lifetime=LINK_LIFETIMES[expires],
            actor=who.actor,
        )
        return _link_page(request, who, link)

    @router.post("/connections/{connection_id}/reconnect", response_class=HTMLResponse)
    def reconnect(
        request: Request, connection_id: str, csrf: Csrf, tenant: Tenant = None
    ) -> HTMLResponse:
        """A connect link that renews this connection's credentials, for the HR admin."""
        who = auth.posted_by(request, csrf, tenant)
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
            raise refused(error) from None
        return _link_page(request, who, link)

    @router.get("/connections/{connection_id}/disconnect", response_class=HTMLResponse)
    def confirm_disconnect(
        request: Request, connection_id: str, tenant: str | None = None
    ) -> HTMLResponse:
        who = auth.viewer(request, tenant)
        connection = connections.get_connection(store, connection_id, tenant_id=who.tenant_id)
        return page(request, "disconnect.html", viewer=who, connection=connection)

    @router.post("/connections/{connection_id}/disconnect")
    def disconnect(
        request: Request,
        connection_id: str,
        csrf: Csrf,
        confirm: Annotated[str, Form()] = "",
        tenant: Tenant = None,
    ) -> Response:
        who = auth.posted_by(request, csrf, tenant)
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
        return RedirectResponse(who.home, status_code=303)

    router.include_router(runs_router(store, auth))
    return router
