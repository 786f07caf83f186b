"""CharlieHR paging and statuses: `meta` spellings the public docs do not pin down."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rostersync.connectors import BadPayload, ReadContext, Record, get_connector
from rostersync.connectors.vendors.charliehr import employment_status
from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox import ServerThread

AS_OF = date(2024, 1, 15)
PEOPLE = [
    {"id": f"tm_{n}", "first_name": "A", "last_name": str(n), "start_date": "2020-01-01"}
    for n in range(60)
]


def _server(meta: Any, *, sent: int = len(PEOPLE), token: str = "Token token=id:secret") -> Any:
    async def serve(request: Request) -> Response:
        if request.url.path == "/__ready":
            return Response(status_code=204)
        if request.headers.get("authorization") != token:
            return JSONResponse({"success": False}, status_code=401)
        if request.url.path != "/api/v1/team_members":
            return JSONResponse({"success": True, "data": [], "meta": {}})
        page, size = int(request.query_params["page"]), int(request.query_params["per_page"])
        data = PEOPLE[:sent][(page - 1) * size : page * size]
        return JSONResponse({"success": True, "data": data, "meta": meta(page, size)})

    app = Starlette(routes=[Route("/{path:path}", serve)])
    return ServerThread(app, probe_path="/__ready")


def _read(server: ServerThread) -> list[Record]:
    context = ReadContext(
        credentials={"client_id": "id", "client_secret": "secret"},
        as_of=AS_OF,
        base_url=server.base_url,
        allow_loopback=True,
        sleep=lambda _s: None,
    )
    return list(get_connector("charliehr").read(context))


@pytest.mark.parametrize(
    "meta",
    [
        lambda page, size: {"current_page": page, "total_pages": 3, "total_results": 60},
        lambda page, size: {"next_page": page + 1 if page * size < 60 else None},
        lambda page, size: {"next_url": f"?page={page + 1}" if page * size < 60 else None},
        lambda page, size: {"total": 60},
        lambda page, size: {},
    ],
    ids=["total-pages", "next-page", "next-url", "total-only", "no-meta"],
)
def test_every_meta_spelling_reads_everyone_once(meta: Any) -> None:
    with _server(meta) as server:
        people = [r for r in _read(server) if isinstance(r, Employee)]
    assert [p.remote_id for p in people] == [p["id"] for p in PEOPLE]


def test_a_total_that_is_not_reached_fails_the_read() -> None:
    with _server(lambda page, size: {"total": 60}, sent=40) as server, pytest.raises(BadPayload):
        _read(server)


@pytest.mark.parametrize(
    ("label", "start", "end", "expected"),
    [
        (None, date(2020, 1, 1), None, EmploymentStatus.ACTIVE),
        (None, date(2020, 1, 1), date(2023, 1, 1), EmploymentStatus.TERMINATED),
        (None, date(2020, 1, 1), date(2024, 6, 1), EmploymentStatus.ACTIVE),
        ("leaver", date(2020, 1, 1), None, EmploymentStatus.TERMINATED),
        (None, date(2024, 6, 1), None, EmploymentStatus.PENDING),
        ("on_leave", date(2020, 1, 1), None, EmploymentStatus.INACTIVE),
    ],
)
def test_status_table(
    label: str | None, start: date, end: date | None, expected: EmploymentStatus
) -> None:
    assert employment_status(label, start, end, AS_OF) is expected
