"""The key recorder behind test_disclosure_exact: it must catch a parser that starts reading a
key its stream does not list, and find keys read only when an earlier one is empty."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest

from rostersync.connectors import CONNECTORS
from rostersync.connectors.mapping import text
from rostersync.connectors.spec import MapContext, Stream, VendorField
from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox import ServerThread
from tests.conftest import SwappableApp, serve_swappable
from tests.web.key_reads import Call, KeyReads, covered
from tests.web.test_disclosure_exact import a_full_read


@pytest.fixture(scope="module")
def vendor_server() -> Iterator[tuple[ServerThread, SwappableApp]]:
    yield from serve_swappable()


def test_a_parser_reading_a_key_it_does_not_list_is_caught(
    vendor_server: tuple[ServerThread, SwappableApp], monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = CONNECTORS["breathehr"]
    spec = connector.spec  # type: ignore[attr-defined]
    people = next(s for s in spec.streams if s.name == "employees")
    original = people.map

    def nosy(raw: Mapping[str, Any], context: MapContext) -> Any:
        raw.get("salary")  # what a careless change to the mapper would add
        return original(raw, context)

    streams = tuple(dataclasses.replace(s, map=nosy) if s is people else s for s in spec.streams)
    monkeypatch.setattr(connector, "spec", dataclasses.replace(spec, streams=streams))
    reads = KeyReads()
    reads.instrument(monkeypatch)
    a_full_read("breathehr", vendor_server)
    reads.explore()
    read = reads.read["GET", "/employees", ()]
    unlisted, unread = covered(read, {f.name for f in people.keeps})
    assert unlisted == {"salary"}
    assert unread == set()


def _email_fallback(raw: Mapping[str, Any], context: MapContext) -> Employee:
    return Employee(
        remote_id=str(raw["id"]),
        first_name="",
        last_name="",
        work_email=text(raw.get("email")) or text(raw.get("work_email")),
        employment_status=EmploymentStatus.ACTIVE,
    )


def test_a_key_read_only_when_an_earlier_one_is_empty_is_found() -> None:
    stream = Stream(
        "people",
        "/people",
        _email_fallback,
        keeps=(VendorField("id", ("employee.remote_id",)),),
    )
    context = MapContext(as_of=date(2026, 1, 5), vendor="Example")
    reads = KeyReads()
    raw = {"id": "1", "email": "a@example.com", "work_email": "b@example.com", "salary": 1}
    reads.calls.append(Call(stream, raw, (), context))
    reads.explore()
    assert reads.read["GET", "/people", ()] == {"id", "email", "work_email"}
