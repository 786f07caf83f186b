"""The disclosure lists exactly the fields in the requests it shows, for every vendor.

The page is read as the HR admin gets it; the requests are the ones the vendor's connector
really makes, captured at its emulator (method, path, query and body) during a full read. Each
request must be one the page shows, each shown request must be made, and the vendor fields a
request names (`fields=`, repeated `attributes[]=`, a body's `fields` list) must be the ones
the page lists for it: no more, no less. No record read may fill a field the page lists as not
available from the vendor.

A request that names no fields gets whole records; the page lists the fields kept from its
answer. Those must be the keys the connector's parser reads from the emulator's real answer
(tests/web/key_reads.py): a key read but not listed fails, and so does a key listed but never
read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rostersync.connectors import CONNECTORS, ReadContext, Record
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY, SwappableApp, plugged_in, serve_swappable
from tests.connectors.conftest import SLUGS, sandbox_config
from tests.web.conftest import ConnectSite
from tests.web.key_reads import KeyReads, covered

FIELD_PARAMETERS = frozenset({"fields", "fields[]", "attributes", "attributes[]"})
"""How the vendors' APIs let a client name the fields it wants in the query."""


@dataclass(frozen=True)
class Sent:
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    chunks: list[bytes]
    """Filled as the emulator reads the body, which it does before it answers."""

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    def json_body(self) -> dict[str, Any]:
        try:
            parsed = json.loads(self.body) if self.body else {}
        except ValueError:
            return {}  # a SOAP envelope names no JSON fields
        return parsed if isinstance(parsed, dict) else {}

    def named_fields(self) -> list[str]:
        names = [
            name
            for key, value in self.query
            if key in FIELD_PARAMETERS
            for name in value.split(",")
            if name
        ]
        listed = self.json_body().get("fields")
        if isinstance(listed, list):
            names += [str(name) for name in listed]
        return sorted(names)


class Recorder:
    """Wraps an emulator and keeps every request it is sent, body included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.sent: list[Sent] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Kept on arrival: the client may have its answer before the emulator's call returns.
        query = tuple(parse_qsl(scope["query_string"].decode(), keep_blank_values=True))
        sent = Sent(scope["method"], scope["path"], query, [])
        self.sent.append(sent)

        async def recording_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                sent.chunks.append(message.get("body", b""))
            return message

        await self.app(scope, recording_receive, send)


@dataclass
class Shown:
    """One request as the page shows it."""

    method: str
    url: str
    parameters: dict[str, str] = field(default_factory=dict)
    fields: list[str] = field(default_factory=list)
    keeps: list[str] = field(default_factory=list)

    def matches(self, sent: Sent) -> bool:
        if sent.method != self.method:
            return False
        template = urlsplit(self.url).path
        pattern = "".join(
            "[^/]+" if part.startswith("{") else re.escape(part)
            for part in re.split(r"(\{[^}]+\})", template)
            if part
        )
        if re.search(pattern + "$", sent.path) is None:
            return False
        query: dict[str, list[str]] = {}
        for key, value in sent.query:
            query.setdefault(key, []).append(value)
        body = {k: _shown(v) for k, v in sent.json_body().items()}
        return all(
            ", ".join(query.get(key, [])) == value or body.get(key) == value
            for key, value in self.parameters.items()
        )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


class DisclosurePage(HTMLParser):
    """The requests of a disclosure page: `li[data-request]`, their `li[data-parameter]`
    values (in a span), their `code[data-requested]` field names and the `code[data-keeps]`
    fields kept from an answer."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Shown] = []
        self.unavailable: list[str] = []
        self._parameter: str | None = None
        self._capture: tuple[str, list[str]] | None = None
        """The tag being read and the list its text goes to."""
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and found.get("data-request"):
            method, url = str(found["data-request"]).split(" ", 1)
            self.requests.append(Shown(method, url))
        elif tag == "li" and found.get("data-unavailable"):
            self.unavailable.append(str(found["data-unavailable"]))
        elif tag == "li" and found.get("data-parameter"):
            self._parameter = found["data-parameter"]
        elif tag == "code" and "data-requested" in found:
            self._capture, self._text = (tag, self.requests[-1].fields), ""
        elif tag == "code" and "data-keeps" in found:
            self._capture, self._text = (tag, self.requests[-1].keeps), ""
        elif tag == "span" and self._parameter:
            self._capture, self._text = (tag, []), ""

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if self._capture is None or tag != self._capture[0]:
            return
        if self._parameter is not None and tag == "span":
            self.requests[-1].parameters[self._parameter] = self._text.strip()
            self._parameter = None
        else:
            self._capture[1].append(self._text.strip())
        self._capture = None


def disclosure(site: ConnectSite, slug: str) -> DisclosurePage:
    with httpx.Client(timeout=30) as client:
        page = client.get(f"{site.link()}/hris/{slug}")
    assert page.status_code == 200
    parsed = DisclosurePage()
    parsed.feed(page.text)
    assert parsed.requests, f"the {slug} disclosure shows no request"
    return parsed


@pytest.fixture(scope="module")
def vendor_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


def a_full_read(
    slug: str, shared: tuple[ServerThread, SwappableApp]
) -> tuple[list[Sent], list[Record]]:
    """Every request the connector sends its emulator, and the records it reads."""
    config = sandbox_config(slug)
    emulator = EMULATORS[slug](
        SyntheticCompany(seed=3, size=30, today=TODAY),
        credentials=config["emulator_credentials"],
        faults=Faults(),
    )
    recorder = Recorder(emulator)
    with plugged_in(shared, recorder) as base_url:
        context = ReadContext(
            credentials=config["credentials"],
            as_of=TODAY,
            base_url=base_url,
            allow_loopback=True,
            sleep=lambda _: None,
        )
        records = list(CONNECTORS[slug].read(context))
    assert records
    return recorder.sent, records


def filled(records: list[Record]) -> set[str]:
    """Allowlist keys (`location.country`) some record has a value for."""
    return {
        f"{record.type}.{name}"
        for record in records
        for name, value in record.model_dump().items()
        if value not in (None, (), "", False)
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_the_disclosure_lists_exactly_the_fields_requested(
    slug: str,
    connect_site: ConnectSite,
    vendor_server: tuple[ServerThread, SwappableApp],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = disclosure(connect_site, slug)
    shown = page.requests
    reads = KeyReads()
    reads.instrument(monkeypatch)
    sent, records = a_full_read(slug, vendor_server)
    made: set[int] = set()
    for request in sent:
        index = only_match(shown, request)
        made.add(index)
        assert request.named_fields() == sorted(shown[index].fields), (
            f"{request.method} {request.path}"
        )
    never = [f"{s.method} {s.url}" for i, s in enumerate(shown) if i not in made]
    assert never == [], "shown but never made"
    assert filled(records) & set(page.unavailable) == set()
    reads.explore()
    parsed: set[int] = set()
    # The reader calls paths under the API root; the page shows the root with them.
    root = urlsplit(CONNECTORS[slug].api_root).path
    for (method, path, query), read in reads.read.items():
        index = only_match(shown, Sent(method, root + path, query, []))
        parsed.add(index)
        unlisted, unread = covered(read, set(shown[index].keeps))
        where = f"{shown[index].method} {shown[index].url}"
        assert unlisted == set(), f"{where}: the parser reads keys the page does not list"
        assert unread == set(), f"{where}: the page lists keys the parser never reads"
    # An answer the emulator sends empty (Breathe's divisions) is parsed by a mapper that
    # another answer exercised; its list must then be that one's.
    checked = [sorted(shown[i].keeps) for i in parsed]
    unchecked = [
        f"{s.method} {s.url}"
        for i, s in enumerate(shown)
        if s.keeps and i not in parsed and sorted(s.keeps) not in checked
    ]
    assert unchecked == [], "the emulator's answers are empty: their kept fields go unchecked"


def only_match(shown: list[Shown], request: Sent) -> int:
    matching = [i for i, s in enumerate(shown) if s.matches(request)]
    assert len(matching) == 1, f"{request.method} {request.path} is shown {len(matching)} times"
    return matching[0]
