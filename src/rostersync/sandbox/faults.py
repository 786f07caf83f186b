"""Fault injection shared by every vendor emulator.

A :class:`Faults` object holds two kinds of control:

- standing conditions, true until switched off: ``revoked`` (every vendor request answers
  401), ``forbidden`` (every vendor request answers 403) and ``leak_sensitive_fields``
  (the emulator returns every field it has, sensitive ones included, whatever the client
  asked for; it is read by the emulator itself, not by the middleware) and ``hidden_fields``
  (fields every JSON answer leaves out, as a vendor does for a field the service user may not
  see: :meth:`Faults.hide_fields`);
- a queue of one-shot :class:`Fault` entries, each consumed by the next matching request:
  an error status (500, 503, 429 with ``Retry-After``, ...), a slow answer, a truncated
  body (the real answer, cut part-way so the JSON is invalid), a short page (valid JSON
  whose longest list lost records, as a vendor under load sometimes answers), or records in a
  shape the vendor does not document (valid JSON, wrong types). ``after`` lets
  that many matching requests pass first, so a fault can hit page k of a list.
  Hostile bodies too: the real answer with a value nested ``depth`` levels deep inside it
  (JSON or XML), padded with blanks to ``size`` bytes (streamed, never held: what went out
  is :meth:`Faults.padding_sent`), or, for XML, behind an entity-expansion DTD.

:class:`FaultInjectionMiddleware` applies them in front of an emulator's ASGI app. It asks
the emulator to render error bodies (``render_error``) so a 503 looks like the vendor's own.
Paths under ``/_sandbox`` are never faulted: tests must be able to undo what they set.

The same controls are reachable over HTTP through each emulator's ``POST /_sandbox/faults``
with the JSON accepted by :meth:`Faults.configure`.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "ErrorRenderer",
    "Fault",
    "FaultInjectionMiddleware",
    "FaultKind",
    "Faults",
]


class FaultKind(StrEnum):
    STATUS = "status"  # answer with an error status instead of calling the emulator
    SLOW = "slow"  # sleep, then answer normally (client timeouts)
    TRUNCATE = "truncate"  # answer normally but cut the body part-way
    SHORT = "short"  # answer normally, but the body's longest list keeps only a share
    # Answer normally, but the records (the body's longest list) come in a shape no vendor
    # documents: the list is a number, each record is a string, or each record's values have
    # other types (`"employee_ids": 5` where a list is documented).
    LIST_AS_NUMBER = "list_as_number"
    RECORD_AS_STRING = "record_as_string"
    WRONG_TYPES = "wrong_types"
    NESTED = "nested"  # answer normally, with a value `depth` levels deep inside the body
    HUGE = "huge"  # answer normally, then blanks until the body is `size` bytes long
    ENTITIES = "entities"  # answer normally, an XML body behind a "billion laughs" DTD


_RESHAPES = (FaultKind.LIST_AS_NUMBER, FaultKind.RECORD_AS_STRING, FaultKind.WRONG_TYPES)


@dataclass(frozen=True, slots=True)
class Fault:
    kind: FaultKind
    status: int = 500
    seconds: float = 0.0
    retry_after: float | None = None
    body: Any = None  # JSON-able body; None means the vendor's own error body
    headers: Mapping[str, str] = field(default_factory=dict)
    keep: float = 0.5  # share of the body (TRUNCATE) or of the list (SHORT) that is kept
    after: int = 0  # matching requests that pass untouched before this fault applies
    depth: int = 50_000  # NESTED: the 400 KB body that once took 6 GB to parse
    size: int = 0  # HUGE: bytes of the whole body, blanks included
    path: str | None = None  # only requests whose path starts with this
    method: str | None = None  # only requests with this method

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or path.startswith(self.path)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "status": self.status,
            "seconds": self.seconds,
            "retry_after": self.retry_after,
            "keep": self.keep,
            "depth": self.depth,
            "size": self.size,
            "path": self.path,
            "method": self.method,
        }


# (status, fault or None) -> (JSON body bytes, extra headers)
ErrorRenderer = Callable[[int, Fault | None], tuple[bytes, dict[str, str]]]


class Faults:
    """Thread-safe fault controls; one instance may be shared by several emulators."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault] = deque()
        self._revoked = False
        self._forbidden = False
        self.leak_sensitive_fields = False
        self._hidden: tuple[frozenset[str], frozenset[str] | None] = (frozenset(), None)
        self._seen: deque[tuple[str, str, int]] = deque(maxlen=1000)
        self._padding_sent = 0

    # --- standing conditions --------------------------------------------------------------

    @property
    def revoked(self) -> bool:
        return self._revoked

    @property
    def forbidden(self) -> bool:
        return self._forbidden

    def revoke_credentials(self) -> None:
        """Every vendor request answers 401 until :meth:`restore_credentials`."""
        self._revoked = True

    def restore_credentials(self) -> None:
        self._revoked = False

    def forbid(self) -> None:
        """Every vendor request answers 403 (permission removed) until :meth:`allow`."""
        self._forbidden = True

    def allow(self) -> None:
        self._forbidden = False

    def hide_fields(self, *names: str, record_ids: Iterable[str] | None = None) -> None:
        """Every JSON answer leaves these fields out until :meth:`show_fields`, silently, as
        HiBob and BambooHR do for a field the service user has no permission to see.

        A name is a key as the vendor writes it (``terminationDate``), removed from every
        object; a dotted one (``work.department``) is also removed as the nested key
        (``{"work": {"department": ...}}``) and as the flat path key (``"/work/department"``).
        With ``record_ids``, only objects whose ``id`` is one of them (and what they hold) lose
        the fields: one person's department blanked, everyone else's intact.
        """
        self._hidden = (frozenset(names), None if record_ids is None else frozenset(record_ids))

    def show_fields(self) -> None:
        self._hidden = (frozenset(), None)

    @property
    def hidden_fields(self) -> tuple[frozenset[str], frozenset[str] | None]:
        """(field names, record ids or None for every record) that answers leave out."""
        return self._hidden

    # --- one-shot faults ------------------------------------------------------------------

    def inject(self, fault: Fault, times: int = 1) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queue.extend([fault] * times)

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """The next ``times`` matching requests answer ``status`` (vendor body by default)."""
        if not 400 <= status <= 599:
            raise ValueError("a failure status must be 4xx or 5xx")
        fault = Fault(
            FaultKind.STATUS,
            status=status,
            body=body,
            headers=dict(headers or {}),
            retry_after=retry_after,
            path=path,
            method=method,
        )
        self.inject(fault, times)

    def rate_limit_next(
        self,
        *,
        retry_after: float | None = 1,
        times: int = 1,
        path: str | None = None,
    ) -> None:
        """429s; ``retry_after=None`` leaves out ``Retry-After`` (vendors that omit it)."""
        self.fail_next(429, times=times, retry_after=retry_after, path=path)

    def slow_next(self, seconds: float, *, times: int = 1, path: str | None = None) -> None:
        self.inject(Fault(FaultKind.SLOW, seconds=seconds, path=path), times)

    def truncate_next(self, *, keep: float = 0.5, times: int = 1, path: str | None = None) -> None:
        if not 0 <= keep < 1:
            raise ValueError("keep must be in [0, 1)")
        self.inject(Fault(FaultKind.TRUNCATE, keep=keep, path=path), times)

    def short_page(self, *, keep: float = 0.2, after: int = 0, path: str | None = None) -> None:
        """The matching request after ``after`` others answers with only ``keep`` of its
        records (valid JSON: nothing but the count says anything is missing)."""
        if not 0 <= keep < 1:
            raise ValueError("keep must be in [0, 1)")
        self.inject(Fault(FaultKind.SHORT, keep=keep, after=after, path=path))

    def reshape_next(self, kind: FaultKind, *, times: int = 1, path: str | None = None) -> None:
        """The next ``times`` matching answers carry their records in the ``kind`` shape."""
        if kind not in _RESHAPES:
            raise ValueError(f"{kind} does not reshape an answer")
        self.inject(Fault(kind, path=path), times)

    def nest_next(self, *, depth: int = 50_000, after: int = 0, path: str | None = None) -> None:
        """The matching request after ``after`` others answers with a value ``depth`` levels
        deep inside its body (JSON or XML, still well-formed)."""
        if depth < 1:
            raise ValueError("depth must be at least 1")
        self.inject(Fault(FaultKind.NESTED, depth=depth, after=after, path=path))

    def huge_next(self, size: int, *, path: str | None = None) -> None:
        """The next matching request answers normally, then sends blanks (valid in JSON and
        XML) until ``size`` bytes have gone out, or the client hangs up."""
        if size < 0:
            raise ValueError("size must not be negative")
        self.inject(Fault(FaultKind.HUGE, size=size, path=path))

    def entities_next(self, *, path: str | None = None) -> None:
        """The next matching XML answer comes behind a DTD whose entity expands a
        billionfold."""
        self.inject(Fault(FaultKind.ENTITIES, path=path))

    def take(self, method: str, path: str) -> Fault | None:
        """Pop the first queued fault matching this request, if any."""
        with self._lock:
            for index, fault in enumerate(self._queue):
                if fault.matches(method, path):
                    if fault.after > 0:
                        self._queue[index] = replace(fault, after=fault.after - 1)
                        return None
                    del self._queue[index]
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._queue)

    def reset(self) -> None:
        """Clear the queue and every standing condition."""
        with self._lock:
            self._queue.clear()
            self._seen.clear()
            self._padding_sent = 0
        self._revoked = False
        self._forbidden = False
        self.leak_sensitive_fields = False
        self._hidden = (frozenset(), None)

    # --- request log ----------------------------------------------------------------------

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._seen.append((method, path, status))

    def requests(self) -> list[tuple[str, str, int]]:
        """(method, path, status) of recent vendor requests, oldest first: count retries."""
        with self._lock:
            return list(self._seen)

    def count_padding(self, sent: int) -> None:
        with self._lock:
            self._padding_sent += sent

    def padding_sent(self) -> int:
        """Bytes of HUGE answers handed to the client's connection: how far it read."""
        with self._lock:
            return self._padding_sent

    # --- JSON control ---------------------------------------------------------------------

    def configure(self, spec: Mapping[str, Any]) -> None:
        """Apply a JSON control document (the body of ``POST /_sandbox/faults``).

        Keys, all optional: ``reset`` (bool, applied first), ``revoked``, ``forbidden``,
        ``leak_sensitive_fields`` (bools), ``hidden_fields`` (a list of field names, see
        :meth:`hide_fields`; ``[]`` shows them again), and ``queue``: a list of objects with
        ``kind`` (``status`` | ``slow`` | ``truncate`` | ``short`` | ``list_as_number`` |
        ``record_as_string`` | ``wrong_types`` | ``nested`` | ``huge`` | ``entities``) and the
        :class:`Fault` fields (``status``, ``seconds``, ``retry_after``, ``body``, ``headers``,
        ``keep``, ``after``, ``depth``, ``size``, ``path``, ``method``) plus ``times``. Raises
        ``ValueError`` on anything malformed, before changing anything.
        """
        if not isinstance(spec, Mapping):
            raise ValueError("fault spec must be a JSON object")
        flags = {}
        for key in ("reset", "revoked", "forbidden", "leak_sensitive_fields"):
            if key in spec:
                if not isinstance(spec[key], bool):
                    raise ValueError(f"{key} must be a boolean")
                flags[key] = spec[key]
        hidden = spec.get("hidden_fields")
        if hidden is not None and (
            not isinstance(hidden, list) or not all(isinstance(n, str) for n in hidden)
        ):
            raise ValueError("hidden_fields must be a list of field names")
        queue = spec.get("queue", [])
        if not isinstance(queue, list):
            raise ValueError("queue must be a list")
        parsed = [self._parse_fault(item) for item in queue]

        if flags.get("reset"):
            self.reset()
        if "revoked" in flags:
            self._revoked = flags["revoked"]
        if "forbidden" in flags:
            self._forbidden = flags["forbidden"]
        if "leak_sensitive_fields" in flags:
            self.leak_sensitive_fields = flags["leak_sensitive_fields"]
        if hidden is not None:
            self.hide_fields(*hidden)
        for fault, times in parsed:
            self.inject(fault, times)

    @staticmethod
    def _parse_fault(item: Any) -> tuple[Fault, int]:
        if not isinstance(item, Mapping):
            raise ValueError("each queued fault must be a JSON object")
        try:
            kind = FaultKind(item.get("kind", "status"))
            times = int(item.get("times", 1))
            retry_after = item.get("retry_after")
            headers = item.get("headers") or {}
            if not isinstance(headers, Mapping):
                raise ValueError("headers must be an object")
            fault = Fault(
                kind,
                status=int(item.get("status", 500)),
                seconds=float(item.get("seconds", 0.0)),
                retry_after=float(retry_after) if retry_after is not None else None,
                body=item.get("body"),
                headers={str(k): str(v) for k, v in headers.items()},
                keep=float(item.get("keep", 0.5)),
                after=int(item.get("after", 0)),
                depth=int(item.get("depth", 50_000)),
                size=int(item.get("size", 0)),
                path=item.get("path"),
                method=item.get("method"),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"bad fault {item!r}: {exc}") from exc
        if times < 1:
            raise ValueError("times must be at least 1")
        if kind is FaultKind.STATUS and not 400 <= fault.status <= 599:
            raise ValueError("a failure status must be 4xx or 5xx")
        if kind in (FaultKind.TRUNCATE, FaultKind.SHORT) and not 0 <= fault.keep < 1:
            raise ValueError("keep must be in [0, 1)")
        if fault.depth < 1 or fault.size < 0:
            raise ValueError("depth must be at least 1 and size not negative")
        return fault, times

    def describe(self) -> dict[str, Any]:
        return {
            "revoked": self._revoked,
            "forbidden": self._forbidden,
            "leak_sensitive_fields": self.leak_sensitive_fields,
            "hidden_fields": sorted(self._hidden[0]),
            "queue": [f.describe() for f in self.pending()],
            "padding_sent": self.padding_sent(),
        }


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class FaultInjectionMiddleware:
    """ASGI middleware applying :class:`Faults` to every request outside ``exempt_prefix``."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        faults: Faults,
        render_error: ErrorRenderer,
        exempt_prefix: str = "/_sandbox",
    ) -> None:
        self.app = app
        self.faults = faults
        self.render_error = render_error
        self.exempt_prefix = exempt_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt_prefix):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        faults = self.faults

        async def recording_send(message: Message) -> None:
            # Record before sending: once the client has the answer, the log must show it.
            if message["type"] == "http.response.start":
                faults.record(method, path, message["status"])
            await send(message)

        if faults.revoked or faults.forbidden:
            status = 401 if faults.revoked else 403
            await self._send_error(recording_send, status, None)
        else:
            fault = faults.take(method, path)
            if fault is None and faults.hidden_fields[0]:
                await self._send_altered(scope, receive, recording_send, None)
            elif fault is None:
                await self.app(scope, receive, recording_send)
            elif fault.kind is FaultKind.STATUS:
                await self._send_error(recording_send, fault.status, fault)
            elif fault.kind is FaultKind.SLOW:
                await asyncio.sleep(fault.seconds)
                await self.app(scope, receive, recording_send)
            else:
                await self._send_altered(scope, receive, recording_send, fault)

    async def _send_error(self, send: Send, status: int, fault: Fault | None) -> None:
        if fault is not None and fault.body is not None:
            body = json.dumps(fault.body).encode()
            headers: dict[str, str] = {}
        else:
            body, headers = self.render_error(status, fault)
        if fault is not None:
            if fault.retry_after is not None:
                headers["Retry-After"] = _format_seconds(fault.retry_after)
            headers.update(fault.headers)
        headers["content-type"] = "application/json"
        headers["content-length"] = str(len(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _send_altered(
        self, scope: Scope, receive: Receive, send: Send, fault: Fault | None
    ) -> None:
        """The emulator's real answer, altered as `fault` says, hidden fields left out."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        if start is None:
            return
        body = _without(b"".join(chunks), *self.faults.hidden_fields)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        if fault is None:
            cut = body
        elif fault.kind is FaultKind.HUGE:
            # No length announced: the client learns the size only by reading.
            await send(
                {"type": "http.response.start", "status": start["status"], "headers": headers}
            )
            await self._pad(receive, send, body, fault.size)
            return
        elif fault.kind is FaultKind.SHORT:
            cut = _shortened(body, fault.keep)
        elif fault.kind is FaultKind.TRUNCATE:
            # Always lose at least one byte, so even a tiny answer stops parsing.
            cut = body[: min(len(body) - 1, int(len(body) * fault.keep))] if body else b""
        elif fault.kind is FaultKind.NESTED:
            cut = _nested(body, fault.depth)
        elif fault.kind is FaultKind.ENTITIES:
            cut = _entity_bomb(body)
        else:
            cut = _reshaped(body, fault.kind)
        headers.append((b"content-length", str(len(cut)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    async def _pad(self, receive: Receive, send: Send, body: bytes, size: int) -> None:
        """`body`, then blanks up to `size` bytes, until the client hangs up."""
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        await send({"type": "http.response.body", "body": body, "more_body": True})
        blanks = b" " * _PAD_CHUNK
        remaining = size - len(body)
        try:
            while remaining > 0 and not gone.is_set():
                chunk = blanks[:remaining]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                self.faults.count_padding(len(chunk))
                remaining -= len(chunk)
                # A send to a client that left returns at once: let the watcher notice.
                await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": b""})
        finally:
            watcher.cancel()


_PAD_CHUNK = 64 * 1024


def _nested(body: bytes, depth: int) -> bytes:
    """The same JSON or XML document with a value `depth` levels deep added to its outermost
    object, list or element (a bare scalar body becomes that value)."""
    text = body.rstrip()
    if text.lstrip().startswith(b"<"):
        close = text.rfind(b"</")
        deep = b"<n>" * depth + b"</n>" * depth
        return text[:close] + deep + text[close:] if close >= 0 else deep
    deep = b"[" * depth + b"]" * depth
    if not text.endswith((b"}", b"]")):
        return deep
    inner = text[:-1].rstrip()
    separator = b"" if inner.endswith((b"{", b"[")) else b","
    key = b'"nested":' if text.endswith(b"}") else b""
    return inner + separator + key + deep + text[-1:]


def _entity_bomb(body: bytes) -> bytes:
    """The XML body behind a DTD whose last entity expands to 10^9 "lol"s, used in the root."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    dtd = ("<!DOCTYPE lolz [" + "".join(entities) + "]>").encode()
    declaration_end = body.find(b"?>") + 2 if body.lstrip().startswith(b"<?xml") else 0
    close = body.rfind(b"</")
    return body[:declaration_end] + dtd + body[declaration_end:close] + b"&lol9;" + body[close:]


def _strip(value: Any, names: frozenset[str], ids: frozenset[str] | None, inside: bool) -> None:
    """Remove `names` from the objects in `value` that are, or are inside, a chosen record."""
    if isinstance(value, list):
        for item in value:
            _strip(item, names, ids, inside)
        return
    if not isinstance(value, dict):
        return
    inside = inside or ids is None or str(value.get("id")) in ids
    if inside:
        for name in names:
            value.pop(name, None)
            value.pop("/" + name.replace(".", "/"), None)
            *parents, leaf = name.split(".")
            holder: Any = value
            for key in parents:
                holder = holder.get(key) if isinstance(holder, dict) else None
            if parents and isinstance(holder, dict):
                holder.pop(leaf, None)
    for child in value.values():
        _strip(child, names, ids, inside)


def _without(body: bytes, names: frozenset[str], ids: frozenset[str] | None) -> bytes:
    """The same JSON without the hidden fields; a body that is not JSON as it was."""
    if not names:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    _strip(document, names, ids, inside=False)
    return json.dumps(document).encode()


def _longest_list(value: Any) -> list[Any] | None:
    """The longest list reachable through objects only: a page's records, not a record's
    own lists."""
    found: list[Any] | None = value if isinstance(value, list) else None
    children = value.values() if isinstance(value, dict) else ()
    for child in children:
        if isinstance(child, dict | list):
            candidate = _longest_list(child)
            if candidate is not None and (found is None or len(candidate) > len(found)):
                found = candidate
    return found


def _shortened(body: bytes, keep: float) -> bytes:
    """The same JSON with its longest list cut to `keep` of its items (at least one fewer)."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    records = _longest_list(document)
    if records:
        del records[min(len(records) - 1, int(len(records) * keep)) :]
    return json.dumps(document).encode()


def _replaced(value: Any, target: list[Any], by: Any) -> Any:
    """`value` with the list `target` (the very object, reached through objects) set to `by`."""
    if value is target:
        return by
    if isinstance(value, dict):
        return {key: _replaced(child, target, by) for key, child in value.items()}
    return value


def _retyped(record: Any) -> Any:
    """Every value of another type: a number for text, a list or an object; text for the rest."""
    if not isinstance(record, dict):
        return record
    return {k: 5 if isinstance(v, str | list | dict) else "5" for k, v in record.items()}


def _reshaped(body: bytes, kind: FaultKind) -> bytes:
    """The same JSON with its records in the `kind` shape; an answer without a list as it was."""
    try:
        document = json.loads(body)
    except ValueError:
        return body
    records = _longest_list(document)
    if records is None:
        return body
    if kind is FaultKind.LIST_AS_NUMBER:
        document = _replaced(document, records, len(records))
    elif kind is FaultKind.RECORD_AS_STRING:
        records[:] = [json.dumps(record) for record in records]
    else:
        records[:] = [_retyped(record) for record in records]
    return json.dumps(document).encode()
