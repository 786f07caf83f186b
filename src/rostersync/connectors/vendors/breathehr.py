"""Breathe HR connector.

API reference (read 2026-11): https://developer.breathehr.com/documentation (request and
response format, pagination, rate limiting), https://developer.breathehr.com/community/faqs,
and the employee shape captured in the README of the `python-breathe` client (PyPI, 0.0.2).

- Auth: the account's API key in the `X-API-KEY` header. Production is
  `https://api.breathehr.com/v1`; the sandbox (its own key) is
  `https://api.sandbox.breathehr.info/v1`.
- Collections page with `page` / `per_page` (default 25, at most 100) and answer with an
  RFC 5988 `Link` header (`rel="next"` until the last page) and a `Total` header (records, not
  pages). A read that ends with fewer records than `Total` announced fails.
- People: `GET /employees` -> `{"employees": [...]}`. Each carries `status` (e.g. "Current
  employee"), `join_date` (or `company_join_date`), `leaving_date`, and `department`,
  `division`, `location`, `line_manager` as nested objects (null when unset).
- Groups: `GET /departments` (DEPARTMENT), `GET /divisions` (BUSINESS_UNIT);
  locations: `GET /locations`.
- Rate limit: 60 requests per 60 seconds per customer; 429 with
  `{"error": {"type": "Rate Limit Reached"}}` and no documented Retry-After.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import country_code, day, group_mapper, ident, text
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import LinkHeader, Page, PageRequest
from rostersync.connectors.providers import BREATHEHR
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, GroupType, Location

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class _Links(LinkHeader):
    """Link-header paging that also holds Breathe to its `Total` header."""

    size_param: str | None = "per_page"
    size: int = MAX_PER_PAGE

    def next(self, page: Page) -> PageRequest | None:
        following = super().next(page)
        total = page.headers.get("Total", "")
        if following is None and total.isdigit() and page.seen < int(total):
            raise BadPayload(f"Breathe HR announced {total} records and sent {page.seen}")
        return following


def _ref(value: Any) -> str | None:
    """An id from a nested `{"id": ..., "name": ...}` object (or a bare id)."""
    if isinstance(value, Mapping):
        return ident(value.get("id"))
    return ident(value)


def employment_status(
    label: str | None, start: date | None, end: date | None, as_of: date
) -> EmploymentStatus:
    """Breathe's status label read against the dates; a past leaving date always wins."""
    status = (label or "").strip().lower()
    if end is not None and end < as_of:
        return EmploymentStatus.TERMINATED
    if status.startswith("ex") or "former" in status or "leaver" in status:
        return EmploymentStatus.TERMINATED
    if (start is not None and start > as_of) or "future" in status or "pending" in status:
        return EmploymentStatus.PENDING
    if "leave" in status or "suspend" in status or "absen" in status:
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def map_employee(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = ident(raw.get("id"))
    if remote_id is None:
        raise BadPayload("Breathe HR sent an employee without an id")
    start = day(raw.get("join_date") or raw.get("company_join_date"), vendor=context.vendor)
    end = day(raw.get("leaving_date"), vendor=context.vendor)
    groups = tuple(g for g in (_ref(raw.get("department")), _ref(raw.get("division"))) if g)
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("email")),
        employment_status=employment_status(text(raw.get("status")), start, end, context.as_of),
        group_ids=groups,
        manager_remote_id=_ref(raw.get("line_manager")),
        start_date=start,
        location_id=_ref(raw.get("location")),
    )


def _current(raw: Mapping[str, Any]) -> bool:
    return not (raw.get("deleted_at") or raw.get("archived"))


map_department = group_mapper(GroupType.DEPARTMENT, what="department or division", active=_current)
map_division = group_mapper(GroupType.BUSINESS_UNIT, what="department or division", active=_current)


def map_location(raw: Mapping[str, Any], context: MapContext) -> Location:  # noqa: ARG001
    remote_id = ident(raw.get("id"))
    if remote_id is None:
        raise BadPayload("Breathe HR sent a location without an id")
    country = raw.get("country")
    if isinstance(country, Mapping):
        country = country.get("code") or country.get("name")
    return Location(remote_id=remote_id, country=country_code(country))


_STATUS = "employee.employment_status"

GROUP_KEEPS = group_keeps(selects=("deleted_at", "archived"))
LOCATION_KEEPS = location_keeps(country_paths=("country", "country.code", "country.name"))
EMPLOYEE_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("join_date", ("employee.start_date", _STATUS)),
    VendorField("company_join_date", ("employee.start_date", _STATUS)),
    VendorField("leaving_date", (_STATUS,)),
    VendorField("department.id", ("employee.group_ids",)),
    VendorField("division.id", ("employee.group_ids",)),
    VendorField("line_manager.id", ("employee.manager_remote_id",)),
    VendorField("location.id", ("employee.location_id",)),
)


SPEC = ConnectorSpec(
    provider=BREATHEHR,
    api_root="https://api.breathehr.com/v1",
    allowed_hosts=("api.breathehr.com", "api.sandbox.breathehr.info"),
    auth=Header("X-API-KEY", "{api_key}"),
    rate_limits=(RateLimit(60, per_seconds=60),),
    streams=(
        Stream(
            "departments",
            "/departments",
            map_department,
            records_path="departments",
            paginator=_Links(),
            keeps=GROUP_KEEPS,
        ),
        Stream(
            "divisions",
            "/divisions",
            map_division,
            records_path="divisions",
            paginator=_Links(),
            keeps=GROUP_KEEPS,
        ),
        Stream(
            "locations",
            "/locations",
            map_location,
            records_path="locations",
            paginator=_Links(),
            keeps=LOCATION_KEEPS,
        ),
        Stream(
            "employees",
            "/employees",
            map_employee,
            records_path="employees",
            paginator=_Links(),
            keeps=EMPLOYEE_KEEPS,
        ),
    ),
    guide=SetupGuide(
        summary="Enable the Breathe HR API and give rostersync the production API key. "
        "rostersync only reads employees, departments, divisions and locations.",
        steps=(
            "Sign in to Breathe as an account administrator.",
            "Open Configure, then Settings, then API setup.",
            "Enable the API if it is not enabled yet, and copy the production API key "
            "(the sandbox key only works against the developer sandbox).",
            "Paste the key into rostersync. To revoke access later, change the key in the "
            "same screen.",
        ),
        grant=("The production API key (Breathe keys give access to all account data)",),
        do_not_grant=(
            "Breathe keys cannot be narrowed: keep the key with rostersync only, and change it "
            "in API setup if it is ever exposed",
        ),
        sources=(
            "https://developer.breathehr.com/community/faqs",
            "https://developer.breathehr.com/documentation/request_and_response/pagination",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
