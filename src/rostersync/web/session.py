"""Dashboard sessions and CSRF tokens, signed with a key derived from the master key.

A session cookie names the API key that logged in, a random nonce that makes each sign-in its
own, and when it expires. It is re-checked against the database on every request: revoking the
key ends the session, and so does signing out (its nonce is recorded as ended). CSRF tokens are
bound to the session (a second HMAC), checked on every form POST; the login form's, before
there is a session, to a random LOGIN_COOKIE the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

COOKIE = "rs_session"
LOGIN_COOKIE = "rs_login"
"""A random value the login form's CSRF token is bound to, before there is a session."""
TTL_SECONDS = 8 * 3600


def _sign(key: bytes, payload: bytes) -> str:
    return base64.urlsafe_b64encode(hmac.new(key, payload, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class SignedIn:
    """What a valid session cookie says."""

    key_id: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class Sessions:
    key: bytes

    def issue(self, key_id: str, *, now: float | None = None) -> str:
        expires = int((now or time.time()) + TTL_SECONDS)
        payload = json.dumps({"k": key_id, "n": secrets.token_urlsafe(16), "e": expires}).encode()
        body = base64.urlsafe_b64encode(payload).decode()
        return f"{body}.{_sign(self.key, payload)}"

    def read(self, cookie: str | None, *, now: float | None = None) -> SignedIn | None:
        if not cookie or "." not in cookie:
            return None
        body, _, signature = cookie.partition(".")
        try:
            payload = base64.urlsafe_b64decode(body.encode())
            data = json.loads(payload)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(signature, _sign(self.key, payload)):
            return None
        if not isinstance(data, dict) or data.get("e", 0) < (now or time.time()):
            return None
        key_id, nonce = data.get("k"), data.get("n")
        if not isinstance(key_id, str) or not isinstance(nonce, str):
            return None  # also a cookie from before nonces: it could not be signed out of
        return SignedIn(key_id, nonce, datetime.fromtimestamp(data["e"], UTC))

    def csrf_token(self, cookie: str) -> str:
        return _sign(self.key, b"csrf|" + cookie.encode())

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        return bool(cookie and token) and hmac.compare_digest(
            self.csrf_token(cookie or ""), token or ""
        )
