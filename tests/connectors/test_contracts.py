"""Each connector against its vendor's own documented example responses.

`fixtures/<slug>/contract.json` lists scenarios; each serves the documented example bodies
(files beside it, sources in SOURCES.md) at the documented paths and compares the connector's
records with `expected` (JSON Lines), or expects the read to fail with `expected_error` (the
ConnectorError class name) whose message contains `error_mentions`. A request to a path no
scenario serves fails the test, so the fixtures also pin which endpoints a connector calls.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rostersync.connectors import CONNECTORS, ConnectorError, ReadContext
from rostersync.sandbox import ServerThread
from tests.connectors.conftest import FIXTURES, SLUGS

PROBE = "/__ready"


def _scenarios() -> list[Any]:
    cases = []
    for slug in SLUGS:
        path = FIXTURES / slug / "contract.json"
        assert path.is_file(), f"every registered connector needs {path}"
        for scenario in json.loads(path.read_text())["scenarios"]:
            cases.append(pytest.param(slug, scenario, id=f"{slug}-{scenario['name']}"))
    return cases


def _app(folder: Path, routes: list[dict[str, Any]], unserved: list[str]) -> Starlette:
    async def serve(request: Request) -> Response:
        if request.url.path == PROBE:
            return Response(status_code=204)
        for route in routes:
            wanted = route.get("query", {})
            if (
                route["method"] == request.method
                and route["path"] == request.url.path
                and all(request.query_params.get(k) == v for k, v in wanted.items())
            ):
                return Response(
                    (folder / route["file"]).read_bytes(),
                    status_code=route.get("status", 200),
                    headers={"content-type": "application/json", **route.get("headers", {})},
                )
        unserved.append(f"{request.method} {request.url.path}?{request.url.query}")
        return Response(status_code=404)

    return Starlette(routes=[Route("/{path:path}", serve, methods=["GET", "POST"])])


@pytest.mark.parametrize(("slug", "scenario"), _scenarios())
def test_documented_examples_map_as_expected(slug: str, scenario: dict[str, Any]) -> None:
    folder = FIXTURES / slug
    unserved: list[str] = []
    with ServerThread(_app(folder, scenario["routes"], unserved), probe_path=PROBE) as server:
        context = ReadContext(
            credentials=scenario["credentials"],
            as_of=date.fromisoformat(scenario["as_of"]),
            base_url=server.base_url,
            allow_loopback=True,
            sleep=lambda _s: None,
        )
        if "expected_error" in scenario:
            with pytest.raises(ConnectorError) as raised:
                list(CONNECTORS[slug].read(context))
            assert type(raised.value).__name__ == scenario["expected_error"]
            assert scenario.get("error_mentions", "") in str(raised.value)
            return
        records = list(CONNECTORS[slug].read(context))
    assert unserved == []
    expected = [
        json.loads(line)
        for line in (folder / scenario["expected"]).read_text().splitlines()
        if line.strip()
    ]
    assert [r.model_dump(mode="json") for r in records] == expected
