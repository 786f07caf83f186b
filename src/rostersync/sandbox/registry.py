"""The one list of vendor emulators, by connector slug.

Vendor modules never import each other (an import-linter contract); this registry is the
only place that knows them all.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from rostersync.sandbox.vendors import hibob

__all__ = ["EMULATORS", "EmulatorFactory"]

# ``create_app(company, *, <credentials>, faults=None) -> FastAPI``. Credential keywords are
# each vendor's own (HiBob: ``service_user_id``, ``token``), so no single signature fits all.
EmulatorFactory = Callable[..., FastAPI]

EMULATORS: dict[str, EmulatorFactory] = {
    "hibob": hibob.create_app,
}
