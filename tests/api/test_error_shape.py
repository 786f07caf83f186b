"""One error shape for every route: `{"error": {"code", "message"[, "details"]}}`.

A sweep of representative refusals across the routers (admin, pull, feed, keys, links, the
framework's own unknown route, wrong method and malformed body), each checked against the
`Error` schema the OpenAPI document publishes.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from rostersync.api.errors import Error
from tests.api.conftest import Api

SECRET = "s3cret-token-value-1234"

Call = Callable[[Api], httpx.Response]

# The shape does not depend on the database.
pytestmark = pytest.mark.parametrize("store", ["sqlite"], indirect=True)


def _as(key: str | None, method: str, path: str, **kwargs: object) -> Call:
    def call(api: Api) -> httpx.Response:
        chosen = {"admin": api.admin_key, "tenant": api.tenant_key, None: None}[key]
        with api.client(chosen) as client:
            return client.request(method, path, **kwargs)  # type: ignore[arg-type]

    return call


SWEEP: list[tuple[str, Call, int, str]] = [
    ("unknown route", _as("admin", "GET", "/api/v1/nowhere"), 404, "not_found"),
    ("unknown page", _as(None, "GET", "/no/such/page"), 404, "not_found"),
    ("wrong method", _as("admin", "DELETE", "/api/v1/tenants"), 405, "method_not_allowed"),
    ("no API key", _as(None, "GET", "/api/v1/tenants"), 401, "unauthorized"),
    (
        "bad API key",
        _as(None, "GET", "/api/v1/runs", headers={"Authorization": "Bearer rsk_x"}),
        401,
        "unauthorized",
    ),
    (
        "tenant key on an admin route",
        _as("tenant", "POST", "/api/v1/tenants", json={"name": "X"}),
        403,
        "forbidden",
    ),
    (
        "unknown connection",
        _as("admin", "GET", "/api/v1/connections/con_nothere"),
        404,
        "not_found",
    ),
    ("unknown run", _as("admin", "GET", "/api/v1/runs/run_nothere"), 404, "not_found"),
    ("missing field", _as("admin", "POST", "/api/v1/tenants", json={}), 422, "bad_input"),
    (
        "not JSON",
        _as(
            "admin",
            "POST",
            "/api/v1/tenants",
            content=b"{",
            headers={"content-type": "application/json"},
        ),
        422,
        "bad_input",
    ),
    (
        "bad query type",
        _as("admin", "GET", "/api/v1/events", params={"cursor": "x"}),
        422,
        "bad_input",
    ),
    (
        "our BadInput",
        _as("tenant", "POST", "/api/v1/links", json={"expires": "99999d"}),
        422,
        "bad_input",
    ),
    (
        "admin without a tenant",
        _as("admin", "POST", "/api/v1/links", json={}),
        422,
        "tenant_required",
    ),
    (
        "pull API without an account token",
        _as("admin", "GET", "/api/hris/v1/employees"),
        401,
        "unauthorized",
    ),
    (
        "pull API with a bad token",
        _as("admin", "GET", "/api/hris/v1/groups", headers={"X-Account-Token": "nope"}),
        401,
        "unauthorized",
    ),
    (
        "credentials of the wrong type",
        _as(
            "tenant",
            "POST",
            "/api/v1/connections",
            json={"provider": "hibob", "credentials": SECRET},
        ),
        422,
        "bad_input",
    ),
]


@pytest.mark.parametrize(
    ("call", "status", "code"),
    [pytest.param(call, status, code, id=name) for name, call, status, code in SWEEP],
)
def test_every_refusal_has_the_one_error_shape(
    api: Api, call: Call, status: int, code: str
) -> None:
    answer = call(api)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error"}
    error = Error.model_validate(body).error
    assert error.code == code
    assert error.message
    assert SECRET not in answer.text


def test_a_validation_error_names_each_field_and_never_the_value(api: Api) -> None:
    with api.client(api.tenant_key) as client:
        answer = client.post(
            "/api/v1/connections", json={"provider": "hibob", "credentials": SECRET}
        )
    error = Error.model_validate(answer.json()).error
    assert error.details is not None
    assert "body.credentials" in {d.field for d in error.details}
    assert "body.credentials" in error.message
    assert SECRET not in answer.text


def test_a_refused_key_keeps_its_www_authenticate_header(api: Api) -> None:
    with api.client(None) as client:
        answer = client.get("/api/v1/tenants")
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_openapi_document_publishes_the_error_shape_for_every_operation(api: Api) -> None:
    with api.client(None) as client:
        document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert {"code", "message", "details"} <= set(schemas["ErrorBody"]["properties"])
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status == "default" or status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == error_ref, f"{method} {path} {status}"
            assert "default" in operation["responses"], f"{method} {path}"
