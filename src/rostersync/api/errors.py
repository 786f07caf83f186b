"""Our errors as JSON: `{"error": {"code", "message"}}` with the status that fits.

Messages are the errors' own, which never hold secrets or personal fields, and so is the status
(each class's `http_status`, errors.py).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rostersync.errors import RostersyncError


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        if not isinstance(exc, RostersyncError):
            raise exc
        body = {"error": {"code": exc.code, "message": str(exc)}}
        return JSONResponse(body, status_code=exc.http_status)

    app.add_exception_handler(RostersyncError, handle)
