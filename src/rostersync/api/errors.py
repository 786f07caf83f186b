"""Every error answer, of every route, in one JSON shape (documented as ``Error`` in OpenAPI)::

    {"error": {"code": "not_found", "message": "connection 'con_x' not found",
               "details": [{"field": "body.expires", "message": "Field required"}]}}

`code` is stable and meant for programs; `message` is for people; `details` lists the fields a
request got wrong (validation errors only). Our errors bring their own code, message and status
(errors.py); the framework's (unknown route, wrong method, a missing API key, a malformed body)
are put in the same shape here. Messages never hold secrets or personal fields: a validation
detail names the field and the rule, never the value that was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from rostersync.errors import RostersyncError

log = logging.getLogger("rostersync.api")

__all__ = ["Error", "ErrorBody", "FieldError", "install"]

# The framework's refusals, by status: the code a program can switch on.
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "bad_input",
    429: "rate_limited",
}


class FieldError(BaseModel):
    field: str
    """Where in the request: `body.expires`, `query.page_size`, `path.connection_id`."""
    message: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[FieldError] | None = None


class Error(BaseModel):
    error: ErrorBody


def _answer(
    status: int,
    code: str,
    message: str,
    *,
    details: list[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = Error(error=ErrorBody(code=code, message=message, details=details))
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


async def _ours(request: Request, exc: Exception) -> Response:  # noqa: ARG001
    if not isinstance(exc, RostersyncError):
        raise exc
    return _answer(exc.http_status, exc.code, str(exc))


async def _http(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise exc
    if exc.status_code < 400:
        # The dashboard redirects with an HTTPException (303 to its login page): not an error.
        return Response(status_code=exc.status_code, headers=exc.headers)
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        message = f"nothing here: {request.method} {request.url.path}"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    else:
        message = str(exc.detail)
    code = _CODES.get(exc.status_code, "error" if exc.status_code < 500 else "internal_error")
    return _answer(exc.status_code, code, message, headers=exc.headers)


async def _invalid(request: Request, exc: Exception) -> Response:  # noqa: ARG001
    if not isinstance(exc, RequestValidationError):
        raise exc
    details = [
        # "loc" and "msg" only: pydantic's "input" and "ctx" may hold the value sent (a token).
        FieldError(field=".".join(str(part) for part in error["loc"]), message=error["msg"])
        for error in exc.errors()
    ]
    fields = ", ".join(dict.fromkeys(d.field for d in details))
    return _answer(422, "bad_input", f"the request is not valid: {fields}", details=details)


async def _unexpected(request: Request, exc: Exception) -> Response:
    # The type only, as the engine does: an exception's message may hold the values it met.
    log.error("%s %s failed on %s", request.method, request.url.path, type(exc).__name__)
    return _answer(500, "internal_error", "something unexpected went wrong; see the server log")


def _documented(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with our error shape in place of its validation-error schema, and as
    every operation's default answer."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    error_schema = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(error_schema.pop("$defs"))
    components["Error"] = error_schema
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = {"description": "The request is not valid", "content": content}
            responses["default"] = {"description": "An error", "content": content}
    app.openapi_schema = schema
    return schema


def install(app: FastAPI) -> None:
    app.add_exception_handler(RostersyncError, _ours)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _unexpected)
    app.openapi = lambda: _documented(app)  # type: ignore[method-assign]
