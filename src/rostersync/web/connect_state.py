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
from typing import Any

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


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(
    response: Response, request: Request, name: str, value: str, *, path: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


class Csrf:
    def __init__(self, store: Store) -> None:
        # Derived from the master key: every process of a deployment agrees on it.
        self._key = store.keyring.derive("connect csrf")

    def _form_value(self, nonce: str) -> str:
        return hmac.new(self._key, f"form:{nonce}".encode(), hashlib.sha256).hexdigest()

    def token(self, request: Request) -> tuple[str, str | None]:
        """The value for this page's forms, and a new cookie nonce to set if there was none."""
        nonce = request.cookies.get(CSRF_COOKIE)
        if nonce:
            return self._form_value(nonce), None
        fresh = secrets.token_urlsafe(32)
        return self._form_value(fresh), fresh

    def valid(self, request: Request, submitted: str | None) -> bool:
        nonce = request.cookies.get(CSRF_COOKIE)
        if not nonce or not submitted:
            return False
        return hmac.compare_digest(self._form_value(nonce), submitted)

    @staticmethod
    def remember(response: Response, request: Request, nonce: str | None) -> None:
        if nonce is not None:
            set_cookie(response, request, CSRF_COOKIE, nonce, path="/connect", max_age=86400)


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

    def write(
        self, response: Response, request: Request, link_id: str, flow: Flow, *, path: str
    ) -> None:
        data = {
            "provider": flow.provider,
            # Once confirmed, the credentials live in the connection; the cookie drops them.
            "credentials": {} if flow.confirmed else flow.credentials,
            "checked_at": flow.checked_at,
            "connection_id": flow.connection_id,
        }
        sealed = self._keyring.encrypt(json.dumps(data), context=self._context(link_id))
        set_cookie(
            response,
            request,
            FLOW_COOKIE,
            sealed,
            path=path,
            max_age=flow.lifetime,
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
