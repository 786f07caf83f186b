"""The connect flow's side of the hand-off (services.handoff): who may frame the pages, where
the finish page keeps the one-time code, and the exit page.

- Framing: a link with an `allowed_origin` may be framed by that origin only (CSP
  `frame-ancestors`, and no `X-Frame-Options: DENY`), and its pages keep their opener
  (`Cross-Origin-Opener-Policy: unsafe-none`), so a popup can post back to the product.
  Every other link's pages may not be framed at all.
- The code is issued when the admin confirms and shown on the finish page a step later: in
  between it waits in an AES-GCM cookie bound to the link, HttpOnly, limited to the link's
  path, and expiring with the code.
- Messages go to `allowed_origin` only, never `"*"` (connect-handoff.js): another page that
  opened or framed the flow is told nothing.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import Response

from rostersync.services.handoff import CODE_LIFETIME, Handoff
from rostersync.store import DecryptionError, Store
from rostersync.web.connect_state import Opened, set_cookie

HANDOFF_COOKIE = "rs_handoff"


def connect_csp(frame_ancestors: str) -> str:
    """The connect pages' policy: stricter than the app-wide one (no inline style either)."""
    return (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
        f"img-src 'self'; form-action 'self'; frame-ancestors {frame_ancestors}; "
        "base-uri 'none'"
    )


def framing_headers(handoff: Handoff) -> dict[str, str]:
    """CSP, opener and referrer policy for a link's pages (SecurityHeaders then adds no
    X-Frame-Options DENY when the CSP lets an origin frame them).

    Referrer `same-origin`, not the app's `no-referrer`: under `no-referrer` a browser sends
    `Origin: null` with every form POST (Fetch, "append a request Origin header"), and the
    forms' Origin check needs the real one. Other origins are still sent no referrer, so the
    link's token never leaves in one."""
    origin = handoff.allowed_origin
    referrer = {"referrer-policy": "same-origin"}
    if origin is None:
        return {"content-security-policy": connect_csp("'none'"), **referrer}
    return {
        "content-security-policy": connect_csp(origin),
        "cross-origin-opener-policy": "unsafe-none",
        **referrer,
    }


class CodeCookie:
    """The finish page's code, between the confirmation and the finish page."""

    def __init__(self, store: Store) -> None:
        self._keyring = store.keyring

    @staticmethod
    def _context(link_id: str) -> str:
        return f"connect_links.handoff:{link_id}"

    def write(self, response: Response, request: Request, page: Opened, code: str) -> None:
        sealed = self._keyring.encrypt(code, context=self._context(page.link_id))
        lifetime = CODE_LIFETIME // timedelta(seconds=1)
        set_cookie(
            response,
            request,
            HANDOFF_COOKIE,
            sealed,
            path=page.base,
            max_age=lifetime,
            site=page.cookies,
        )

    def read(self, request: Request, link_id: str) -> str | None:
        sealed = request.cookies.get(HANDOFF_COOKIE)
        if not sealed:
            return None
        try:
            return self._keyring.decrypt(sealed, context=self._context(link_id))
        except DecryptionError:
            return None
