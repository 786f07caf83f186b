"""Server-rendered pages (Jinja2): thin adapters over rostersync.services."""

from rostersync.web.connect import SandboxTarget, connect_router
from rostersync.web.docs import docs_router
from rostersync.web.overview import DemoAccess, overview_router
from rostersync.web.receiver import DemoReceiver
from rostersync.web.static_files import router as static_router

__all__ = [
    "DemoAccess",
    "DemoReceiver",
    "SandboxTarget",
    "connect_router",
    "docs_router",
    "overview_router",
    "static_router",
]
