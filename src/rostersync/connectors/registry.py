"""The one list of vendors rostersync can connect to."""

from __future__ import annotations

from rostersync.connectors.base import Connector
from rostersync.connectors.errors import BadInput
from rostersync.connectors.vendors import hibob

CONNECTORS: dict[str, Connector] = {c.slug: c for c in (hibob.CONNECTOR,)}


def get_connector(slug: str) -> Connector:
    try:
        return CONNECTORS[slug]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise BadInput(f"unknown provider {slug!r}; known providers: {known}") from None
