"""HiBob (Bob) connector.

API reference (read 2026-11): https://apidocs.hibob.com/reference/post_people-search,
https://apidocs.hibob.com/docs/people-read-api-contract, https://apidocs.hibob.com/reference/authorization,
https://apidocs.hibob.com/reference/get_company-named-lists-listname,
https://apidocs.hibob.com/docs/rate-limit, https://help.hibob.com/hc/en-us/articles/4409776355857

- Auth: a service user's ID and token as HTTP Basic.
- People: POST /v1/people/search with the field ids we need and showInactive=true. One response
  holds everyone (no paging), so it is parsed as a stream. Each field arrives as a flat
  `/category/field: {"value": ...}` key and/or nested under its category; both are read.
- Departments and sites: GET /v1/company/named-lists/{department|site}; archived items dropped.
  Site items carry no country in the public API, so locations have country null.
- Rate limit: 50 requests/min on people search; 429 answers carry X-RateLimit-Reset (epoch).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import httpx

from rostersync.connectors.base import CredentialField, ReadContext, Record
from rostersync.connectors.errors import BadInput, BadPayload
from rostersync.connectors.http import VendorClient, iter_json_items
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location
from rostersync.net import RetryPolicy

# The HiBob field ids that map to our allowlist, and nothing else.
PEOPLE_FIELDS = (
    "root.id",
    "root.firstName",
    "root.surname",
    "root.email",
    "work.department",
    "work.siteId",
    "work.manager",
    "work.startDate",
    "internal.lifecycleStatus",
    "internal.status",
    "internal.terminationDate",
)


def _value(raw: Mapping[str, Any], field_id: str) -> Any:
    flat = raw.get("/" + field_id.replace(".", "/"))
    if isinstance(flat, Mapping):
        return flat.get("value")
    category, name = field_id.split(".", 1)
    holder = raw if category == "root" else raw.get(category)
    return holder.get(name) if isinstance(holder, Mapping) else None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _date(value: Any) -> date | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise BadPayload("HiBob sent a date that is not YYYY-MM-DD") from exc


def employment_status(
    lifecycle: str | None,
    access: str | None,
    start: date | None,
    termination: date | None,
    as_of: date,
) -> EmploymentStatus:
    """HiBob's lifecycle status, read against the clock: dates win over stale labels."""
    label = (lifecycle or "").strip().lower()
    if label == "terminated" or (termination is not None and termination < as_of):
        return EmploymentStatus.TERMINATED
    if label == "hired" or (start is not None and start > as_of):
        return EmploymentStatus.PENDING
    if label in ("employed", "garden leave"):
        # Garden leave keeps access until the termination date, which HiBob sets ahead.
        return EmploymentStatus.ACTIVE
    if "leave" in label:
        return EmploymentStatus.INACTIVE
    return (
        EmploymentStatus.ACTIVE if (access or "").lower() == "active" else EmploymentStatus.INACTIVE
    )


def map_employee(raw: Mapping[str, Any], as_of: date) -> Employee:
    remote_id = _text(_value(raw, "root.id"))
    if remote_id is None:
        raise BadPayload("HiBob sent an employee without root.id")
    start = _date(_value(raw, "work.startDate"))
    department = _text(_value(raw, "work.department"))
    return Employee(
        remote_id=remote_id,
        first_name=_text(_value(raw, "root.firstName")) or "",
        last_name=_text(_value(raw, "root.surname")) or "",
        work_email=_text(_value(raw, "root.email")),
        employment_status=employment_status(
            _text(_value(raw, "internal.lifecycleStatus")),
            _text(_value(raw, "internal.status")),
            start,
            _date(_value(raw, "internal.terminationDate")),
            as_of,
        ),
        group_ids=(department,) if department else (),
        manager_remote_id=_text(_value(raw, "work.manager")),
        start_date=start,
        location_id=_text(_value(raw, "work.siteId")),
    )


def _list_items(body: Any, list_name: str) -> Iterator[Mapping[str, Any]]:
    """Active items of a named list, children included (departments nest)."""
    if not isinstance(body, Mapping):
        raise BadPayload(f"HiBob named list {list_name!r} is not a JSON object")
    pending = list(body.get("items") or body.get("values") or [])
    while pending:
        item = pending.pop(0)
        if not isinstance(item, Mapping) or item.get("id") is None:
            raise BadPayload(f"HiBob named list {list_name!r} has an item without an id")
        if item.get("archived"):
            continue
        yield item
        pending.extend(item.get("children") or [])


def rate_limit_reset(response: httpx.Response) -> float | None:
    """Seconds until X-RateLimit-Reset (Unix epoch), HiBob's word on when to come back."""
    value = response.headers.get("X-RateLimit-Reset", "")
    if not value.isdigit():
        return None
    return max(0.0, int(value) - time.time()) + 1


class HiBob:
    slug = "hibob"
    display_name = "HiBob"
    docs_url = "https://apidocs.hibob.com/"
    api_root = "https://api.hibob.com"
    allowed_hosts: tuple[str, ...] = ("api.hibob.com", "api.sandbox.hibob.com")
    credential_fields: tuple[CredentialField, ...] = (
        CredentialField(
            "service_user_id",
            "Service user ID",
            secret=False,
            help="Settings > Integrations > Service users: the ID shown when you created it.",
        ),
        CredentialField(
            "service_user_token",
            "Service user token",
            secret=True,
            help="Shown once, next to the ID, when the service user is created.",
        ),
    )

    def read(self, context: ReadContext) -> Iterator[Record]:
        try:
            auth = httpx.BasicAuth(
                context.credentials["service_user_id"], context.credentials["service_user_token"]
            )
        except KeyError as exc:
            raise BadInput(f"HiBob needs the credential field {exc.args[0]!r}") from exc
        with VendorClient(
            vendor=self.display_name,
            api_root=self.api_root,
            allowed_hosts=self.allowed_hosts,
            context=context,
            auth=auth,
            headers={"Accept": "application/json"},
            policy=RetryPolicy(wait_hint=rate_limit_reset),
        ) as client:
            departments = client.get_json("/v1/company/named-lists/department")
            for item in _list_items(departments, "department"):
                yield Group(
                    remote_id=str(item["id"]),
                    group_type=GroupType.DEPARTMENT,
                    name=str(item.get("name") or item.get("value") or ""),
                )
            sites = client.get_json("/v1/company/named-lists/site")
            for item in _list_items(sites, "site"):
                yield Location(remote_id=str(item["id"]), country=None)
            body = {"fields": list(PEOPLE_FIELDS), "showInactive": True}
            with client.stream("POST", "/v1/people/search", json=body) as response:
                for raw in iter_json_items(response, "employees.item", vendor=self.display_name):
                    if not isinstance(raw, Mapping):
                        raise BadPayload("HiBob sent an employee that is not a JSON object")
                    yield map_employee(raw, context.as_of)
