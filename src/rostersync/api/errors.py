"""Our errors as JSON: `{"error": {"code", "message"}}` with the status that fits.

Messages are the errors' own, which never hold secrets or personal fields (errors.py). The
status is chosen by error code, so this layer needs no import of the connectors layer.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from rostersync.errors import RostersyncError, Terminal

_STATUS_BY_CODE = {
    "not_found": 404,
    "bad_input": 422,
    "blocked_destination": 422,
    "auth_revoked": 422,
    "permission_denied": 422,
    "tenant_required": 422,
}


def status_for(error: RostersyncError) -> int:
    if error.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[error.code]
    return 400 if isinstance(error, Terminal) else 503


def install(app: FastAPI) -> None:
    async def handle(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        if not isinstance(exc, RostersyncError):
            raise exc
        body = {"error": {"code": exc.code, "message": str(exc)}}
        return JSONResponse(body, status_code=status_for(exc))

    app.add_exception_handler(RostersyncError, handle)
