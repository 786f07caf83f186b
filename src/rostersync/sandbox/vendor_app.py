"""What every vendor emulator shares: the app shell and the small helpers around it.

Each module in :mod:`rostersync.sandbox.vendors` builds its app with :func:`vendor_app`, which

- creates a FastAPI app with the docs and the OpenAPI schema off, holding ``company`` and
  ``faults`` in ``app.state`` (:func:`bare_app` alone does just that, for front apps);
- mounts the ``/_sandbox`` :func:`~rostersync.sandbox.control.control_router` (no vendor path
  starts with ``/_sandbox``, so it does not matter that it comes before the vendor's routes);
- answers the emulator's :class:`VendorError` subclass, and Starlette's own 404/405, in the
  vendor's error shape (control paths keep ``{"detail": ...}``);
- wraps the app in :class:`~rostersync.sandbox.faults.FaultInjectionMiddleware`.

Helpers: :func:`json_response` and :func:`error_response`; credential checks in constant
time (:func:`header_ok`, :func:`bearer_ok`, :func:`bearer_token`, :func:`basic_ok`);
:func:`int_param` for paging parameters; :class:`MinuteWindow` for per-minute rate limits.

Vendor modules still never import each other; they import this module, and
:class:`~rostersync.sandbox.memo.CompanyMemo` to keep what they derive from the company.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from rostersync.sandbox.company import SyntheticCompany
from rostersync.sandbox.control import PREFIX as CONTROL_PREFIX
from rostersync.sandbox.control import control_router
from rostersync.sandbox.faults import ErrorRenderer, Fault, FaultInjectionMiddleware, Faults

__all__ = [
    "ErrorBody",
    "ErrorResponder",
    "MinuteWindow",
    "VendorError",
    "bare_app",
    "basic_ok",
    "bearer_ok",
    "bearer_token",
    "error_response",
    "header_ok",
    "int_param",
    "json_response",
    "vendor_app",
]

ErrorBody = Callable[[int, str | None], bytes]
"""``(status, message or None) -> body``: a vendor's JSON error body; None means the default."""


class VendorError(Exception):
    """An error answered in the vendor's own shape; each emulator raises its own subclass."""

    def __init__(
        self, status: int, message: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


ErrorResponder = Callable[[VendorError], Response]


def json_response(
    data: Any,
    status: int = 200,
    *,
    headers: Mapping[str, str] | None = None,
    compact: bool = True,
) -> Response:
    """``data`` as UTF-8 JSON; ``compact`` drops the blanks after ``,`` and ``:``."""
    separators = (",", ":") if compact else None
    body = json.dumps(data, separators=separators, ensure_ascii=False).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(body: bytes, status: int, headers: Mapping[str, str] | None = None) -> Response:
    """An error ``body`` (already JSON) with ``status``."""
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def bare_app(title: str, company: SyntheticCompany, faults: Faults) -> FastAPI:
    """A FastAPI app with no docs, holding ``company`` and ``faults`` in ``app.state``."""
    app = FastAPI(title=title, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.company = company
    app.state.faults = faults
    return app


def vendor_app(
    title: str,
    company: SyntheticCompany,
    faults: Faults,
    *,
    error_body: ErrorBody | None = None,
    respond: ErrorResponder | None = None,
    render_fault: ErrorRenderer | None = None,
    http_error_detail: bool = False,
    compact_json: bool = True,
) -> FastAPI:
    """The emulator shell: control routes, error handlers and fault injection.

    Errors: a :class:`VendorError` is answered by ``respond`` (default: ``error_body`` of its
    status and message, as JSON, with its headers). Starlette's 404/405 on vendor paths are
    answered the same way as ``VendorError(status, message)``, where ``message`` is the
    exception's detail with ``http_error_detail``, else None; on control paths they answer
    ``{"detail": ...}`` in the vendor's JSON style (``compact_json``). Injected faults are
    rendered by ``render_fault`` (default: ``error_body(status, None)``, no headers).
    """
    if error_body is None and (respond is None or render_fault is None):
        raise TypeError("vendor_app needs error_body, or both respond and render_fault")
    body_of = error_body

    def default_respond(exc: VendorError) -> Response:
        assert body_of is not None
        return error_response(body_of(exc.status, exc.message), exc.status, exc.headers)

    def default_render_fault(status: int, _fault: Fault | None) -> tuple[bytes, dict[str, str]]:
        assert body_of is not None
        return body_of(status, None), {}

    answer = respond or default_respond
    app = bare_app(title, company, faults)
    app.include_router(control_router(company, faults))

    @app.exception_handler(VendorError)
    async def vendor_error(_request: Request, exc: VendorError) -> Response:
        return answer(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith(CONTROL_PREFIX):
            return json_response({"detail": exc.detail}, exc.status_code, compact=compact_json)
        message = str(exc.detail) if http_error_detail else None
        return answer(VendorError(exc.status_code, message))

    app.add_middleware(
        FaultInjectionMiddleware, faults=faults, render_error=render_fault or default_render_fault
    )
    return app


# --- credentials ----------------------------------------------------------------------------


def header_ok(request: Request, name: str, expected: str | bytes) -> bool:
    """Whether header ``name`` equals ``expected`` (compared in constant time)."""
    wanted = expected.encode() if isinstance(expected, str) else expected
    return secrets.compare_digest(request.headers.get(name, "").encode(), wanted)


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (``Bearer`` in any case, blanks
    stripped), or None for any other scheme."""
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    return supplied.strip() if scheme.lower() == "bearer" else None


def bearer_ok(request: Request, token: str, *, exact: bool = True) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>``.

    ``exact`` wants the header exactly so; otherwise it is read by :func:`bearer_token`.
    """
    if exact:
        return header_ok(request, "authorization", f"Bearer {token}")
    supplied = bearer_token(request)
    return supplied is not None and secrets.compare_digest(supplied.encode(), token.encode())


def basic_ok(request: Request, expected: bytes) -> bool:
    """Whether ``Authorization: Basic`` decodes to ``expected`` (``user:password``)."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        supplied = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        supplied = b""
    return scheme.lower() == "basic" and secrets.compare_digest(supplied, expected)


# --- query parameters -----------------------------------------------------------------------


def int_param(
    raw: str | None,
    default: int,
    error: type[VendorError],
    *,
    name: str,
    minimum: int | None = 1,
    blank_is_missing: bool = False,
    not_int: str = "{name} must be an integer",
    too_small: str = "{name} must be at least {minimum}",
) -> int:
    """``raw`` as an int (``default`` when absent), else ``error(400, message)``."""
    if raw is None or (blank_is_missing and raw == ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise error(400, not_int.format(name=name, minimum=minimum)) from None
    if minimum is not None and value < minimum:
        raise error(400, too_small.format(name=name, minimum=minimum))
    return value


# --- rate limits ----------------------------------------------------------------------------


class MinuteWindow:
    """A sliding sixty-second window of requests, for the vendors' per-minute rate limits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._hits: deque[float] = deque()
        self._lock = threading.Lock()

    def hit(self) -> tuple[bool, int, float]:
        """Count one request, unless ``limit`` of them already fell in the last minute.

        Returns whether it was counted, how many the window then holds, and how many seconds
        ago the oldest request still in the window came before this one (0 when none).
        """
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= 60:
                self._hits.popleft()
            age = now - self._hits[0] if self._hits else 0.0
            if len(self._hits) >= self.limit:
                return False, len(self._hits), age
            self._hits.append(now)
            return True, len(self._hits), age
