"""How a vendor splits a list into pages. Each paginator says what to ask first and next.

A paginator sees each page's parsed body, headers and item count, and answers with the next
request or None. A vendor that claims a total and then stops short has sent an incomplete
read, which fails the run instead of looking like people leaving. Where the vendor gives no
total, a short page is not the end: only an empty page past it confirms the end of the list
(a vendor that caps the page size below ours, or drops a page short under load, would
otherwise end the read early and make everyone after that page look gone).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from rostersync.connectors.errors import BadPayload, InvalidSpec
from rostersync.connectors.mapping import dig, text

_POSITIVE = ("size", "limit")


@dataclass(frozen=True)
class PageRequest:
    params: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    """An absolute URL given by the vendor (next links); replaces path and params."""
    body: Mapping[str, Any] | None = None
    """Merged into the JSON body of POST endpoints that page in the body."""


@dataclass(frozen=True)
class Page:
    body: Any
    headers: httpx.Headers
    items: int
    request: PageRequest
    seen: int
    """Items read so far, this page included."""
    first_items: int = 0
    """How many items the first page held: the vendor's real page size, whatever we asked."""
    previous_items: int | None = None
    """How many items the page before this one held (None on the first page)."""


class Paginator:
    """No paging: one response holds everything (it is parsed as a stream)."""

    streams = True

    def __post_init__(self) -> None:
        """Settings that would loop or ask for nothing fail when the spec is built."""
        for name in _POSITIVE:
            value = getattr(self, name, 1)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InvalidSpec(f"{type(self).__name__}.{name} must be a positive integer")
        if getattr(self, "first_page", 0) < 0:
            raise InvalidSpec(f"{type(self).__name__}.first_page must not be negative")

    def first(self) -> PageRequest:
        return PageRequest()

    def next(self, page: Page) -> PageRequest | None:  # noqa: ARG002 - one page only
        return None


NO_PAGING = Paginator()


@dataclass(frozen=True)
class PageNumber(Paginator):
    page_param: str = "page"
    size_param: str | None = "per_page"
    size: int = 100
    first_page: int = 1
    total_pages_path: str | None = None
    streams = False

    def _request(self, number: int) -> PageRequest:
        values: dict[str, Any] = {self.page_param: number}
        if self.size_param:
            values[self.size_param] = self.size
        return PageRequest(params={k: str(v) for k, v in values.items()})

    def first(self) -> PageRequest:
        return self._request(self.first_page)

    def total_pages(self, page: Page) -> int | None:
        """How many pages the vendor says the list has, where it says so."""
        total = dig(page.body, self.total_pages_path) if self.total_pages_path else None
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    def total_records(self, page: Page) -> int | None:  # noqa: ARG002 - most vendors give none
        """How many records the vendor says the list has, where it says so."""
        return None

    def next(self, page: Page) -> PageRequest | None:
        current = int(page.request.params[self.page_param])
        # A page number cannot resume mid-page: every page before the last must hold as many
        # records as the first, or records were skipped (a short page under load).
        if (
            page.previous_items is not None
            and page.items > 0
            and (page.previous_items != page.first_items or page.items > page.first_items)
        ):
            raise BadPayload(f"a page before page {current} stopped short")
        total = self.total_pages(page)
        if total is not None:
            last_page = total - 1 + self.first_page
            if current < last_page and page.items == 0:
                raise BadPayload(f"page {current} of {total} came back empty")
            more = current < last_page
        else:
            # No total: the list ends at an empty page, not at a short one.
            more = page.items > 0
        if not more:
            records = self.total_records(page)
            if records is not None and page.seen < records:
                raise BadPayload(f"the list stopped short: {page.seen} of {records} records")
            return None
        return self._request(current + 1)


@dataclass(frozen=True)
class OffsetLimit(Paginator):
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = 100
    total_path: str | None = None
    streams = False

    def at(self, offset: int) -> PageRequest:
        return PageRequest(
            params={self.offset_param: str(offset), self.limit_param: str(self.limit)}
        )

    def first(self) -> PageRequest:
        return self.at(0)

    def next(self, page: Page) -> PageRequest | None:
        total = dig(page.body, self.total_path) if self.total_path else None
        if not isinstance(total, int):
            # No total: the next offset is what has arrived, so a short page loses nothing,
            # and only an empty page ends the list.
            done = page.items == 0
        elif page.seen < total and page.items < self.limit:
            raise BadPayload(f"a page stopped short: {page.seen} of {total} records arrived")
        else:
            done = page.seen >= total
        return None if done else self.at(page.seen)


@dataclass(frozen=True)
class Cursor(Paginator):
    """`?{cursor_param}=<the cursor the last page named>` while one is named."""

    cursor_param: str = "cursor"
    next_cursor_path: str = "next_cursor"
    size_param: str | None = None
    size: int = 100
    total_path: str | None = None
    """Where the vendor says how many records the list has; the last page must reach it."""
    streams = False

    def _sized(self, values: dict[str, Any]) -> PageRequest:
        if self.size_param:
            values[self.size_param] = self.size
        return PageRequest(params={k: str(v) for k, v in values.items()})

    def first(self) -> PageRequest:
        return self._sized({})

    def next(self, page: Page) -> PageRequest | None:
        cursor = text(dig(page.body, self.next_cursor_path))
        if cursor:
            return self._sized({self.cursor_param: cursor})
        total = dig(page.body, self.total_path) if self.total_path else None
        if isinstance(total, int) and page.seen < total:
            raise BadPayload(f"a page stopped short: {page.seen} of {total} records arrived")
        return None


@dataclass(frozen=True)
class NextUrl(Paginator):
    """The body names the next page's absolute URL (e.g. `links.next`, `next`)."""

    next_path: str = "next"
    size_param: str | None = None
    size: int = 100
    streams = False

    def first(self) -> PageRequest:
        return PageRequest(params={self.size_param: str(self.size)} if self.size_param else {})

    def next(self, page: Page) -> PageRequest | None:
        url = text(dig(page.body, self.next_path))
        return PageRequest(url=url) if url else None


@dataclass(frozen=True)
class LinkHeader(Paginator):
    """RFC 8288 `Link: <...>; rel="next"` headers."""

    size_param: str | None = None
    size: int = 100
    streams = False

    def first(self) -> PageRequest:
        return PageRequest(params={self.size_param: str(self.size)} if self.size_param else {})

    def next(self, page: Page) -> PageRequest | None:
        links = httpx.Response(200, headers=page.headers).links
        url = links.get("next", {}).get("url")
        return PageRequest(url=url) if url else None
