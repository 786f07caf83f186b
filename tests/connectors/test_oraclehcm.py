"""Oracle HCM paging, child collections and the customer's host, against small servers.

- Collections page with `offset`/`limit`; the server may use a smaller `limit` than asked (it
  says so in the answer), and the read follows it to `totalResults`.
- A page short of `totalResults` that also holds fewer than the server's `limit` fails.
- A child collection (a worker's work relationships) that says `hasMore` fails the read
  rather than dropping what the next child page would hold.
- Workers without any work relationship child mean the user lacks the employment role: the
  read fails naming it, instead of making everyone a leaver.
- The host is the customer's: a host outside `*.oraclecloud.com` is refused before any call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rostersync.connectors import (
    CONNECTORS,
    BadInput,
    BadPayload,
    PermissionDenied,
    ReadContext,
    Record,
)
from rostersync.model import Employee
from rostersync.sandbox import ServerThread

PROBE = "/__ready"
ROOT = "/hcmRestApi/resources/11.13.18.05"
AS_OF = date(2024, 1, 15)
CREDENTIALS = {"host": "acme.fa.us2.oraclecloud.com", "username": "INT", "password": "pw"}

Handler = Callable[[Request], dict[str, Any]]


def _collection(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"items": items, "count": len(items), "hasMore": False, "limit": 25, **extra}


def _worker(n: int, **relation: Any) -> dict[str, Any]:
    return {
        "PersonId": n,
        "names": _collection([{"FirstName": "P", "LastName": str(n)}]),
        "workRelationships": _collection([{"StartDate": "2020-01-01", **relation}]),
    }


def _read(workers: Handler, *, credentials: dict[str, str] = CREDENTIALS) -> list[Record]:
    async def serve(request: Request) -> Response:
        if request.url.path == PROBE:
            return Response(status_code=204)
        if request.url.path == ROOT + "/locations":
            return JSONResponse(_collection([], totalResults=0))
        if request.url.path == ROOT + "/workers":
            return JSONResponse(workers(request))
        return Response(status_code=404)

    app = Starlette(routes=[Route("/{path:path}", serve)])
    with ServerThread(app, probe_path=PROBE) as server:
        context = ReadContext(
            credentials=credentials, as_of=AS_OF, base_url=server.base_url, allow_loopback=True
        )
        return list(CONNECTORS["oraclehcm"].read(context))


def _capped(total: int, cap: int, *, short_at: int | None = None) -> Handler:
    """Workers 1..total, at most `cap` a page whatever the client asks (as of today only)."""

    def answer(request: Request) -> dict[str, Any]:
        if request.query_params["effectiveDate"] != str(AS_OF):
            return _collection([], totalResults=0)
        offset = int(request.query_params["offset"])
        ids = range(offset + 1, min(offset + cap, total) + 1)
        if short_at is not None and offset == short_at:
            ids = ids[:1]
        items = [_worker(n) for n in ids]
        return {**_collection(items, totalResults=total), "limit": cap, "offset": offset}

    return answer


def test_the_read_follows_a_smaller_server_limit_to_the_total() -> None:
    people = [r for r in _read(_capped(total=7, cap=3)) if isinstance(r, Employee)]
    assert sorted(int(p.remote_id) for p in people) == list(range(1, 8))


def test_a_page_short_of_the_total_and_of_the_server_limit_fails() -> None:
    with pytest.raises(BadPayload, match="stopped short"):
        _read(_capped(total=7, cap=3, short_at=3))


def test_a_child_collection_with_more_pages_fails_the_read() -> None:
    def answer(request: Request) -> dict[str, Any]:
        worker = _worker(1)
        worker["workRelationships"]["hasMore"] = True
        return _collection([worker], totalResults=1)

    with pytest.raises(BadPayload, match="workRelationships"):
        _read(answer)


def test_without_a_total_has_more_false_ends_the_read() -> None:
    asked: list[str] = []

    def answer(request: Request) -> dict[str, Any]:
        asked.append(request.query_params["offset"])
        return _collection([_worker(1)] if request.query_params["offset"] == "0" else [])

    people = [r for r in _read(answer) if isinstance(r, Employee)]
    assert [p.remote_id for p in people] == ["1"]
    assert asked == ["0", "0"]  # one request as of today, one as of the window ahead


def test_workers_without_work_relationships_name_the_missing_role() -> None:
    def answer(request: Request) -> dict[str, Any]:
        worker = _worker(1)
        del worker["workRelationships"]
        return _collection([worker], totalResults=1)

    with pytest.raises(PermissionDenied, match="Worker Employment Read Only"):
        _read(answer)


@pytest.mark.parametrize(
    "host", ["acme.example.com", "acme.oraclecloud.com.evil.example", "127.0.0.1"]
)
def test_a_host_outside_oraclecloud_com_is_refused(host: str) -> None:
    with pytest.raises(BadInput):
        CONNECTORS["oraclehcm"].check_target(
            {**CREDENTIALS, "host": host}, None, allow_loopback=False
        )
