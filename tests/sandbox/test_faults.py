"""Faults: one-shot queue semantics and the JSON control document."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rostersync.sandbox import Fault, FaultKind, Faults, ServerThread
from rostersync.sandbox.faults import FaultInjectionMiddleware


def test_take_pops_in_order_and_honours_path_and_method() -> None:
    faults = Faults()
    faults.fail_next(500, path="/v1/people")
    faults.fail_next(503, times=2, method="GET")

    assert faults.take("POST", "/v1/company/named-lists") is None
    first = faults.take("GET", "/v1/people/search")
    assert first is not None
    assert first.status == 500
    assert [f.status for f in faults.pending()] == [503, 503]
    assert faults.take("POST", "/anything") is None
    assert faults.take("GET", "/a") is not None
    assert faults.take("GET", "/b") is not None
    assert faults.take("GET", "/c") is None


def test_configure_applies_flags_and_queue() -> None:
    faults = Faults()
    faults.configure(
        {
            "revoked": True,
            "leak_sensitive_fields": True,
            "queue": [
                {"kind": "status", "status": 429, "retry_after": 3, "times": 2},
                {"kind": "slow", "seconds": 0.5},
                {"kind": "truncate", "keep": 0.25},
            ],
        }
    )

    assert faults.revoked
    assert faults.leak_sensitive_fields
    assert [f.kind for f in faults.pending()] == [
        FaultKind.STATUS,
        FaultKind.STATUS,
        FaultKind.SLOW,
        FaultKind.TRUNCATE,
    ]
    assert faults.describe()["queue"][0]["retry_after"] == 3
    faults.configure({"reset": True})
    assert faults.describe() == {
        "revoked": False,
        "forbidden": False,
        "leak_sensitive_fields": False,
        "hidden_fields": [],
        "queue": [],
        "padding_sent": 0,
    }


@pytest.mark.parametrize(
    "spec",
    [
        {"revoked": "yes"},
        {"queue": {}},
        {"queue": ["x"]},
        {"queue": [{"kind": "nap"}]},
        {"queue": [{"kind": "status", "status": 200}]},
        {"queue": [{"kind": "truncate", "keep": 1}]},
        {"queue": [{"times": 0}]},
        {"queue": [{"status": "five hundred"}]},
        {"hidden_fields": "work.manager"},
        {"hidden_fields": [5]},
    ],
)
def test_configure_rejects_bad_specs_without_changing_anything(spec: dict[str, object]) -> None:
    faults = Faults()
    faults.fail_next(500)

    with pytest.raises(ValueError):
        faults.configure({"forbidden": True, **spec})

    assert not faults.forbidden
    assert len(faults.pending()) == 1


def test_helpers_validate() -> None:
    faults = Faults()
    with pytest.raises(ValueError):
        faults.fail_next(200)
    with pytest.raises(ValueError):
        faults.truncate_next(keep=1.5)
    with pytest.raises(ValueError):
        faults.inject(Fault(FaultKind.SLOW), times=0)


def test_hidden_fields_leave_every_form_of_the_field_out_silently() -> None:
    person = {"id": "1", "/work/manager": {"value": "2"}, "work": {"manager": "2", "site": "x"}}
    other = {"id": "3", "terminationDate": "2026-01-01", "work": {"manager": "1"}}

    async def people(_request: Request) -> JSONResponse:
        return JSONResponse({"employees": [person, other]})

    faults = Faults()
    app = FaultInjectionMiddleware(
        Starlette(routes=[Route("/people", people)]),
        faults=faults,
        render_error=lambda status, _fault: (b"{}", {}),
    )
    with ServerThread(app) as server, httpx.Client(base_url=server.base_url) as client:
        faults.configure({"hidden_fields": ["work.manager", "terminationDate"]})
        assert client.get("/people").json() == {
            "employees": [{"id": "1", "work": {"site": "x"}}, {"id": "3", "work": {}}]
        }
        faults.hide_fields("work.manager", record_ids=["3"])
        assert client.get("/people").json()["employees"] == [person, {**other, "work": {}}]
        faults.show_fields()
        assert client.get("/people").json()["employees"] == [person, other]
