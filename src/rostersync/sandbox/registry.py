"""The one list of vendor emulators, by connector slug.

Vendor modules never import each other (an import-linter contract); this registry is the
only place that knows them all.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from rostersync.sandbox.vendors import (
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
    personio,
    rippling,
    sagehr,
    workday,
    zenefits,
)

__all__ = ["EMULATORS", "EmulatorFactory"]

# ``create_app(company, *, <credentials>, faults=None) -> FastAPI``. Credential keywords are
# each vendor's own (HiBob: ``service_user_id``, ``token``), so no single signature fits all.
EmulatorFactory = Callable[..., FastAPI]

EMULATORS: dict[str, EmulatorFactory] = {
    "hibob": hibob.create_app,
    "humaans": humaans.create_app,
    "factorial": factorial.create_app,
    "breathehr": breathehr.create_app,
    "sagehr": sagehr.create_app,
    "charliehr": charliehr.create_app,
    "workday": workday.create_app,
    "bamboohr": bamboohr.create_app,
    "zenefits": zenefits.create_app,
    "employmenthero": employmenthero.create_app,
    "lucca": lucca.create_app,
    "deel": deel.create_app,
    "namely": namely.create_app,
    "gusto": gusto.create_app,
    "personio": personio.create_app,
    "rippling": rippling.create_app,
}
