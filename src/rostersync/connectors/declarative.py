"""Runs a ConnectorSpec: pages -> vendor records -> mapped, allowlisted model records.

Single-response endpoints are parsed as a stream (memory stays flat however large the
company); paged endpoints are read a page at a time. A page that repeats, stops short of an
announced total, or cannot be mapped fails the whole read.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import ValidationError

from rostersync.connectors.auth import render
from rostersync.connectors.base import ReadContext, Record
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.http import (
    VendorClient,
    check_base_url,
    effective_root,
    iter_json_items,
    parse_json,
    read_body,
)
from rostersync.connectors.mapping import dig, ident
from rostersync.connectors.paging import Page, PageRequest
from rostersync.connectors.providers import CredentialField
from rostersync.connectors.spec import ConnectorSpec, Detail, MapContext, SetupGuide, Stream
from rostersync.model import Employee, Group, Location


def _override_host(url: str, base_url: str | None) -> str:
    """An absolute documented URL moved to the base URL's scheme, host and port."""
    if not base_url:
        return url
    target, override = urlsplit(url), urlsplit(base_url)
    path = override.path.rstrip("/") + target.path
    return urlunsplit((override.scheme, override.netloc, path, target.query, ""))


def resolve_url(url: str, root: str, base_url: str | None) -> str:
    """A documented path (under the API root) or absolute URL, as called with this base URL."""
    return root + url if url.startswith("/") else _override_host(url, base_url)


def _unreadable(what: str, exc: ValidationError) -> BadPayload:
    # Field names only: the values may be personal data.
    fields = sorted({".".join(str(p) for p in error["loc"]) for error in exc.errors()})
    return BadPayload(f"{what} we cannot read (fields: {', '.join(fields)})")


class SpecReader:
    """One read of one spec: the client, the clock, and the stream loop's building blocks."""

    def __init__(self, spec: ConnectorSpec, client: VendorClient, context: ReadContext) -> None:
        self.spec = spec
        self.client = client
        self.context = context
        self.map_context = MapContext(as_of=context.as_of, vendor=spec.display_name)

    def path(self, template: str) -> str:
        return render(template, self.context.credentials)

    def raw(self, stream: Stream | Detail, path: str | None = None) -> Iterator[Any]:
        """Every vendor record of a stream (or of one detail call, at `path`), page after page."""
        paginator = stream.paginator
        request: PageRequest | None = paginator.first()
        seen = 0
        first_items: int | None = None
        previous_items: int | None = None
        previous_page: list[Any] | None = None
        number = 0
        asked: set[str] = set()
        while request is not None:
            target = request.url or path or self.path(stream.path)
            params = None if request.url else {**stream.query, **request.params}
            sent = stream.payload
            body = None if sent is None else {**sent, **(request.body or {})}
            fingerprint = json.dumps([target, params, body], sort_keys=True)
            if fingerprint in asked:
                raise BadPayload(f"{self.spec.display_name} sent the same {stream.name} page twice")
            asked.add(fingerprint)
            vendor, endpoint = self.spec.display_name, f"{stream.method} {stream.path}"
            with self.client.stream(stream.method, target, params=params, json=body) as response:
                if paginator.streams:
                    yield from iter_json_items(
                        response, stream.records_path, vendor=vendor, endpoint=endpoint
                    )
                    return
                content = read_body(response, vendor=vendor, endpoint=endpoint)
                headers = response.headers
                no_content = response.status_code == 204
            if no_content:
                # 204 No Content (ADP, past the end of the list, as integrators report): an
                # empty page.
                page_body: Any = None
                items: Any = []
            else:
                page_body = parse_json(content, vendor=vendor, endpoint=endpoint)
                items = dig(page_body, stream.records_path) if stream.records_path else page_body
            if not isinstance(items, list):
                raise BadPayload(
                    f"{self.spec.display_name} sent a {stream.name} page without a list"
                    + (f" at {stream.records_path!r}" if stream.records_path else "")
                )
            number += 1
            if items and items == previous_page:
                # The vendor ignored the page request and sent the same records again: on the
                # second page that means the endpoint is not paged (the first page was all of
                # it); later, the list cannot be trusted.
                if number == 2:
                    return
                raise BadPayload(
                    f"{self.spec.display_name} sent {stream.name} page {number - 1} again"
                )
            previous_page = items
            yield from items
            seen += len(items)
            if first_items is None:
                first_items = len(items)
            page = Page(page_body, headers, len(items), request, seen, first_items, previous_items)
            previous_items = len(items)
            request = paginator.next(page)

    def detail(self, stream: Stream, raw: Mapping[str, Any]) -> MapContext:
        """The map context for one record of a stream with a per-record call: its answer."""
        detail = stream.detail
        if detail is None:
            return self.map_context
        key = ident(raw.get(detail.key))
        if key is None:
            raise BadPayload(
                f"{self.spec.display_name} sent a {stream.name} record without {detail.key}"
            )
        # Encoded whole: an id is one path segment, whatever the vendor put in it.
        values = {**self.context.credentials, detail.key: quote(key, safe="")}
        records = tuple(self.raw(detail, path=render(detail.path, values)))
        return dataclasses.replace(self.map_context, detail=records)

    def mapped(self, stream: Stream, raw: Any) -> tuple[Record, ...]:
        """One vendor record through the stream's mapper and collector: our records, or
        BadPayload naming the vendor and stream (never a value: it may be personal)."""
        if not isinstance(raw, Mapping):
            raise BadPayload(
                f"{self.spec.display_name} sent a {stream.name} record that is not an object"
            )
        context = self.detail(stream, raw)
        try:
            result = None if stream.map is None else stream.map(raw, context)
            if result is None:
                records: tuple[Record, ...] = ()
            elif isinstance(result, Employee | Group | Location):
                records = (result,)
            else:
                # Generator mappers run here, inside the try, so their errors are caught too.
                records = tuple(result)
            if stream.collect is not None:
                table = self.map_context.tables.setdefault(stream.name, {})
                for key, value in stream.collect(raw, self.map_context):
                    table.setdefault(key, []).append(value)
        except ValidationError as exc:
            raise _unreadable(
                f"{self.spec.display_name} sent a {stream.name} record", exc
            ) from None
        except (LookupError, TypeError, ValueError, AttributeError) as exc:
            raise BadPayload(
                f"{self.spec.display_name} sent a {stream.name} record we cannot read "
                f"({type(exc).__name__})"
            ) from None
        return records

    def records(self, stream: Stream) -> Iterator[Record]:
        """The stream's records. One vendor record mapped to one of ours is that record's own:
        its id may appear once in the list (records derived from people repeat, and are kept
        once later), or values of the wrong type collapsing into one id would pass unseen."""
        listed: set[tuple[str, str]] = set()
        for raw in self.raw(stream):
            records = self.mapped(stream, raw)
            if len(records) == 1:
                key = (records[0].type, records[0].remote_id)
                if key in listed:
                    raise BadPayload(
                        f"{self.spec.display_name} listed one {stream.name} record twice"
                    )
                listed.add(key)
            yield from records


def read_streams(reader: SpecReader) -> Iterator[Record]:
    """Every stream in order, then the spec's checks.

    Org records derived twice (from a list and from the people) are kept once, and so is a
    person a `unique` stream lists again.
    """
    emitted: set[tuple[str, str]] = set()
    for stream in reader.spec.streams:
        for record in reader.records(stream):
            key = (record.type, record.remote_id)
            if key in emitted and (stream.unique or not isinstance(record, Employee)):
                continue
            emitted.add(key)
            yield record
    for check in reader.spec.checks:
        check(reader.map_context)


class DeclarativeConnector:
    """A Connector made from a spec (see connectors.base.Connector)."""

    def __init__(self, spec: ConnectorSpec) -> None:
        self.spec = spec
        self.slug = spec.slug
        self.display_name = spec.display_name
        self.docs_url = spec.docs_url
        self.api_root = spec.api_root
        self.allowed_hosts = spec.allowed_hosts
        self.credential_fields: tuple[CredentialField, ...] = spec.credential_fields
        self.guide: SetupGuide = spec.guide
        self.fields: tuple[str, ...] = spec.fields

    def root(self, credentials: Mapping[str, str], base_url: str | None) -> str:
        return effective_root(render(self.spec.api_root, credentials), base_url)

    def check_target(
        self, credentials: Mapping[str, str], base_url: str | None, *, allow_loopback: bool
    ) -> None:
        if self.spec.mutual_tls is not None:
            # A malformed or expired certificate is refused before anything is stored.
            self.spec.mutual_tls.build(credentials)
        check_base_url(
            self.root(credentials, base_url), self.allowed_hosts, allow_loopback=allow_loopback
        )

    def read(self, context: ReadContext) -> Iterator[Record]:
        root = self.root(context.credentials, context.base_url)

        def resolve(url: str) -> str:
            return resolve_url(url, root, context.base_url)

        auth = self.spec.auth.build(context.credentials, context.save_credentials, resolve)
        mutual_tls = self.spec.mutual_tls
        with VendorClient(
            vendor=self.display_name,
            root=root,
            allowed_hosts=self.allowed_hosts,
            context=context,
            auth=auth,
            headers=self.spec.headers,
            policy=self.spec.retry,
            limits=self.spec.rate_limits,
            client_certificate=mutual_tls.build(context.credentials) if mutual_tls else None,
        ) as client:
            try:
                yield from (self.spec.read or read_streams)(SpecReader(self.spec, client, context))
            except ValidationError as exc:
                # Custom reads build records themselves: the model's ceiling on ids and text
                # refuses them here, as SpecReader.mapped does for the rest.
                raise _unreadable(f"{self.display_name} sent a record", exc) from None
