"""An OAuth 2.0 consent page and authorization codes, for the emulators of vendors that
connect by consent (RFC 6749 4.1, PKCE per RFC 7636).

GET on the authorize path shows what a vendor's consent page shows, reduced to two buttons:
Allow sends the browser to `redirect_uri` with a code and the `state`, Deny with
`error=access_denied`. An unknown client or a redirect URI that is not registered gets an
error page and no redirect (4.1.2.1). A code is good once, for a minute, for the client and
redirect URI it was issued to, and with the verifier of the challenge it was issued with.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

CODE_SECONDS = 60
"""[guess] Neither vendor documents a code lifetime; RFC 6749 4.1.2 recommends 10 minutes at
most, and a short one makes a slow test fail loudly rather than pass by luck."""


class ConsentRefused(Exception):
    """The token endpoint's RFC 6749 5.2 error for a code that cannot be redeemed."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str | None
    expires: float


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class Consents:
    """One OAuth app's consent page and the codes it issued."""

    def __init__(
        self,
        vendor: str,
        *,
        client_id: str,
        redirect_uris: tuple[str, ...] | None = None,
        require_pkce: bool = False,
    ) -> None:
        self.vendor = vendor
        self.client_id = client_id
        self.redirect_uris = redirect_uris
        """None: any http(s) URL (the sandbox serves whatever address it is mounted at)."""
        self.require_pkce = require_pkce
        self._codes: dict[str, _Code] = {}
        self._lock = threading.Lock()

    def _registered(self, redirect_uri: str) -> bool:
        if self.redirect_uris is not None:
            return redirect_uri in self.redirect_uris
        parts = urlsplit(redirect_uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment

    def _refusal(self, why: str) -> HTMLResponse:
        return HTMLResponse(
            f"<!doctype html><html lang='en'><head><title>{html.escape(self.vendor)}</title>"
            f"</head><body><main><h1>Authorization error</h1><p>{html.escape(why)}</p></main>"
            "</body></html>",
            status_code=400,
        )

    def page(self, request: Request) -> Response:
        query = request.query_params
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if not secrets.compare_digest(client_id.encode(), self.client_id.encode()):
            return self._refusal("Unknown client_id.")
        if not self._registered(redirect_uri):
            return self._refusal("The redirect_uri is not registered for this application.")
        if query.get("response_type") != "code":
            return self._redirect(
                redirect_uri, query.get("state"), error="unsupported_response_type"
            )
        challenge = query.get("code_challenge")
        if challenge and query.get("code_challenge_method") != "S256":
            return self._redirect(redirect_uri, query.get("state"), error="invalid_request")
        if self.require_pkce and not challenge:
            return self._redirect(redirect_uri, query.get("state"), error="invalid_request")
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
            for name in ("client_id", "redirect_uri", "state", "code_challenge")
        )
        vendor = html.escape(self.vendor)
        body = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Authorize access · {vendor}</title></head><body><main>"
            f"<h1>{vendor}: allow access?</h1>"
            "<p>An application asks to read your company's employees, departments and "
            "locations.</p>"
            f'<form method="post" action="{html.escape(request.url.path)}">{hidden}'
            '<button type="submit" name="decision" value="allow">Allow</button> '
            '<button type="submit" name="decision" value="deny">Deny</button>'
            "</form></main></body></html>"
        )
        return HTMLResponse(body)

    @staticmethod
    def _redirect(redirect_uri: str, state: str | None, **params: str) -> RedirectResponse:
        if state:
            params["state"] = state
        joiner = "&" if urlsplit(redirect_uri).query else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(params)}", status_code=303)

    async def decide(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode()).items()}
        client_id, redirect_uri = form.get("client_id", ""), form.get("redirect_uri", "")
        if client_id != self.client_id or not self._registered(redirect_uri):
            return self._refusal("Unknown client_id or redirect_uri.")
        state = form.get("state")
        if form.get("decision") != "allow":
            return self._redirect(redirect_uri, state, error="access_denied")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                client_id,
                redirect_uri,
                form.get("code_challenge") or None,
                time.monotonic() + CODE_SECONDS,
            )
        return self._redirect(redirect_uri, state, code=code)

    def redeem(self, form: Mapping[str, str]) -> None:
        """Spend the form's code (grant_type=authorization_code); ConsentRefused if it is not
        good for this client, redirect URI and verifier. The client secret is the caller's."""
        with self._lock:
            issued = self._codes.pop(form.get("code", ""), None)
        if issued is None or issued.expires <= time.monotonic():
            raise ConsentRefused("invalid_grant")
        if form.get("client_id") != issued.client_id:
            raise ConsentRefused("invalid_client")
        if form.get("redirect_uri") != issued.redirect_uri:
            raise ConsentRefused("invalid_grant")
        if issued.challenge is not None:
            verifier = form.get("code_verifier", "")
            if not verifier or not secrets.compare_digest(_s256(verifier), issued.challenge):
                raise ConsentRefused("invalid_grant")

    def mount(self, app: FastAPI, path: str) -> None:
        app.add_api_route(path, self.page, methods=["GET"], include_in_schema=False)
        app.add_api_route(path, self.decide, methods=["POST"], include_in_schema=False)
