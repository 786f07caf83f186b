"""What the connect pages keep between requests, and how they protect their forms.

- CSRF: a random cookie, and in each form an HMAC of it under a key derived from the master
  key. A page on another site can neither read the cookie nor compute the form value, and a
  cookie planted from a sibling domain is useless without the key.
- The flow state (the vendor whose disclosure was shown, then the checked credentials until
  the admin confirms):
  AES-GCM under the keyring, bound to the link, in an HttpOnly cookie limited to the link's
  path. Nothing is stored server-side before the confirmation, and nothing ever reaches a page.
- Credential submissions are limited per link, in memory (enough to stop guessing through
  one link; every process counts its own).
- Cookies are SameSite=Strict, except on a link a product frames (an `allowed_origin`) served
  from an https public URL: there the page is a third party inside the product's page, where
  the browser sends no Strict (or Lax) cookie, so they are `SameSite=None; Secure;
  Partitioned` (CHIPS: kept in a jar keyed by the product's site, so no other site that frames
  the flow ever sees them). What then stops a cross-site POST is what always did: the form
  value, which no other page can read or compute, and an `Origin` that must be our own.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from rostersync.services.handoff import Handoff
from rostersync.store import DecryptionError, Store

CSRF_COOKIE = "rs_csrf"
FLOW_COOKIE = "rs_flow"
FLOW_LIFETIME = 30 * 60
"""How long checked credentials wait for the confirmation."""
DISCLOSED_LIFETIME = 24 * 60 * 60
"""How long a shown disclosure counts: creating a service user may take the admin a while."""


class CookieSite(Enum):
    """Which requests a connect page's cookies go with."""

    STRICT = "strict"
    """Same-site requests only: every page that is not framed by another site."""
    LAX = "lax"
    """Also top-level navigations from another site: the vendor's consent page sends the admin
    back to the OAuth callback, where a Strict cookie is not sent."""
    FRAMED = "framed"
    """`SameSite=None; Secure; Partitioned`: the flow runs in a product's iframe."""


_SAMESITE: dict[CookieSite, Literal["strict", "lax", "none"]] = {
    CookieSite.STRICT: "strict",
    CookieSite.LAX: "lax",
    CookieSite.FRAMED: "none",
}


def cookie_site(allowed_origin: str | None, public_url: str) -> CookieSite:
    """FRAMED for a link a product may frame, when we are reached over https (a Secure cookie
    cannot be set over plain http, so there the iframe must be on the same site)."""
    if allowed_origin is not None and urlsplit(public_url).scheme == "https":
        return CookieSite.FRAMED
    return CookieSite.STRICT


def set_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    path: str,
    max_age: int,
    site: CookieSite = CookieSite.STRICT,
) -> None:
    framed = site is CookieSite.FRAMED
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=framed or request.url.scheme == "https",
        httponly=True,
        samesite=_SAMESITE[site],
    )
    if framed:
        # http.cookies writes `Partitioned` only from Python 3.14 (starlette refuses it before):
        # added to the header set_cookie just appended.
        header, cookie = response.raw_headers[-1]
        response.raw_headers[-1] = (header, cookie + b"; Partitioned")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Csrf:
    def __init__(self, store: Store, *, public_url: str) -> None:
        # Derived from the master key: every process of a deployment agrees on it.
        self._key = store.keyring.derive("connect csrf")
        self._public_origin = _origin(public_url)

    def _form_value(self, nonce: str) -> str:
        return hmac.new(self._key, f"form:{nonce}".encode(), hashlib.sha256).hexdigest()

    def token(self, request: Request) -> tuple[str, str | None]:
        """The value for this page's forms, and a new cookie nonce to set if there was none."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if nonce:
            return self._form_value(nonce), None
        fresh = secrets.token_urlsafe(32)
        return self._form_value(fresh), fresh

    def same_origin(self, request: Request) -> bool:
        """The POST came from one of our own pages, as the browser says (Fetch: every browser
        sends `Origin` on a POST). Our origin is the public URL, or the address the request
        reached (a deployment without one). `null` (a sandboxed or redirected form) is refused;
        a client that sends no Origin at all is not a browser another site can drive."""
        origin = request.headers.get("origin")
        if origin is None:
            return True
        return origin.lower() in (self._public_origin, _origin(str(request.base_url)))

    def valid(self, request: Request, submitted: str | None) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not submitted or not self.same_origin(request):
            return False
        return hmac.compare_digest(self._form_value(nonce), submitted)

    @staticmethod
    def remember(
        response: Response, request: Request, nonce: str | None, *, site: CookieSite
    ) -> None:
        if nonce is not None:
            set_cookie(
                response, request, CSRF_COOKIE, nonce, path="/connect", max_age=86400, site=site
            )


@dataclass(frozen=True)
class Flow:
    """The admin's progress through one link."""

    provider: str
    credentials: dict[str, str] = field(repr=False)
    checked_at: float
    connection_id: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.connection_id is not None

    @property
    def checked(self) -> bool:
        """Credentials were checked by a preflight and wait for the confirmation."""
        return bool(self.credentials) and not self.confirmed

    def disclosed(self, provider: str) -> bool:
        """This vendor's disclosure was shown on this link (every later flow state says so)."""
        return self.provider == provider

    @property
    def lifetime(self) -> int:
        if self.confirmed:
            return 86400
        return FLOW_LIFETIME if self.credentials else DISCLOSED_LIFETIME


class FlowCookie:
    def __init__(self, store: Store) -> None:
        self._keyring = store.keyring

    @staticmethod
    def _context(link_id: str) -> str:
        return f"connect_links.flow:{link_id}"

    def read(self, request: Request, link_id: str) -> Flow | None:
        sealed = request.cookies.get(FLOW_COOKIE)
        if not sealed:
            return None
        try:
            data: dict[str, Any] = json.loads(
                self._keyring.decrypt(sealed, context=self._context(link_id))
            )
            flow = Flow(**data)
        except (DecryptionError, ValueError, TypeError):
            return None
        if time.time() - flow.checked_at > flow.lifetime:
            return None
        return flow

    def write(self, response: Response, request: Request, page: Opened, flow: Flow) -> None:
        data = {
            "provider": flow.provider,
            # Once confirmed, the credentials live in the connection; the cookie drops them.
            "credentials": {} if flow.confirmed else flow.credentials,
            "checked_at": flow.checked_at,
            "connection_id": flow.connection_id,
        }
        sealed = self._keyring.encrypt(json.dumps(data), context=self._context(page.link_id))
        set_cookie(
            response,
            request,
            FLOW_COOKIE,
            sealed,
            path=page.base,
            max_age=flow.lifetime,
            site=page.cookies,
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
    handoff: Handoff
    expires_at: datetime | None = None
    cookies: CookieSite = CookieSite.STRICT
    """How this link's cookies are set (`cookie_site`)."""

    @property
    def base(self) -> str:
        return f"/connect/{self.token}"


class SubmissionLimit:
    """At most `limit` credential submissions per link in any `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, link_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen[link_id]
            while seen and now - seen[0] > self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True
