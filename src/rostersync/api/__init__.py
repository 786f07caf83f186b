"""The HTTP API (FastAPI routers). Imports engine, delivery, store and model."""

from rostersync.api.admin import router as admin_router
from rostersync.api.errors import install as install_error_handlers
from rostersync.api.feed import router as feed_router
from rostersync.api.health import router as health_router
from rostersync.api.hris import router as hris_router
from rostersync.api.links import router as links_router

__all__ = [
    "admin_router",
    "feed_router",
    "health_router",
    "hris_router",
    "install_error_handlers",
    "links_router",
]
