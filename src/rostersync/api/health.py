"""Liveness and the provider catalog: the routes that hold no tenant data."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from rostersync.engine import providers

router = APIRouter()


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/api/v1/providers", tags=["catalog"])
def list_providers() -> list[dict[str, Any]]:
    """Each HRIS rostersync can connect to, and the credential fields it asks for."""
    return [info.as_dict() for info in providers()]
