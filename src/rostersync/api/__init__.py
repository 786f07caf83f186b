"""The HTTP API (FastAPI routers). Imports engine, delivery, store and model."""

from rostersync.api.health import router as health_router

__all__ = ["health_router"]
