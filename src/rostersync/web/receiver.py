"""The demo's stand-in for the product: receives the webhooks and shows what arrived.

It verifies each delivery with the `standardwebhooks` library, as a real product would, and
shows the verdict next to the event.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


@dataclass(frozen=True)
class Received:
    webhook_id: str
    received_at: datetime
    verified: bool
    body: dict[str, Any]


class DemoReceiver:
    def __init__(self, secret: str, *, keep: int = 1000) -> None:
        self._webhook = Webhook(secret)
        self._events: deque[Received] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def events(self) -> list[Received]:
        with self._lock:
            return list(reversed(self._events))

    def router(self) -> APIRouter:
        router = APIRouter(prefix="/demo/receiver", include_in_schema=False)

        @router.post("")
        async def receive(request: Request) -> JSONResponse:
            raw = await request.body()
            headers = dict(request.headers)
            try:
                body = self._webhook.verify(raw, headers)
                verified = True
            except WebhookVerificationError:
                body, verified = json.loads(raw or b"{}"), False
            event = Received(headers.get("webhook-id", ""), datetime.now(UTC), verified, body)
            with self._lock:
                if any(e.webhook_id == event.webhook_id for e in self._events):
                    # A redelivery: acknowledged, not shown twice (webhook-id is idempotency).
                    return JSONResponse({"duplicate": True})
                self._events.append(event)
            return JSONResponse({"received": True}, status_code=200 if verified else 400)

        @router.get("", response_class=HTMLResponse)
        def page(request: Request) -> HTMLResponse:
            return TEMPLATES.TemplateResponse(request, "receiver.html", {"events": self.events()})

        return router
