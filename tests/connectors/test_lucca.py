"""Lucca paging: `paging={offset},{limit}` at the documented maximum, page after page.

The conformance company fits in one page of 1000, so the second page is only seen here.
"""

from __future__ import annotations

from datetime import date

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rostersync.connectors import CONNECTORS, ReadContext
from rostersync.model import Employee
from rostersync.sandbox import ServerThread

PROBE = "/__ready"
TOTAL = 1003


def _app(asked: list[str]) -> Starlette:
    async def collection(request: Request) -> Response:
        if request.url.path == PROBE:
            return Response(status_code=204)
        if request.url.path != "/api/v3/users":
            return JSONResponse({"data": {"items": []}})
        paging = request.query_params["paging"]
        asked.append(paging)
        offset, limit = (int(part) for part in paging.split(","))
        items = [
            {"id": n, "firstName": "P", "lastName": str(n), "dtContractStart": "2020-01-01"}
            for n in range(offset + 1, min(offset + limit, TOTAL) + 1)
        ]
        return JSONResponse({"header": {}, "data": {"items": items}})

    return Starlette(routes=[Route("/{path:path}", collection)])


def test_users_are_read_in_pages_of_1000_until_a_short_page() -> None:
    asked: list[str] = []
    with ServerThread(_app(asked), probe_path=PROBE) as server:
        context = ReadContext(
            credentials={"host": "example.ilucca.net", "api_key": "key"},
            as_of=date(2024, 1, 15),
            base_url=server.base_url,
            allow_loopback=True,
        )
        people = [r for r in CONNECTORS["lucca"].read(context) if isinstance(r, Employee)]
    assert asked == ["0,1000", "1000,1000"]
    assert [p.remote_id for p in people] == [str(n) for n in range(1, TOTAL + 1)]
