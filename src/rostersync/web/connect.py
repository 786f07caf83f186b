"""The connect flow: the pages a customer's HR admin follows from a connect link.

1 choose the HRIS (or arrive with `?vendor=<slug>`), 2 what will be read from it (rendered
from what its connector requests and keeps), 3 its set-up steps, 4 the credential form (for
OAuth vendors, the way to their consent page instead: connect_oauth), 5 the preflight and the
confirmation, 6 the first sync's progress, 7 finish (see connect_steps). Credentials are refused
until this link's browser was shown step 2, so no vendor is read before the admin saw what will
be read. Beside the flow: "my HR system isn't listed" and "send this to my IT admin". Every page
works without JavaScript; the static script only filters the grid and streams the progress
(server-sent events) instead of the refresh fallback.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import quote, urlencode

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
from rostersync.model import NOT_ACCESSED, RecordType
from rostersync.services.branding import get_branding
from rostersync.services.handoff import NO_HANDOFF
from rostersync.services.links import LinkState, LinkUnavailable, complete, open_link
from rostersync.services.runs import Progress, first_sync_progress, sync_now
from rostersync.settings import Settings
from rostersync.store import Store
from rostersync.web.branding import PageBrand, Rebrand, branding_router, page_brand
from rostersync.web.connect_oauth import Failed, OAuthPages, Pages
from rostersync.web.connect_state import (
    CookieSite,
    Csrf,
    Flow,
    FlowCookie,
    Opened,
    SubmissionLimit,
    cookie_site,
    set_cookie,
)
from rostersync.web.connect_steps import Step
from rostersync.web.handoff import CodeCookie, framing_headers
from rostersync.web.i18n import (
    COOKIE,
    language_of,
    localize,
    parse_language,
    templates,
    translations,
)

log = logging.getLogger("rostersync.web.connect")

SYSTEM_NAME_LENGTH = 60
SYSTEM_NAME_PUNCTUATION = frozenset(" .&+-'()/")
UNAVAILABLE_STATUS = {
    LinkState.EXPIRED: 410,
    LinkState.USED: 410,
    LinkState.REVOKED: 410,
    LinkState.UNKNOWN: 404,
}


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
    store: Store,
    settings: Settings,
    *,
    public_url: str,
    sandboxes: Mapping[str, SandboxTarget] | None = None,
) -> APIRouter:
    """The connect pages, reached at `public_url` (Settings.link_base). `sandboxes` (demo only)
    points those vendors at their emulators; every other vendor is reached at its documented
    host."""
    router = APIRouter(include_in_schema=False)
    router.include_router(branding_router(settings.branding, store))
    csrf = Csrf(store, public_url=public_url)
    flows = FlowCookie(store)
    codes = CodeCookie(store)
    limit = SubmissionLimit()
    wishes = SubmissionLimit(limit=3)
    demo = dict(sandboxes or {})

    def base_url(provider: str) -> str | None:
        target = demo.get(provider)
        return target.base_url if target else None

    def brand_of(page: object) -> PageBrand:
        """A link's pages show its tenant's brand; a page without a link, the deployment's."""
        if not isinstance(page, Opened):
            return page_brand(settings.branding)
        return page_brand(settings.branding, get_branding(store, page.tenant_id))

    def render(
        request: Request, template: str, context: dict[str, object], *, status: int = 200
    ) -> HTMLResponse:
        form_token, nonce = csrf.token(request)
        language = language_of(request)
        brand = brand_of(context.get("page"))
        response = templates(language).TemplateResponse(
            request,
            f"connect/{template}",
            {
                **Rebrand(brand.branding).context(localize(context, language)),
                **brand.context(),
                "csrf_token": form_token,
                "here": request.url.path,
            },
            status,
        )
        response.headers["cache-control"] = "no-store"
        response.headers["content-language"] = language.value
        response.headers["vary"] = "accept-language, cookie"
        page = context.get("page")
        link = page if isinstance(page, Opened) else None
        response.headers.update(framing_headers(link.handoff if link else NO_HANDOFF))
        site = link.cookies if link else CookieSite.STRICT
        Csrf.remember(response, request, nonce, site=site)
        if parse_language(request.query_params.get("lang")) is language:
            # The link chose it: keep it on the pages that follow.
            set_cookie(
                response,
                request,
                COOKIE,
                language.value,
                path="/connect",
                max_age=86400,
                site=site,
            )
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
            link.handoff,
            link.expires_at,
            cookie_site(link.handoff.allowed_origin, public_url),
        )

    def see_other(page: Opened, url: str) -> RedirectResponse:
        """A redirect within the link's pages, under their opener policy: one COOP
        `same-origin` redirect would cut a product's popup off from its opener."""
        response = RedirectResponse(url, status_code=303)
        response.headers.update(framing_headers(page.handoff))
        return response

    def refused(request: Request) -> HTMLResponse:
        return render(request, "unavailable.html", {"state": "forbidden"}, status=403)

    @router.get("/connect/{token}", response_class=HTMLResponse)
    def choose(request: Request, token: str, q: str = "", vendor: str = "") -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        wanted_vendor = vendor.strip().lower()
        if wanted_vendor and catalog.provider(wanted_vendor) is not None:
            # A product that knows its customer's HR system links straight to it.
            return see_other(page, f"{page.base}/hris/{wanted_vendor}")
        wanted = q.strip().lower()
        providers = [p for p in catalog.providers() if wanted in p.display_name.lower()]
        return render(
            request,
            "choose.html",
            {
                "page": page,
                "step": Step.CHOOSE,
                "providers": providers,
                "q": q,
                "unknown": vendor.strip()[:SYSTEM_NAME_LENGTH] if wanted_vendor else "",
            },
        )

    def unknown_vendor(request: Request) -> HTMLResponse:
        return render(request, "unavailable.html", {"state": "unknown_vendor"}, status=404)

    def profile(provider: str) -> VendorProfile | None:
        try:
            return vendor_profile(provider)
        except RostersyncError:
            return None

    def not_disclosed(page: Opened, provider: str) -> Response | None:
        """Back to what will be read, unless this link's browser was shown it for `provider`."""
        if page.flow is not None and page.flow.disclosed(provider):
            return None
        return see_other(page, f"{page.base}/hris/{provider}")

    @router.get("/connect/{token}/hris/{provider}", response_class=HTMLResponse)
    def disclose(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        vendor = profile(provider)
        if vendor is None:
            return unknown_vendor(request)
        kinds = (RecordType.EMPLOYEE, RecordType.GROUP, RecordType.LOCATION)
        response = render(
            request,
            "disclose.html",
            {
                "page": page,
                "step": Step.DISCLOSE,
                "vendor": vendor,
                "kept": {k: [f for f in vendor.kept if f.record is k] for k in kinds},
                "not_accessed": NOT_ACCESSED,
            },
        )
        if page.flow is None or not page.flow.disclosed(provider):
            # Remembered for this link only: the credential form and its check need it.
            flows.write(response, request, page, Flow(provider, {}, time.time()))
        return response

    @router.get("/connect/{token}/hris/{provider}/setup", response_class=HTMLResponse)
    def guide(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        vendor = profile(provider)
        if vendor is None:
            return unknown_vendor(request)
        back = not_disclosed(page, provider)
        if back is not None:
            return back
        return render(request, "guide.html", {"page": page, "step": Step.SET_UP, "vendor": vendor})

    def credential_form(
        request: Request, page: Opened, provider: str, *, status: int = 200, **extra: object
    ) -> HTMLResponse:
        info, vendor = catalog.provider(provider), profile(provider)
        if info is None or vendor is None:
            return unknown_vendor(request)
        if info.uses_oauth:
            return oauth.start_page(request, page, vendor)
        context = {
            "page": page,
            "step": Step.CREDENTIALS,
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
        if catalog.provider(provider) is None:
            return unknown_vendor(request)
        return not_disclosed(page, provider) or credential_form(request, page, provider)

    @router.post("/connect/{token}/hris/{provider}/credentials", response_class=HTMLResponse)
    async def submit_credentials(request: Request, token: str, provider: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        form = await request.form()
        if not csrf.valid(request, str(form.get("csrf_token") or "")):
            return refused(request)
        info, vendor = catalog.provider(provider), profile(provider)
        if info is None or vendor is None:
            return unknown_vendor(request)
        back = not_disclosed(page, provider)
        if back is not None:
            return back
        if info.uses_oauth:
            # Never a typed secret for these: the consent gives the credentials.
            return oauth.start_page(request, page, vendor, status=405)
        if not limit.allow(page.link_id):
            return credential_form(request, page, provider, status=429, limited=True)
        submitted = {
            f.name: str(form.get(f.name) or "").strip()
            for f in info.credential_fields
            if form.get(f.name)
        }

        def failed(status: int, **extra: object) -> HTMLResponse:
            return credential_form(request, page, provider, status=status, **extra)

        return await checked(request, page, provider, submitted, failed)

    async def checked(
        request: Request,
        page: Opened,
        provider: str,
        submitted: dict[str, str],
        failed: Failed,
    ) -> HTMLResponse:
        """The preflight of credentials a form or a consent gave, then its page (step 4)."""
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
            return failed(422, error=str(error))
        if not result.ok:
            return failed(422, result=result)
        credentials = dict(result.rotated_credentials or submitted)
        response = render(
            request,
            "preflight.html",
            {
                "page": page,
                "step": Step.CHECK,
                "vendor": vendor_profile(provider),
                "result": result,
            },
        )
        flows.write(response, request, page, Flow(provider, credentials, time.time()))
        return response

    def share_url(request: Request, page: Opened, provider: str) -> str:
        link = str(request.url.replace(path=page.base, query=""))
        return f"{link}?{urlencode({'vendor': provider})}" if provider else link

    @router.get("/connect/{token}/share", response_class=HTMLResponse)
    def share(request: Request, token: str, vendor: str = "") -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        info = catalog.provider(vendor) if vendor else None
        url = share_url(request, page, info.name if info else "")
        words = translations(language_of(request))
        system = info.display_name if info else words.gettext("our HR system")
        named = {"system": system, "customer": page.tenant_name, "url": url}
        subject = words.gettext("Connecting %(system)s for %(customer)s") % named
        body = (
            words.gettext(
                "Hello,\n\nCould you connect %(system)s for %(customer)s? This link shows what "
                "will be read before it asks for anything, and walks through creating a "
                "read-only service account:\n\n%(url)s\n\nThe link works once and expires.\n"
            )
            % named
        )
        mailto = f"mailto:?subject={quote(subject)}&body={quote(body)}"
        return render(
            request,
            "share.html",
            {"page": page, "url": url, "mailto": mailto, "info": info, "system": system},
        )

    @router.get("/connect/{token}/not-listed", response_class=HTMLResponse)
    def not_listed(request: Request, token: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        return render(request, "not_listed.html", {"page": page})

    @router.post("/connect/{token}/not-listed", response_class=HTMLResponse)
    async def tell_not_listed(request: Request, token: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        form = await request.form()
        if not csrf.valid(request, str(form.get("csrf_token") or "")):
            return refused(request)
        system = system_name(str(form.get("system") or ""))
        if not system:
            return render(request, "not_listed.html", {"page": page, "error": True}, status=422)
        if not wishes.allow(page.link_id):
            return render(request, "not_listed.html", {"page": page, "sent": system}, status=429)
        # The operator reads it in the log: the link's id (never its token) and a system name
        # cut to letters and a little punctuation, so no email or free text gets through.
        log.info(
            "connect link %s asks for an HR system that is not listed: %s", page.link_id, system
        )
        return render(request, "not_listed.html", {"page": page, "sent": system})

    @router.post("/connect/{token}/confirm", response_class=HTMLResponse)
    async def confirm(request: Request, token: str) -> Response:
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        form = await request.form()
        if not csrf.valid(request, str(form.get("csrf_token") or "")):
            return refused(request)
        flow = page.flow
        if flow is None or not flow.checked:
            return see_other(page, page.base)
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
        response = see_other(page, f"{page.base}/progress")
        done = Flow(flow.provider, {}, flow.checked_at, created.id)
        flows.write(response, request, page, done)
        codes.write(response, request, page, created.handoff_code)
        return response

    def watched(request: Request, token: str) -> tuple[Opened, str, VendorProfile] | Response:
        """The link's page, its new connection and its vendor, once confirmed."""
        page = opened(request, token, confirmed=True)
        if not isinstance(page, Opened):
            return page
        if page.flow is None or page.flow.connection_id is None:
            return see_other(page, page.base)
        return page, page.flow.connection_id, vendor_profile(page.flow.provider)

    @router.get("/connect/{token}/progress", response_class=HTMLResponse)
    def progress_page(request: Request, token: str) -> Response:
        opened = watched(request, token)
        if isinstance(opened, Response):
            return opened
        page, connection_id, vendor = opened
        now = first_sync_progress(store, connection_id, tenant_id=page.tenant_id)
        return render(
            request,
            "progress.html",
            {"page": page, "step": Step.CONNECT, "vendor": vendor, "now": now},
        )

    @router.get("/connect/{token}/events")
    def events(request: Request, token: str) -> Response:
        opened = watched(request, token)
        if isinstance(opened, Response):
            return opened
        page, connection_id, _ = opened
        return StreamingResponse(
            _events(store, connection_id, page.tenant_id, Rebrand(brand_of(page).branding)),
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
        code = codes.read(request, page.link_id)
        context = {
            "page": page,
            "step": Step.DONE,
            "vendor": vendor,
            "now": now,
            "code": code,
            "return_url": page.handoff.return_url(code) if code else None,
        }
        return render(request, "finish.html", context)

    @router.get("/connect/{token}/exit", response_class=HTMLResponse)
    def leave(request: Request, token: str) -> Response:
        """The admin leaves without connecting: the product is told (nothing else is)."""
        page = opened(request, token)
        if not isinstance(page, Opened):
            return page
        return render(request, "exit.html", {"page": page, "exit_url": page.handoff.exit_url()})

    oauth = OAuthPages(
        store,
        settings,
        Pages(render, opened, checked, base_url, not_disclosed, csrf, refused),
    )
    router.include_router(oauth.router())
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


def system_name(raw: str) -> str:
    """An HR system's name as typed, kept to letters, digits and a little punctuation."""
    kept = "".join(c for c in raw if c.isalnum() or c in SYSTEM_NAME_PUNCTUATION)
    return " ".join(kept.split())[:SYSTEM_NAME_LENGTH]
