"""The typed, declarative description of a vendor: what a new connector mostly is.

A spec says how to authenticate, where the API lives and which hosts it may be on, which
endpoints to read and how they page, and how one vendor record becomes our model. The mappers
are plain functions (the part no spec language says better than Python); a `read` hook
replaces the whole stream loop for APIs a spec cannot describe (SOAP, per-record lookups).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from rostersync.connectors.auth import AuthKind
from rostersync.connectors.base import CredentialField, Record, SetupGuide
from rostersync.connectors.paging import NO_PAGING, Paginator
from rostersync.net import RetryPolicy

__all__ = ["ConnectorSpec", "MapContext", "Mapper", "SetupGuide", "Stream"]
"""SetupGuide lives in base (the Connector protocol names it) and is part of a spec's words."""

if TYPE_CHECKING:
    from rostersync.connectors.declarative import SpecReader


@dataclass(frozen=True)
class MapContext:
    as_of: date
    vendor: str


Mapper = Callable[[Mapping[str, Any], MapContext], Record | Iterable[Record] | None]
"""One vendor record -> our record(s); None (or nothing) to skip it (e.g. archived)."""


@dataclass(frozen=True)
class Stream:
    name: str
    path: str
    """Documented path under the API root; `{field}` placeholders take credential values."""
    map: Mapper
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    records_path: str = ""
    """Where the list of records sits in each page (`data`, `employees`); "" = the body."""
    paginator: Paginator = NO_PAGING


@dataclass(frozen=True)
class ConnectorSpec:
    slug: str
    display_name: str
    docs_url: str
    api_root: str
    """Documented API root; may hold `{field}` placeholders (a customer's subdomain)."""
    allowed_hosts: tuple[str, ...]
    """Hosts the API root may resolve to (`*.suffix` patterns); the host guard enforces them."""
    credential_fields: tuple[CredentialField, ...]
    auth: AuthKind
    guide: SetupGuide
    streams: tuple[Stream, ...] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    headers: Mapping[str, str] = field(default_factory=lambda: {"Accept": "application/json"})
    rate_limits: str = ""
    """What the vendor documents, for docs/connectors.md and the retry policy's settings."""
    read: Callable[[SpecReader], Iterator[Record]] | None = None
    """Replaces the stream loop for what a spec cannot say."""
