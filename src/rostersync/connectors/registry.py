"""The one list of vendors rostersync can connect to."""

from __future__ import annotations

from rostersync.connectors.base import Connector
from rostersync.connectors.errors import BadInput
from rostersync.connectors.vendors import (
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

CONNECTORS: dict[str, Connector] = {
    c.slug: c
    for c in (
        hibob.CONNECTOR,
        sagehr.CONNECTOR,
        breathehr.CONNECTOR,
        charliehr.CONNECTOR,
        humaans.CONNECTOR,
        factorial.CONNECTOR,
        workday.CONNECTOR,
        bamboohr.CONNECTOR,
        deel.CONNECTOR,
        namely.CONNECTOR,
        zenefits.CONNECTOR,
        employmenthero.CONNECTOR,
        gusto.CONNECTOR,
        personio.CONNECTOR,
        rippling.CONNECTOR,
        lucca.CONNECTOR,
    )
}


def get_connector(slug: str) -> Connector:
    try:
        return CONNECTORS[slug]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise BadInput(f"unknown provider {slug!r}; known providers: {known}") from None
