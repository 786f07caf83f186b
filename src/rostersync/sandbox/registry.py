"""The one list of vendor emulators, by connector slug.

Vendor modules never import each other (an import-linter contract); this registry is the
only place that knows them all.
"""

from __future__ import annotations

from typing import Protocol

from fastapi import FastAPI

from rostersync.sandbox.company import SyntheticCompany
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.vendors import hibob

__all__ = ["EMULATORS", "EmulatorFactory"]


class EmulatorFactory(Protocol):
    """``create_app(company, *, service_user_id=..., token=..., faults=...)``.

    Credential keyword names follow each vendor's own vocabulary, so callers pass them by
    name from the vendor's setup guide.
    """

    def __call__(
        self,
        company: SyntheticCompany,
        *,
        service_user_id: str,
        token: str,
        faults: Faults | None = None,
    ) -> FastAPI: ...


EMULATORS: dict[str, EmulatorFactory] = {
    "hibob": hibob.create_app,
}
