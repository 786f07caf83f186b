"""Lucca paging and id checks, against small servers: the conformance company fits in one page.

- v3 users: `paging={offset},{limit}` at the documented maximum, page after page.
- v4 organization lists: `limit=99`, `fields.root=next,count`, then `page={next}` until `next`
  is null; a last page short of `count` fails the read.
- Users whose departments (or establishments) are none of those listed fail the read: the v4
  ids would no longer be the ids the users point at.
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

from rostersync.connectors import CONNECTORS, BadPayload, ReadContext, Record
from rostersync.model import Employee, Group, Location
from rostersync.sandbox import ServerThread

PROBE = "/__ready"
DEPARTMENTS = "/organization/structure/api/departments"
ESTABLISHMENTS = "/organization/structure/api/establishments"
USERS = "/api/v3/users"
TOTAL = 1003

Handler = Callable[[Request], dict[str, Any]]


def _read(handlers: dict[str, Handler]) -> list[Record]:
    async def serve(request: Request) -> Response:
        if request.url.path == PROBE:
            return Response(status_code=204)
        handler = handlers.get(request.url.path)
        if handler is None:
            return Response(status_code=404)
        return JSONResponse(handler(request))

    app = Starlette(routes=[Route("/{path:path}", serve)])
    with ServerThread(app, probe_path=PROBE) as server:
        context = ReadContext(
            credentials={"host": "example.ilucca.net", "api_key": "key"},
            as_of=date(2024, 1, 15),
            base_url=server.base_url,
            allow_loopback=True,
        )
        return list(CONNECTORS["lucca"].read(context))


def _listed(*ids: int) -> Handler:
    return lambda _request: {"items": [{"id": n, "name": f"N{n}"} for n in ids], "next": None}


def _users(**refs: int) -> Handler:
    user = {"id": 1, "firstName": "P", "lastName": "One", "dtContractStart": "2020-01-01"}
    return lambda _request: {"data": {"items": [{**user, **refs}]}}


def test_users_are_read_in_pages_of_1000_until_an_empty_page() -> None:
    asked: list[str] = []

    def users(request: Request) -> dict[str, Any]:
        paging = request.query_params["paging"]
        asked.append(paging)
        offset, limit = (int(part) for part in paging.split(","))
        items = [
            {"id": n, "firstName": "P", "lastName": str(n), "dtContractStart": "2020-01-01"}
            for n in range(offset + 1, min(offset + limit, TOTAL) + 1)
        ]
        return {"header": {}, "data": {"items": items}}

    records = _read({DEPARTMENTS: _listed(), ESTABLISHMENTS: _listed(), USERS: users})
    people = [r for r in records if isinstance(r, Employee)]
    # 1000 and then a short page; only the empty page after it ends the list.
    assert asked == ["0,1000", "1000,1000", f"{TOTAL},1000"]
    assert [p.remote_id for p in people] == [str(n) for n in range(1, TOTAL + 1)]


def test_departments_follow_the_next_cursor_until_it_is_null() -> None:
    asked: list[dict[str, str]] = []
    pages = {
        None: ([1, 2], "!second"),
        "!second": ([3], "!third"),
        "!third": ([4], None),
    }

    def departments(request: Request) -> dict[str, Any]:
        asked.append(dict(request.query_params))
        ids, cursor = pages[request.query_params.get("page")]
        items = [{"id": n, "name": f"D{n}", "isActive": n != 4} for n in ids]
        return {"items": items, "count": 4, "prev": None, "next": cursor}

    records = _read({DEPARTMENTS: departments, ESTABLISHMENTS: _listed(), USERS: _users()})
    first = {"fields.root": "next,count", "limit": "99"}
    assert asked == [first, {**first, "page": "!second"}, {**first, "page": "!third"}]
    assert [r.remote_id for r in records if isinstance(r, Group)] == ["1", "2", "3"]


def test_a_last_page_short_of_count_fails_the_read() -> None:
    def departments(_request: Request) -> dict[str, Any]:
        return {"items": [{"id": 1, "name": "D1"}], "count": 2, "next": None}

    with pytest.raises(BadPayload, match="1 of 2"):
        _read({DEPARTMENTS: departments, ESTABLISHMENTS: _listed(), USERS: _users()})


def test_establishments_take_their_legal_units_country() -> None:
    def establishments(request: Request) -> dict[str, Any]:
        assert request.query_params["isArchived"] == "true,false"
        item = {"id": 7, "name": "Genève", "legalUnit": {"id": 2, "countryId": "CH"}}
        return {"items": [item], "count": 1, "next": None}

    records = _read({DEPARTMENTS: _listed(), ESTABLISHMENTS: establishments, USERS: _users()})
    assert [r for r in records if isinstance(r, Location)] == [
        Location(remote_id="7", country="CH")
    ]


@pytest.mark.parametrize(
    ("refs", "kind"),
    [
        ({"departmentId": 99, "legalEntityId": 1}, "departments"),
        ({"legalEntityId": 9}, "establishments"),
    ],
)
def test_users_pointing_at_none_of_the_listed_ids_fail_the_read(
    refs: dict[str, int], kind: str
) -> None:
    handlers = {DEPARTMENTS: _listed(13, 21), ESTABLISHMENTS: _listed(1), USERS: _users(**refs)}
    with pytest.raises(BadPayload, match=f"none of the \\d+ {kind}") as raised:
        _read(handlers)
    assert "99" not in str(raised.value)
    assert "9 " not in str(raised.value)


def test_one_unlisted_reference_among_listed_ones_is_kept() -> None:
    def users(_request: Request) -> dict[str, Any]:
        base = {"firstName": "P", "lastName": "L", "dtContractStart": "2020-01-01"}
        items = [{**base, "id": 1, "departmentId": 13}, {**base, "id": 2, "departmentId": 99}]
        return {"data": {"items": items}}

    records = _read({DEPARTMENTS: _listed(13), ESTABLISHMENTS: _listed(), USERS: users})
    assert [r.group_ids for r in records if isinstance(r, Employee)] == [("13",), ("99",)]
