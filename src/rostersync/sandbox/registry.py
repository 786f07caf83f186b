"""The one list of vendor emulators, by connector slug.

Vendor modules never import each other (an import-linter contract); this registry is the
only place that knows them all.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from rostersync.sandbox.vendors import (
    adpworkforcenow,
    bamboohr,
    breathehr,
    charliehr,
    deel,
    employmenthero,
    factorial,
    gusto,
    hibob,
    humaans,
    lucca,
    namely,
    oraclehcm,
    personio,
    rippling,
    sagehr,
    ukgpro,
    workday,
    zenefits,
)

__all__ = ["EMULATORS", "EMULATOR_CREDENTIALS", "EmulatorFactory"]

# ``create_app(company, *, credentials, faults=None) -> FastAPI``. Credential names are each
# vendor's own (HiBob: ``service_user_id``, ``token``): the module's CREDENTIALS lists them.
EmulatorFactory = Callable[..., FastAPI]

_MODULES = {
    "hibob": hibob,
    "humaans": humaans,
    "factorial": factorial,
    "breathehr": breathehr,
    "sagehr": sagehr,
    "charliehr": charliehr,
    "workday": workday,
    "bamboohr": bamboohr,
    "zenefits": zenefits,
    "employmenthero": employmenthero,
    "lucca": lucca,
    "deel": deel,
    "namely": namely,
    "gusto": gusto,
    "personio": personio,
    "rippling": rippling,
    "adpworkforcenow": adpworkforcenow,
    "oraclehcm": oraclehcm,
    "ukgpro": ukgpro,
}

EMULATORS: dict[str, EmulatorFactory] = {slug: m.create_app for slug, m in _MODULES.items()}

EMULATOR_CREDENTIALS: dict[str, tuple[str, ...]] = {
    slug: tuple(m.CREDENTIALS) for slug, m in _MODULES.items()
}
"""The credential names each emulator's ``create_app`` reads (its module's CREDENTIALS)."""
