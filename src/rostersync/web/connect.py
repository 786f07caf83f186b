"""The connect flow: the pages a customer's HR admin follows from a connect link.

1 choose the HRIS, 2 its set-up steps, 3 the credential form, 4 the preflight, 5 the
verification screen (from the model's allowlist), 6 confirm and watch the first sync, 7 finish.
Every page works without JavaScript; the static script only filters the grid and streams the
progress (server-sent events) instead of the refresh fallback.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import (
    HTMLResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.concurrency import run_in_threadpool

from rostersync.engine import VendorProfile, catalog, run_preflight, vendor_profile
from rostersync.errors import RostersyncError
from rostersync.model import ALLOWLIST, NOT_ACCESSED, RecordType
from rostersync.services.links import LinkState, LinkUnavailable, complete, open_link
from rostersync.services.runs import Progress, first_sync_progress, sync_now
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.web.branding import Rebrand, branding_router, logo_path
from rostersync.web.connect_state import Csrf, Flow, FlowCookie, SubmissionLimit, set_cookie
from rostersync.web.i18n import COOKIE, language_of, parse_language, templates

log = logging.getLogger("rostersync.web.connect")

UNAVAILABLE_STATUS = {
    LinkState.EXPIRED: 410,
    LinkState.USED: 410,
    LinkState.REVOKED: 410,
    LinkState.UNKNOWN: 404,
}
# Stricter than the app-wide policy: these pages carry no inline style either, and the token
# in their URL must not leak through any other origin.
CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass(frozen=True)
class Opened:
    """A link that may be used on this request, and where its admin has got to."""

    link_id: str
    tenant_id: str
    tenant_name: str
    environment: str
    token: str
    flow: Flow | None
    expires_at: datetime | None = None

    @property
    def base(self) -> str:
        return f"/connect/{self.token}"


def _events(store: Store, connection_id: str, tenant_id: str, rebrand: Rebrand) -> Iterator[str]:
    last: Progress | None = None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        now = rebrand.progress(first_sync_progress(store, connection_id, tenant_id=tenant_id))
        if now != last:
            yield f"event: progress\ndata: {json.dumps(asdict(now))}\n\n"
            last = now
        if now.finished:
            return
        time.sleep(0.5)


@dataclass(frozen=True)
class SandboxTarget:
    """Demo only: a vendor's emulator, and the made-up credentials it accepts (shown on the
    credential form, since they guard nothing but synthetic people)."""

    base_url: str
    credentials: Mapping[str, str]


def connect_router(
    store: Store, settings: Settings, *, sandboxes: Mapping[str, SandboxTarget] | None = None
) -> APIRouter:
    """The connect pages. `sandboxes` (demo only) points those vendors at their emulators;
    every other vendor is reached at its documented host."""
    router = APIRouter(include_in_schema=False)
    router.include_router(branding_router(settings.branding))
    brand = {"brand": settings.branding, "logo_path": logo_path(settings.branding)}
    rebrand = Rebrand(settings.branding)
    csrf = Csrf(store)
    flows = FlowCookie(store)
    limit = SubmissionLimit()
    demo = dict(sandboxes or {})

    def base_url(provider: str) -> str | None:
        target = demo.get(provider)
        return target.base_url if target else None

    def render(
        request: Request, template: str, context: dict[str, object], *, status: int = 200
    ) -> HTMLResponse:
        form_token, nonce = csrf.token(request)
        language = language_of(request)
        response = templates(language).TemplateResponse(
            request,
            f"connect/{template}",
            {
                **rebrand.context(context),
                **brand,
                "csrf_token": form_token,
                "here": request.url.path,
            },
            status,
        )
        response.headers["cache-control"] = "no-store"
        response.headers["content-security-policy"] = CSP
        response.headers["content-language"] = language.value
        response.headers["vary"] = "accept-language, cookie"
        Csrf.remember(response, request, nonce)
        if parse_language(request.query_params.get("lang")) is language:
            # The link chose it: keep it on the pages that follow.
            set_cookie(response, request, COOKIE, language.value, path="/connect", max_age=86400)
        return response

    def opened(request: Request, token: str, *, confirmed: bool = False) -> Opened | Response:
        """The link, or the page saying why it cannot be used (after confirming: the same
        browser may still watch the progress of the link it used)."""
        link = open_link(store, token)
        flow = flows.read(request, link.link_id) if link.link_id else None
        own_use = (
            confirmed
            and flow is not None
            and flow.connection_id is not None
            and flow.connection_id == link.connection_id
        )
        if (
            link.link_id is None
            or link.tenant_id is None
            or (link.state is not LinkState.VALID and not own_use)
        ):
            return render(
                request,
                "unavailable.html",
                {"state": link.state.value},
                status=UNAVAILABLE_STATUS[link.state],
            )
        return Opened(
            link.link_id,
            link.tenant_id,
            link.tenant_name,
            link.environment,
            token,
            flow,
            link.expires_at,
        )

    def refused(request: Request) -> HTMLResponse:
        return render(request, "unavailable.html", {"state": "forbidden"}, status=403)

    @router.get("/connect/{token}", response_class=HTMLResponse)
    def choose(request: Request, token: str, q: str = "") -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        wanted = q.strip().lower()
        providers = [p for p in catalog.providers() if wanted in p.display_name.lower()]
        return render(
            request, "choose.html", {"page": page, "step": 1, "providers": providers, "q": q}
        )

    def unknown_vendor(request: Request) -> HTMLResponse:
        return render(request, "unavailable.html", {"state": "unknown_vendor"}, status=404)

    def profile(provider: str) -> VendorProfile | None:
        try:
            return vendor_profile(provider)
        except RostersyncError:
            return None

    @router.get("/connect/{token}/hris/{provider}", response_class=HTMLResponse)
    def guide(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        vendor = profile(provider)
        if vendor is None:
            return unknown_vendor(request)
        return render(request, "guide.html", {"page": page, "step": 2, "vendor": vendor})

    def credential_form(
        request: Request, page: Opened, provider: str, *, status: int = 200, **extra: object
    ) -> HTMLResponse:
        info, vendor = catalog.provider(provider), profile(provider)
        if info is None or vendor is None:
            return unknown_vendor(request)
        context = {
            "page": page,
            "step": 3,
            "vendor": vendor,
            "info": info,
            "sandbox": demo.get(provider),
        }
        return render(request, "credentials.html", {**context, **extra}, status=status)

    @router.get("/connect/{token}/hris/{provider}/credentials", response_class=HTMLResponse)
    def credentials_page(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        return credential_form(request, page, provider)

    @router.post("/connect/{token}/hris/{provider}/credentials", response_class=HTMLResponse)
    async def submit_credentials(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        form = await request.form()
        if not csrf.valid(request, str(form.get("csrf_token") or "")):
            return refused(request)
        info = catalog.provider(provider)
        if info is None:
            return unknown_vendor(request)
        if not limit.allow(page.link_id):
            return credential_form(request, page, provider, status=429, limited=True)
        submitted = {
            f.name: str(form.get(f.name) or "").strip()
            for f in info.credential_fields
            if form.get(f.name)
        }
        try:
            # The vendor read blocks: keep it off the event loop.
            result = await run_in_threadpool(
                run_preflight,
                provider,
                submitted,
                base_url=base_url(provider),
                allow_loopback=settings.allow_loopback,
                as_of=datetime.now(UTC).date(),
            )
        except RostersyncError as error:
            return credential_form(request, page, provider, status=422, error=str(error))
        if not result.ok:
            return credential_form(request, page, provider, status=422, result=result)
        credentials = dict(result.rotated_credentials or submitted)
        response = render(
            request,
            "preflight.html",
            {"page": page, "step": 4, "vendor": vendor_profile(provider), "result": result},
        )
        flows.write(
            response,
            request,
            page.link_id,
            Flow(provider, credentials, time.time()),
            path=page.base,
        )
        return response

    @router.get("/connect/{token}/verify", response_class=HTMLResponse)
    def verify(request: Request, token: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        if page.flow is None:
            return RedirectResponse(page.base, status_code=303)
        fields = {
            kind: [f for f in ALLOWLIST if f.record is kind]
            for kind in (RecordType.EMPLOYEE, RecordType.GROUP, RecordType.LOCATION)
        }
        return render(
            request,
            "verify.html",
            {
                "page": page,
                "step": 5,
                "vendor": vendor_profile(page.flow.provider),
                "fields": fields,
                "not_accessed": NOT_ACCESSED,
            },
        )

    @router.post("/connect/{token}/confirm", response_class=HTMLResponse)
    async def confirm(request: Request, token: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        form = await request.form()
        if not csrf.valid(request, str(form.get("csrf_token") or "")):
            return refused(request)
        flow = page.flow
        if flow is None:
            return RedirectResponse(page.base, status_code=303)
        try:
            created = await run_in_threadpool(
                complete,
                store,
                link_id=page.link_id,
                provider=flow.provider,
                credentials=flow.credentials,
                base_url=base_url(flow.provider),
                allow_loopback=settings.allow_loopback,
            )
        except LinkUnavailable:
            return render(request, "unavailable.html", {"state": "used"}, status=410)
        _first_sync(store, settings, created.id, created.tenant_id)
        response = RedirectResponse(f"{page.base}/progress", status_code=303)
        done = Flow(flow.provider, {}, flow.checked_at, created.id)
        flows.write(response, request, page.link_id, done, path=page.base)
        return response

    def watched(request: Request, token: str) -> tuple[Opened, str, VendorProfile] | Response:
        """The link's page, its new connection and its vendor, once confirmed."""
        page = opened(request, token, confirmed=True)
        if not isinstance(page, Opened):
            return page
        if page.flow is None or page.flow.connection_id is None:
            return RedirectResponse(page.base, status_code=303)
        return page, page.flow.connection_id, vendor_profile(page.flow.provider)

    @router.get("/connect/{token}/progress", response_class=HTMLResponse)
    def progress_page(request: Request, token: str) -> Response:
        opened = watched(request, token)
        if isinstance(opened, Response):
            return opened
        page, connection_id, vendor = opened
        now = first_sync_progress(store, connection_id, tenant_id=page.tenant_id)
        return render(
            request, "progress.html", {"page": page, "step": 6, "vendor": vendor, "now": now}
        )

    @router.get("/connect/{token}/events")
    def events(request: Request, token: str) -> Response:
        opened = watched(request, token)
        if isinstance(opened, Response):
            return opened
        page, connection_id, _ = opened
        return StreamingResponse(
            _events(store, connection_id, page.tenant_id, rebrand),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    @router.get("/connect/{token}/finish", response_class=HTMLResponse)
    def finish(request: Request, token: str) -> Response:
        opened = watched(request, token)
        if isinstance(opened, Response):
            return opened
        page, connection_id, vendor = opened
        now = first_sync_progress(store, connection_id, tenant_id=page.tenant_id)
        return render(
            request, "finish.html", {"page": page, "step": 7, "vendor": vendor, "now": now}
        )

    return router


def _first_sync(store: Store, settings: Settings, connection_id: str, tenant_id: str) -> None:
    def run() -> None:
        try:
            sync_now(
                store, connection_id, tenant_id=tenant_id, allow_loopback=settings.allow_loopback
            )
        except Exception:
            log.exception("first sync of %s crashed", connection_id)

    threading.Thread(target=run, name=f"first-sync:{connection_id}", daemon=True).start()
