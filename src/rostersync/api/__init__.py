"""The HTTP API (FastAPI routers): thin adapters over rostersync.services."""

from rostersync.api.admin import router as admin_router
from rostersync.api.deliveries import router as deliveries_router
from rostersync.api.errors import install as install_error_handlers
from rostersync.api.feed import router as feed_router
from rostersync.api.health import router as health_router
from rostersync.api.hris import router as hris_router
from rostersync.api.keys import router as keys_router
from rostersync.api.links import router as links_router

__all__ = [
    "admin_router",
    "deliveries_router",
    "feed_router",
    "health_router",
    "hris_router",
    "install_error_handlers",
    "keys_router",
    "links_router",
]
