"""The one list of vendors rostersync can connect to, each connector imported when first used."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from rostersync.connectors.errors import BadInput, InvalidSpec
from rostersync.connectors.providers import PROVIDERS

if TYPE_CHECKING:
    from rostersync.connectors.base import Connector


class _Connectors(Mapping[str, "Connector"]):
    """Slug -> connector, in PROVIDERS' order; a vendor's module (its spec, mappers and models)
    is imported on the first lookup of that vendor, so listing the providers imports none."""

    def __getitem__(self, slug: str) -> Connector:
        if slug not in PROVIDERS:
            raise KeyError(slug)
        module = importlib.import_module(f"rostersync.connectors.vendors.{slug}")
        connector: Connector = module.CONNECTOR
        if connector.slug != slug:
            raise InvalidSpec(f"module {module.__name__} holds the {connector.slug} connector")
        return connector

    def __iter__(self) -> Iterator[str]:
        return iter(PROVIDERS)

    def __len__(self) -> int:
        return len(PROVIDERS)


CONNECTORS: Mapping[str, Connector] = _Connectors()


def get_connector(slug: str) -> Connector:
    try:
        return CONNECTORS[slug]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise BadInput(f"unknown provider {slug!r}; known providers: {known}") from None
