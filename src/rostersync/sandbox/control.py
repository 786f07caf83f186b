"""The ``/_sandbox`` control endpoints every emulator mounts beside its vendor paths.

They are not part of any vendor's API and take no credentials: they exist so tests and the
demo can see the synthetic company with its ids and change it between two syncs.

========  ====================================  =============================================
method    path                                  effect
========  ====================================  =============================================
GET       /_sandbox/company                     name, domain, today, departments, teams, sites
GET       /_sandbox/people                      JSON list of people (``?include_sensitive=true``
                                                adds the sensitive fields)
GET       /_sandbox/people/{id}                 one person
DELETE    /_sandbox/people/{id}                 remove: the person vanishes from every read
POST      /_sandbox/hire                        body: first_name, last_name, work_email,
                                                department_id, site_id, manager_id, start_date
POST      /_sandbox/terminate/{id}              body: ``{"on": "YYYY-MM-DD"}``, the last day
                                                employed (default yesterday: gone today)
POST      /_sandbox/rehire/{id}                 body: ``{"start_date": "YYYY-MM-DD"}``
POST      /_sandbox/status/{id}                 body: ``{"status": "on_leave"}`` (any neutral)
POST      /_sandbox/move/{id}                   body: department_id, manager_id, site_id, team_id
POST      /_sandbox/rename/{id}                 body: first_name, last_name, work_email
GET       /_sandbox/faults                      current fault controls
POST      /_sandbox/faults                      body: see :meth:`Faults.configure`
GET       /_sandbox/requests                    recent vendor requests (method, path, status)
========  ====================================  =============================================

Errors: unknown id -> 404, bad body -> 400, both as ``{"detail": "..."}``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany
from rostersync.sandbox.faults import Faults

__all__ = ["PREFIX", "control_router"]

PREFIX = "/_sandbox"

Handler = Callable[[Request], Awaitable[Response]]


class ControlError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status_code=status, media_type="application/json")


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise ControlError(400, "body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    return data


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise ControlError(400, f"{key} must be a string")
    return value


def _opt_date(body: dict[str, Any], key: str) -> date | None:
    value = _opt_str(body, key)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ControlError(400, f"{key} must be YYYY-MM-DD") from None


def control_router(company: SyntheticCompany, faults: Faults) -> APIRouter:
    """Routes under :data:`PREFIX`; mount with ``app.include_router``."""
    router = APIRouter(prefix=PREFIX)

    def guarded(handler: Handler) -> Handler:
        """Turn company errors into 404/400 answers instead of 500s."""

        async def wrapper(request: Request) -> Response:
            try:
                result = await handler(request)
            except ControlError as exc:
                return _json({"detail": exc.detail}, exc.status)
            except KeyError as exc:
                return _json({"detail": str(exc.args[0]) if exc.args else "not found"}, 404)
            except ValueError as exc:
                return _json({"detail": str(exc)}, 400)
            return result

        return wrapper

    async def get_company(_request: Request) -> Response:
        return _json(
            {
                "name": company.name,
                "domain": company.domain,
                "seed": company.seed,
                "today": company.today.isoformat(),
                "size": len(company),
                "departments": [
                    {"id": d.id, "name": d.name, "archived": d.archived}
                    for d in company.departments
                ],
                "teams": [
                    {"id": t.id, "name": t.name, "department_id": t.department_id}
                    for t in company.teams
                ],
                "sites": [
                    {
                        "id": s.id,
                        "name": s.name,
                        "city": s.city,
                        "country_code": s.country_code,
                        "country_name": s.country_name,
                    }
                    for s in company.sites
                ],
            }
        )

    async def list_people(request: Request) -> Response:
        sensitive = request.query_params.get("include_sensitive", "").lower() == "true"
        return _json([p.to_dict(include_sensitive=sensitive) for p in company.people()])

    async def get_person(request: Request) -> Response:
        sensitive = request.query_params.get("include_sensitive", "").lower() == "true"
        person = company.get(request.path_params["person_id"])
        return _json(person.to_dict(include_sensitive=sensitive))

    async def remove_person(request: Request) -> Response:
        company.remove(request.path_params["person_id"])
        return Response(status_code=204)

    async def hire(request: Request) -> Response:
        body = await _body(request)
        person = company.hire(
            first_name=_opt_str(body, "first_name"),
            last_name=_opt_str(body, "last_name"),
            work_email=_opt_str(body, "work_email"),
            department_id=_opt_str(body, "department_id"),
            site_id=_opt_str(body, "site_id"),
            manager_id=_opt_str(body, "manager_id"),
            start_date=_opt_date(body, "start_date"),
        )
        return _json(person.to_dict(), 201)

    async def terminate(request: Request) -> Response:
        body = await _body(request)
        # The last day employed: by default yesterday, so the person has left as of today and
        # the next sync removes their access (with today they would keep it until tomorrow).
        on = _opt_date(body, "on") or company.today - timedelta(days=1)
        return _json(company.terminate(request.path_params["person_id"], on).to_dict())

    async def garden_leave(request: Request) -> Response:
        body = await _body(request)
        start, last_day = _opt_date(body, "start"), _opt_date(body, "last_day")
        if start is None or last_day is None:
            raise ControlError(400, "start and last_day are required")
        try:
            person = company.garden_leave(request.path_params["person_id"], start, last_day)
        except ValueError as exc:
            raise ControlError(400, str(exc)) from None
        return _json(person.to_dict())

    async def rehire(request: Request) -> Response:
        body = await _body(request)
        person = company.rehire(request.path_params["person_id"], _opt_date(body, "start_date"))
        return _json(person.to_dict())

    async def set_status(request: Request) -> Response:
        body = await _body(request)
        status = _opt_str(body, "status")
        if status is None:
            raise ControlError(400, "status is required")
        person = company.set_status(request.path_params["person_id"], PersonStatus(status))
        return _json(person.to_dict())

    async def move(request: Request) -> Response:
        body = await _body(request)
        person = company.move(
            request.path_params["person_id"],
            department_id=_opt_str(body, "department_id"),
            manager_id=_opt_str(body, "manager_id"),
            site_id=_opt_str(body, "site_id"),
            team_id=_opt_str(body, "team_id"),
        )
        return _json(person.to_dict())

    async def rename(request: Request) -> Response:
        body = await _body(request)
        person = company.rename(
            request.path_params["person_id"],
            first_name=_opt_str(body, "first_name"),
            last_name=_opt_str(body, "last_name"),
            work_email=_opt_str(body, "work_email"),
        )
        return _json(person.to_dict())

    async def get_faults(_request: Request) -> Response:
        return _json(faults.describe())

    async def set_faults(request: Request) -> Response:
        faults.configure(await _body(request))
        return _json(faults.describe())

    async def get_requests(_request: Request) -> Response:
        return _json([{"method": m, "path": p, "status": s} for m, p, s in faults.requests()])

    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/company", get_company),
        ("GET", "/people", list_people),
        ("GET", "/people/{person_id}", get_person),
        ("DELETE", "/people/{person_id}", remove_person),
        ("POST", "/hire", hire),
        ("POST", "/terminate/{person_id}", terminate),
        ("POST", "/garden-leave/{person_id}", garden_leave),
        ("POST", "/rehire/{person_id}", rehire),
        ("POST", "/status/{person_id}", set_status),
        ("POST", "/move/{person_id}", move),
        ("POST", "/rename/{person_id}", rename),
        ("GET", "/faults", get_faults),
        ("POST", "/faults", set_faults),
        ("GET", "/requests", get_requests),
    ]
    for method, path, handler in routes:
        router.add_api_route(path, guarded(handler), methods=[method], include_in_schema=False)
    return router
