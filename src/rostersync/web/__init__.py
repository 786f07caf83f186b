"""Server-rendered pages (Jinja2). Imports engine, delivery, store and model."""

from rostersync.web.overview import overview_router
from rostersync.web.receiver import DemoReceiver

__all__ = ["DemoReceiver", "overview_router"]
