"""Who is looking at the dashboard, and the pages they get.

Login is with an API key (a tenant key sees its tenant; an admin key picks one with
`?tenant=`); the session is a signed cookie (web.session) re-checked against the key, and
against the sessions signed out of, on every request. Every form carries a CSRF token bound to
the session; the login form, before there is one, a token bound to a random cookie of the
browser (login CSRF).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from rostersync.errors import RostersyncError
from rostersync.services import apikeys, tenants
from rostersync.services.apikeys import ApiKeyInfo
from rostersync.store import Store
from rostersync.web.labels import BAD, ERROR_WORDS, QUIET, audit_words, label
from rostersync.web.session import COOKIE, Sessions

PageNumber = Annotated[int, Query(alias="page", ge=1, le=1_000_000)]
"""A page of a long list, from 1."""

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.filters["label"] = label
TEMPLATES.env.filters["audit_words"] = audit_words
TEMPLATES.env.globals["ERROR_WORDS"] = ERROR_WORDS
TEMPLATES.env.globals["BAD"] = BAD
TEMPLATES.env.globals["QUIET"] = QUIET


def _when(at: datetime | None, missing: str = "not yet") -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else missing


TEMPLATES.env.filters["when"] = _when


@dataclass(frozen=True)
class Viewer:
    key_id: str
    tenant_id: str
    is_admin: bool
    csrf: str

    @property
    def actor(self) -> str:
        return f"dashboard:{self.key_id}"

    @property
    def query(self) -> str:
        """What each link of an admin's pages carries to stay on the tenant it shows."""
        return f"?tenant={self.tenant_id}" if self.is_admin else ""

    @property
    def home(self) -> str:
        return f"/dashboard{self.query}"


@dataclass(frozen=True)
class DashboardAuth:
    store: Store
    sessions: Sessions

    def signed_in_key(self, request: Request) -> ApiKeyInfo | None:
        """The key of a session neither expired nor signed out of, if it is not revoked."""
        signed_in = self.sessions.read(request.cookies.get(COOKIE))
        if signed_in is None:
            return None
        return apikeys.signed_in_key(self.store, signed_in.key_id, signed_in.nonce)

    def viewer(self, request: Request, tenant: str | None = None) -> Viewer:
        """The signed-in viewer of `tenant` (a tenant key: its own; another is not found)."""
        cookie = request.cookies.get(COOKIE)
        key = self.signed_in_key(request)
        if key is None or cookie is None:
            raise HTTPException(status_code=303, headers={"Location": "/dashboard/login"})
        if key.tenant_id is not None:
            if tenant not in (None, key.tenant_id):
                raise HTTPException(status_code=404)
            tenant_id = key.tenant_id
        elif tenant is not None:
            tenant_id = tenants.get_tenant(self.store, tenant).id
        else:
            raise HTTPException(status_code=303, headers={"Location": "/dashboard/tenants"})
        return Viewer(key.id, tenant_id, key.tenant_id is None, self.sessions.csrf_token(cookie))

    def check_csrf(self, request: Request, token: str) -> None:
        if not self.sessions.csrf_ok(request.cookies.get(COOKIE), token):
            raise HTTPException(status_code=403, detail="the form expired; reload the page")

    def posted_by(self, request: Request, csrf: str, tenant: str | None) -> Viewer:
        """The viewer of a form post, once its CSRF token is checked."""
        who = self.viewer(request, tenant)
        self.check_csrf(request, csrf)
        return who


def refused(error: RostersyncError) -> HTTPException:
    """A service's refusal as the answer to a page or form."""
    return HTTPException(status_code=404 if error.code == "not_found" else 409, detail=str(error))


def page(request: Request, name: str, *, status: int = 200, **context: object) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, f"dashboard/{name}", context, status)
