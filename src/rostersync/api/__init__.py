"""The HTTP API (FastAPI routers). Imports engine, delivery, store and model."""

from rostersync.api.admin import router as admin_router
from rostersync.api.errors import install as install_error_handlers
from rostersync.api.health import router as health_router

__all__ = ["admin_router", "health_router", "install_error_handlers"]
