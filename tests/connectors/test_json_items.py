"""The streamed JSON reader's depth ceiling holds inside a record as well as around it."""

from __future__ import annotations

import json

import httpx
import pytest

from rostersync.connectors import BadPayload
from rostersync.connectors.http import MAX_DEPTH, iter_json_items


def _items(body: bytes) -> list[object]:
    response = httpx.Response(200, content=body)
    return list(iter_json_items(response, "data.people", vendor="Acme HR", endpoint="GET /p"))


def _record_nesting(depth: int) -> bytes:
    """One record holding a value `depth` arrays deep; the body, its `data`, the list and
    the record make four levels above it."""
    deep = "[" * depth + "]" * depth
    return ('{"data": {"people": [{"id": "1", "deep": ' + deep + "}]}}").encode()


def test_records_are_read_whole_with_what_they_nest() -> None:
    people = [{"id": "1", "work": {"teams": [["a"], ["b"]]}}, {"id": "2", "work": {}}]
    body = {"meta": {"people": []}, "data": {"people": people, "after": {"x": [1]}}}
    assert _items(json.dumps(body).encode()) == people


def test_a_record_nested_past_the_ceiling_is_refused() -> None:
    with pytest.raises(BadPayload, match=f"deeper than {MAX_DEPTH} levels"):
        _items(_record_nesting(MAX_DEPTH - 3))


def test_a_record_nested_up_to_the_ceiling_is_read() -> None:
    (record,) = _items(_record_nesting(MAX_DEPTH - 4))
    assert isinstance(record, dict)
    assert record["id"] == "1"


def test_a_body_without_the_list_is_not_an_empty_company() -> None:
    with pytest.raises(BadPayload, match="without its list"):
        _items(b'{"data": {"others": []}}')
