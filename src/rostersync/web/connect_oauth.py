"""The connect flow for OAuth vendors: the consent page replaces the credential form.

"Continue to <vendor>" starts a consent (a GET, so the CSP's `form-action 'self'` never meets
the cross-origin redirect); the vendor sends the admin back to the one callback path the
operator registers, `/connect/oauth/callback`. The callback is accepted only with the state
this browser was given (sealed in a cookie, bound to its link) and that the store has not
seen used or expired; the code is exchanged, the vendor's own ids are read, and the flow goes
on to the preflight exactly as after a credential form. The admin types nothing.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from rostersync.engine import VendorProfile, catalog, vendor_profile
from rostersync.errors import RostersyncError
from rostersync.services.oauth import (
    CONSENT_LIFETIME,
    Choice,
    Consent,
    ConsentUnavailable,
    Granted,
    OAuthClient,
    begin_consent,
    finish_consent,
    spend_state,
)
from rostersync.settings import Settings
from rostersync.store import DecryptionError, Store
from rostersync.web.connect_state import CookieSite, Csrf, Opened, set_cookie

CALLBACK_PATH = "/connect/oauth/callback"
CONSENT_COOKIE = "rs_oauth"
CHOICE_COOKIE = "rs_oauth_choice"
_CONTEXT = "connect oauth consent"
_CHOICE_CONTEXT = "connect oauth choice"
_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


class Failed(Protocol):
    def __call__(self, status: int, **extra: object) -> HTMLResponse: ...


class Render(Protocol):
    def __call__(
        self, request: Request, template: str, context: dict[str, object], *, status: int = 200
    ) -> HTMLResponse: ...


class OpenLink(Protocol):
    def __call__(
        self, request: Request, token: str, *, confirmed: bool = False
    ) -> Opened | Response: ...


Checked = Callable[[Request, Opened, str, dict[str, str], Failed], Awaitable[HTMLResponse]]


@dataclass(frozen=True)
class Pages:
    """What the connect pages share with these: rendering, opening a link, the preflight."""

    render: Render
    opened: OpenLink
    checked: Checked
    base_url: Callable[[str], str | None]
    not_disclosed: Callable[[Opened, str], Response | None]
    """Back to what will be read, unless this browser was shown it: no consent before that."""
    csrf: Csrf
    refused: Callable[[Request], HTMLResponse]
    """The page for a form that did not come from our own page."""


@dataclass(frozen=True)
class _Sealed:
    """What the admin's browser holds during the consent (encrypted: it carries the link
    token and the PKCE verifier)."""

    token: str
    provider: str
    state: str
    verifier: str | None


@dataclass(frozen=True)
class _Pending:
    """A consent's credentials while the admin chooses the account (sealed, like _Sealed)."""

    provider: str
    fills: str
    """The credential field the chosen account's id goes in."""
    credentials: dict[str, str] = field(repr=False)
    nonce: str = field(repr=False)
    """Binds the choices' values to this consent: a value from another one does not open."""


class OAuthPages:
    def __init__(self, store: Store, settings: Settings, pages: Pages) -> None:
        self._store = store
        self._settings = settings
        self._pages = pages

    def _client(self, provider: str) -> OAuthClient | None:
        app = self._settings.oauth.get(provider)
        if app is None:
            return None
        return OAuthClient(app.client_id, app.client_secret.get_secret_value())

    def _redirect_uri(self, request: Request, provider: str) -> str:
        app = self._settings.oauth.get(provider)
        if app is not None and app.redirect_uri:
            return app.redirect_uri
        return str(request.base_url).rstrip("/") + CALLBACK_PATH

    def start_page(
        self, request: Request, page: Opened, vendor: VendorProfile, *, status: int = 200
    ) -> HTMLResponse:
        """Step 3 for an OAuth vendor: the way to its consent page, or why there is none."""
        configured = self._client(vendor.name) is not None
        context: dict[str, object] = {
            "page": page,
            "step": 3,
            "vendor": vendor,
            "configured": configured,
        }
        return self._pages.render(
            request, "oauth_start.html", context, status=status if configured else 503
        )

    # --- the browser's half of the state ------------------------------------------------

    def _seal(self, response: Response, request: Request, page: Opened, sealed: _Sealed) -> None:
        value = self._store.keyring.encrypt(json.dumps(sealed.__dict__), context=_CONTEXT)
        # Lax, not Strict: the callback is a top-level navigation from the vendor's site, on
        # which a Strict cookie is not sent. In a product's iframe, what every framed cookie is.
        framed = page.cookies is CookieSite.FRAMED
        set_cookie(
            response,
            request,
            CONSENT_COOKIE,
            value,
            path=CALLBACK_PATH,
            max_age=int(CONSENT_LIFETIME.total_seconds()),
            site=CookieSite.FRAMED if framed else CookieSite.LAX,
        )

    def _unseal(self, request: Request) -> _Sealed | None:
        value = request.cookies.get(CONSENT_COOKIE)
        if not value:
            return None
        try:
            data: dict[str, Any] = json.loads(self._store.keyring.decrypt(value, context=_CONTEXT))
            return _Sealed(**data)
        except (DecryptionError, ValueError, TypeError):
            return None

    @staticmethod
    def _forget(response: Response, request: Request, page: Opened | None) -> Response:
        # A partitioned cookie is dropped only by a partitioned Set-Cookie: the page's kind.
        site = page.cookies if page else CookieSite.STRICT
        set_cookie(response, request, CONSENT_COOKIE, "", path=CALLBACK_PATH, max_age=0, site=site)
        return response

    # --- the account to connect, when the consent covers several ----------------------------

    @staticmethod
    def _choice_context(page: Opened, nonce: str) -> str:
        return f"{_CHOICE_CONTEXT}:{page.link_id}:{nonce}"

    def _choose(
        self, request: Request, page: Opened, provider: str, granted: Granted, choice: Choice
    ) -> HTMLResponse:
        pending = _Pending(provider, choice.field, granted.credentials, secrets.token_urlsafe(16))
        context = self._choice_context(page, pending.nonce)
        accounts = [
            (self._store.keyring.encrypt(account.id, context=context), account.name)
            for account in choice.accounts
        ]
        response = self._pages.render(
            request,
            "oauth_choose.html",
            {"page": page, "step": 3, "vendor": vendor_profile(provider), "accounts": accounts},
        )
        sealed = self._store.keyring.encrypt(
            json.dumps(pending.__dict__), context=f"{_CHOICE_CONTEXT}:{page.link_id}"
        )
        set_cookie(
            response,
            request,
            CHOICE_COOKIE,
            sealed,
            path=page.base,
            max_age=int(CONSENT_LIFETIME.total_seconds()),
            site=page.cookies,
        )
        return response

    def _chosen(self, request: Request, page: Opened, provider: str, value: str) -> _Pending | None:
        """The waiting credentials with the chosen account filled in, if the choice is one
        this consent offered."""
        sealed = request.cookies.get(CHOICE_COOKIE)
        if not sealed or not value:
            return None
        keyring = self._store.keyring
        try:
            data: dict[str, Any] = json.loads(
                keyring.decrypt(sealed, context=f"{_CHOICE_CONTEXT}:{page.link_id}")
            )
            pending = _Pending(**data)
            account = keyring.decrypt(value, context=self._choice_context(page, pending.nonce))
        except (DecryptionError, ValueError, TypeError):
            return None
        if pending.provider != provider:
            return None
        credentials = {**pending.credentials, pending.fills: account}
        return _Pending(provider, pending.fills, credentials, pending.nonce)

    # --- pages ------------------------------------------------------------------------------

    def _failed(
        self,
        request: Request,
        page: Opened | None,
        vendor: str,
        reason: str,
        *,
        status: int = 400,
        **extra: object,
    ) -> HTMLResponse:
        context: dict[str, object] = {
            "page": page,
            "step": 3,
            "provider": vendor,
            "display_name": _display_name(vendor),
            "reason": reason,
            **extra,
        }
        response = self._pages.render(request, "oauth_failed.html", context, status=status)
        self._forget(response, request, page)
        return response

    def router(self) -> APIRouter:
        router = APIRouter(include_in_schema=False)
        pages = self._pages

        @router.get("/connect/{token}/hris/{provider}/oauth", response_class=HTMLResponse)
        def start(request: Request, token: str, provider: str) -> Response:
            page = pages.opened(request, token)
            if not isinstance(page, Opened):
                return page
            info = catalog.provider(provider)
            if info is None or not info.uses_oauth:
                return pages.render(
                    request, "unavailable.html", {"state": "unknown_vendor"}, status=404
                )
            back = pages.not_disclosed(page, provider)
            if back is not None:
                return back
            client = self._client(provider)
            if client is None:
                return self.start_page(request, page, vendor_profile(provider))
            consent: Consent = begin_consent(
                self._store,
                link_id=page.link_id,
                provider=provider,
                client=client,
                redirect_uri=self._redirect_uri(request, provider),
                base_url=pages.base_url(provider),
            )
            response = RedirectResponse(consent.url, status_code=303)
            response.headers["cache-control"] = "no-store"
            self._seal(
                response, request, page, _Sealed(token, provider, consent.state, consent.verifier)
            )
            return response

        @router.get(CALLBACK_PATH, response_class=HTMLResponse)
        async def callback(
            request: Request,
            state: str = "",
            code: str = "",
            error: str = "",
        ) -> Response:
            sealed = self._unseal(request)
            if sealed is None:
                return self._failed(request, None, "", "no_session")
            page = pages.opened(request, sealed.token)
            if not isinstance(page, Opened):
                return self._forget(page, request, None)
            if not state or not secrets.compare_digest(state.encode(), sealed.state.encode()):
                # Not the consent this browser began: nothing is spent, nothing is read.
                return self._failed(request, page, sealed.provider, "state_mismatch")
            if error or not code:
                try:
                    spend_state(
                        self._store, link_id=page.link_id, provider=sealed.provider, state=state
                    )
                except RostersyncError:
                    return self._failed(request, page, sealed.provider, "expired")
                reason = "denied" if error == "access_denied" else "vendor_error"
                shown = error if _ERROR_CODE.fullmatch(error) else ""
                return self._failed(request, page, sealed.provider, reason, code=shown)
            client = self._client(sealed.provider)
            if client is None:
                return self._failed(request, page, sealed.provider, "not_configured", status=503)
            try:
                granted = await run_in_threadpool(
                    finish_consent,
                    self._store,
                    link_id=page.link_id,
                    provider=sealed.provider,
                    state=state,
                    code=code,
                    verifier=sealed.verifier,
                    client=client,
                    redirect_uri=self._redirect_uri(request, sealed.provider),
                    base_url=pages.base_url(sealed.provider),
                    allow_loopback=self._settings.allow_loopback,
                )
            except RostersyncError as exc:
                reason = "expired" if isinstance(exc, ConsentUnavailable) else "exchange"
                return self._failed(request, page, sealed.provider, reason, detail=str(exc))

            if granted.choice is not None:
                chooser = self._choose(request, page, sealed.provider, granted, granted.choice)
                return self._forget(chooser, request, page)
            return await self._checked(request, page, sealed.provider, granted.credentials)

        @router.post("/connect/{token}/hris/{provider}/oauth/account", response_class=HTMLResponse)
        async def choose_account(request: Request, token: str, provider: str) -> Response:
            page = pages.opened(request, token)
            if not isinstance(page, Opened):
                return page
            form = await request.form()
            if not pages.csrf.valid(request, str(form.get("csrf_token") or "")):
                return pages.refused(request)
            pending = self._chosen(request, page, provider, str(form.get("account") or ""))
            if pending is None:
                return self._failed(request, page, provider, "no_account", status=422)
            response = await self._checked(request, page, provider, pending.credentials)
            set_cookie(
                response, request, CHOICE_COOKIE, "", path=page.base, max_age=0, site=page.cookies
            )
            return response

        return router

    async def _checked(
        self, request: Request, page: Opened, provider: str, credentials: dict[str, str]
    ) -> Response:
        """The preflight of a consent's credentials, as after a credential form."""

        def failed(status: int, **extra: object) -> HTMLResponse:
            return self._failed(request, page, provider, "preflight", status=status, **extra)

        response = await self._pages.checked(request, page, provider, credentials, failed)
        return self._forget(response, request, page)


def _display_name(provider: str) -> str | None:
    info = catalog.provider(provider)
    return info.display_name if info else None
