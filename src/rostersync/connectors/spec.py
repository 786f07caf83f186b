"""The typed, declarative description of a vendor: what a new connector mostly is.

A spec says how to authenticate, where the API lives and which hosts it may be on, which
endpoints to read and how they page, and how one vendor record becomes our model. The mappers
are plain functions (the part no spec language says better than Python).

Streams declare what they need of each other, as dlt's REST source declares dependent
resources: a stream `collect`s (key, value) pairs from its records into a table named after it,
and the mappers of later streams join on that table (a team's members, departments by name).
A stream may also make one call per record (`Detail`, dlt's `resolve`): each record's
key fills the detail path, and the mapper sees that answer's records with the record.
`checks` run once everything is read. A `read` hook replaces the stream loop only where an API
cannot be declared (SOAP), and its rows still go through the same mapping and validation.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from rostersync.connectors.auth import AuthKind, MutualTls
from rostersync.connectors.base import Record, SetupGuide
from rostersync.connectors.errors import InvalidSpec
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import NO_PAGING, Paginator
from rostersync.connectors.providers import CredentialField, Provider
from rostersync.model import ALLOWLIST, RecordType, field_names
from rostersync.net import RetryPolicy

__all__ = [
    "Check",
    "Collector",
    "ConnectorSpec",
    "Detail",
    "FieldList",
    "MapContext",
    "Mapper",
    "SetupGuide",
    "Stream",
    "VendorField",
    "group_keeps",
    "location_keeps",
]
"""SetupGuide lives in base (the Connector protocol names it) and is part of a spec's words."""

if TYPE_CHECKING:
    from rostersync.connectors.declarative import SpecReader

Table = Mapping[Hashable, Sequence[Any]]


@dataclass(frozen=True)
class MapContext:
    as_of: date
    vendor: str
    tables: dict[str, dict[Hashable, list[Any]]] = field(default_factory=dict)
    """What earlier streams collected, by stream name: key -> every value, in read order."""

    detail: tuple[Any, ...] = ()
    """The records of the stream's per-record call (`Stream.detail`) for the record mapped."""

    def joined(self, stream: str) -> Table:
        """The table a stream read earlier collected (empty if it collected nothing)."""
        return self.tables.get(stream, {})


Mapper = Callable[[Mapping[str, Any], MapContext], Record | Iterable[Record] | None]
"""One vendor record -> our record(s); None (or nothing) to skip it (e.g. archived)."""

Collector = Callable[[Mapping[str, Any], MapContext], Iterable[tuple[Hashable, Any]]]
"""One vendor record -> (key, value) pairs that later streams join on (a team's members)."""

Check = Callable[[MapContext], None]
"""Run once every stream is read; raises BadPayload when the read does not hold together."""


@dataclass(frozen=True)
class Detail:
    """One call per record of a stream: the record's `key` value, percent-encoded, fills the
    `{key}` placeholder of `path`, and the answer's list reaches the mapper as
    `MapContext.detail`. Costs a request per record: only where no list endpoint carries it."""

    path: str
    key: str
    records_path: str = ""
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    paginator: Paginator = NO_PAGING
    keeps: tuple[VendorField, ...] = ()
    """The fields of each answer record the mapper reads; every other one is dropped."""

    @property
    def name(self) -> str:
        return f"{self.path} detail"

    @property
    def query(self) -> Mapping[str, Any]:
        return self.params

    @property
    def payload(self) -> Mapping[str, Any] | None:
        return self.body

    def __post_init__(self) -> None:
        if self.key not in _placeholders(self.path):
            raise InvalidSpec(f"detail {self.path!r} has no {{{self.key}}} placeholder")
        _check_keeps(f"detail {self.path!r}", self.keeps)


ALLOWLIST_KEYS = frozenset(f.key for f in ALLOWLIST)


@dataclass(frozen=True)
class VendorField:
    """A vendor field a stream asks for by name, or reads from an answer that names none, and
    the allowlisted fields it fills.

    The disclosure screen shows these, so a field read only to decide a status (a termination
    date) says so: it feeds only derived fields, and its value is never kept. A field that
    only leaves records out (an archived flag) `selects` and feeds nothing."""

    name: str
    """The vendor's field id; in an answer, a path: `department.id`, `jobs[].hire_date`."""
    feeds: tuple[str, ...] = ()
    """Allowlist keys (`employee.start_date`)."""
    selects: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.feeds) - ALLOWLIST_KEYS)
        if self.selects and self.feeds:
            raise InvalidSpec(f"vendor field {self.name!r} selects records and feeds fields")
        if (not self.feeds and not self.selects) or unknown:
            raise InvalidSpec(f"vendor field {self.name!r} must feed allowlisted fields: {unknown}")


def group_keeps(
    *, id_path: str = "id", name_path: str = "name", selects: tuple[str, ...] = ()
) -> tuple[VendorField, ...]:
    """What `mapping.group_mapper` reads with the same paths, and the fields its `active`
    test reads (`selects`)."""
    return (
        VendorField(id_path, ("group.remote_id",)),
        VendorField(name_path, ("group.name",)),
        *(VendorField(name, selects=True) for name in selects),
    )


def location_keeps(
    *, id_path: str = "id", country_paths: tuple[str, ...] = ("country",)
) -> tuple[VendorField, ...]:
    """What `mapping.location_mapper` reads with the same paths."""
    return (
        VendorField(id_path, ("location.remote_id",)),
        *(VendorField(path, ("location.country",)) for path in country_paths),
    )


def _check_keeps(what: str, keeps: tuple[VendorField, ...]) -> None:
    names = [f.name for f in keeps]
    if not names:
        # The disclosure promises everything else is dropped: that needs the list.
        raise InvalidSpec(f"{what} names no fields and declares none it keeps")
    if len(set(names)) != len(names):
        raise InvalidSpec(f"{what} declares a kept field twice")


@dataclass(frozen=True)
class FieldList:
    """Where a request names the fields it wants: a query parameter (`fields=a,b`, or repeated
    `attributes[]=a`) or a key of the JSON body (a list)."""

    key: str
    in_body: bool = False
    separator: str | None = None
    """Joins the names into one query value; None repeats the parameter (or, in a body, sends
    a JSON list)."""
    nested: bool = False
    """Oracle ADF style: a name `child:Attr` belongs to a child resource, and the value groups
    them as `Attr,Attr;child:Attr,Attr` (root attributes first, then each child in order)."""

    def render(self, names: tuple[str, ...]) -> str | list[str]:
        """The query value for these names."""
        if self.nested:
            groups: dict[str, list[str]] = {}
            for name in names:
                child, _, attribute = name.rpartition(":")
                groups.setdefault(child, []).append(attribute)
            root = ",".join(groups.pop("", []))
            return ";".join([root, *(f"{c}:{','.join(a)}" for c, a in groups.items())])
        return self.separator.join(names) if self.separator is not None else list(names)


@dataclass(frozen=True)
class Stream:
    name: str
    path: str
    """Documented path under the API root; `{field}` placeholders take credential values."""
    map: Mapper | None = None
    """None for a stream read only for what it collects (a list of job roles)."""
    method: str = "GET"
    params: Mapping[str, str] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None
    records_path: str = ""
    """Where the list of records sits in each page (`data`, `employees`); "" = the body."""
    paginator: Paginator = NO_PAGING
    collect: Collector | None = None
    """Fills the table named after the stream, which mappers of later streams read."""
    unique: bool = False
    """Skip a record an earlier stream already gave (one person listed by two endpoints)."""
    detail: Detail | None = None
    """A call per record whose answer the mapper needs (an employee's work addresses)."""
    fields: tuple[VendorField, ...] = ()
    """The vendor fields requested, for an API that lets us choose them (`field_list`)."""
    field_list: FieldList | None = None
    keeps: tuple[VendorField, ...] = ()
    """For an API that sends whole records: the fields of each record the mapper and collector
    read (what the disclosure lists as kept); every other one is dropped on arrival."""

    @property
    def requested(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def query(self) -> Mapping[str, Any]:
        """The parameters sent, the field list included when it travels in the query."""
        listed = self.field_list
        if listed is None or listed.in_body:
            return self.params
        return {**self.params, listed.key: listed.render(self.requested)}

    @property
    def payload(self) -> Mapping[str, Any] | None:
        """The JSON body sent, the field list included when it travels in the body."""
        listed = self.field_list
        if listed is None or not listed.in_body:
            return self.body
        return {**(self.body or {}), listed.key: list(self.requested)}

    def __post_init__(self) -> None:
        if bool(self.fields) != (self.field_list is not None):
            raise InvalidSpec(f"stream {self.name!r} must name its fields and where they go")
        if self.field_list is not None and self.field_list.in_body and self.method != "POST":
            raise InvalidSpec(f"stream {self.name!r} sends a body field list without POST")
        if self.map is None and self.collect is None:
            raise InvalidSpec(f"stream {self.name!r} neither maps nor collects its records")
        if self.method not in ("GET", "POST"):
            raise InvalidSpec(f"stream {self.name!r}: method {self.method!r} is not GET or POST")
        if self.detail is not None and self.paginator.streams:
            # Per-record calls go out while the page is held, which a streamed body cannot be.
            raise InvalidSpec(f"stream {self.name!r} has a detail call but streams its body")
        if self.field_list is None:
            _check_keeps(f"stream {self.name!r}", self.keeps)
        elif self.keeps:
            raise InvalidSpec(f"stream {self.name!r} keeps what it requests: it lists no keeps")


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise InvalidSpec(f"template {template!r} is malformed: {exc}") from None


def _auth_templates(auth: object) -> Iterator[str]:
    """The credential templates of an auth kind (its text fields, nested kinds included)."""
    if not dataclasses.is_dataclass(auth):
        return
    for item in dataclasses.fields(auth):
        value = getattr(auth, item.name)
        if isinstance(value, str):
            yield value
        elif dataclasses.is_dataclass(value):
            yield from _auth_templates(value)


@dataclass(frozen=True)
class ConnectorSpec:
    provider: Provider
    """The vendor's name, documentation and credential fields, listed without this module."""
    api_root: str
    """Documented API root; may hold `{field}` placeholders (a customer's subdomain)."""
    allowed_hosts: tuple[str, ...]
    """Hosts the API root may resolve to (`*.suffix` patterns); the host guard enforces them."""
    auth: AuthKind
    guide: SetupGuide
    streams: tuple[Stream, ...] = ()
    mutual_tls: MutualTls | None = None
    """A client certificate the vendor requires on every connection (ADP)."""
    checks: tuple[Check, ...] = ()
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rate_limits: tuple[RateLimit, ...] = ()
    """The vendor's documented request limits, kept by spacing the read's requests."""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Accept": "application/json"})
    read: Callable[[SpecReader], Iterator[Record]] | None = None
    """Replaces the stream loop where an API cannot be declared (SOAP); its rows still go
    through `SpecReader.mapped`."""
    fields: tuple[str, ...] = tuple(
        name for name in field_names(RecordType.EMPLOYEE) if name != "on_garden_leave"
    )
    """The allowlisted employee fields the vendor provides (default: all but garden leave,
    which only a vendor that labels it has): one of these empty for everyone is a permission
    gap, and preflight and the dashboard say so."""
    unavailable: tuple[str, ...] = ()
    """Allowlist keys of group and location fields the vendor's API never provides (a site's
    country): the disclosure lists them as not available instead of promising them. Employee
    fields missing from `fields` are unavailable too."""
    described: tuple[Stream, ...] = ()
    """For a spec with its own `read`: the requests it makes, as the disclosure shows them."""

    @property
    def shown_streams(self) -> tuple[Stream, ...]:
        """The requests the disclosure lists: the streams, or what a custom read describes."""
        return self.streams or self.described

    @property
    def not_provided(self) -> tuple[str, ...]:
        """Allowlist keys this vendor never fills, in allowlist order."""
        absent = set(self.unavailable) | {
            f"{RecordType.EMPLOYEE}.{name}"
            for name in field_names(RecordType.EMPLOYEE)
            if name not in self.fields
        }
        return tuple(f.key for f in ALLOWLIST if f.key in absent)

    @property
    def slug(self) -> str:
        return self.provider.slug

    @property
    def display_name(self) -> str:
        return self.provider.display_name

    @property
    def docs_url(self) -> str:
        return self.provider.docs_url

    @property
    def credential_fields(self) -> tuple[CredentialField, ...]:
        return self.provider.credential_fields

    def __post_init__(self) -> None:
        """A spec that cannot work fails when its module is imported, not at a customer's
        first sync."""
        where = f"{self.slug} spec"
        if not self.streams and self.read is None:
            raise InvalidSpec(f"{where} declares no streams and no read")
        names = [stream.name for stream in self.streams]
        if len(set(names)) != len(names):
            raise InvalidSpec(f"{where}: stream names must be unique (tables are named by them)")
        unknown_fields = set(self.fields) - set(field_names(RecordType.EMPLOYEE))
        if unknown_fields:
            raise InvalidSpec(
                f"{where}: fields {', '.join(sorted(unknown_fields))} are not allowlisted"
            )
        if not set(self.unavailable) <= ALLOWLIST_KEYS - {
            f"{RecordType.EMPLOYEE}.{n}" for n in field_names(RecordType.EMPLOYEE)
        }:
            raise InvalidSpec(
                f"{where}: unavailable names a field that is not a group or location's"
            )
        if self.described and self.read is None:
            raise InvalidSpec(f"{where}: only a custom read describes its requests")
        declared = {f.name for f in self.credential_fields}
        plain = [
            self.api_root,
            *_auth_templates(self.auth),
            *_auth_templates(self.mutual_tls),
            *(s.path for s in self.streams),
        ]
        templates = [(template, declared) for template in plain]
        templates += [
            (stream.detail.path, declared | {stream.detail.key})
            for stream in self.streams
            if stream.detail is not None
        ]
        for template, known in templates:
            unknown = _placeholders(template) - known
            if unknown:
                raise InvalidSpec(
                    f"{where}: {template!r} names {', '.join(sorted(unknown))}, "
                    "which no credential field declares"
                )
