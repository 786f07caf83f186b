"""Secure response headers for every page and API answer.

HSTS tells browsers to use HTTPS only (ignored over plain HTTP, so it is safe to send
always); the CSP allows our own scripts, styles and images and nothing else; pages may not be
framed (clickjacking) and send no referrer (connect links carry tokens).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = {
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


def _framing_allowed(headers: MutableHeaders) -> bool:
    """A page that names who may frame it (a connect link's product, web.handoff) must not
    also say DENY: the two headers would disagree."""
    policy = headers.get("content-security-policy", "")
    return "frame-ancestors" in policy and "frame-ancestors 'none'" not in policy


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                framed = _framing_allowed(headers)
                for name, value in HEADERS.items():
                    if not (framed and name == "x-frame-options"):
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
