"""CharlieHR connector.

API reference (read 2026-11): https://www.charliehr.com/api_docs/ (not in the stored copies
we could read; facts below come from public integrations of it: the `charliehr-client` PyPI
package 1.0.3, Nango's and Knit's CharlieHR pages, and Truto's tool list).

- Auth: an API key pair (client id and client secret) generated under Integrations > API
  Keys, sent as `Authorization: Token token={client_id}:{client_secret}` to
  `https://charliehr.com/api/v1`.
- Lists answer `{"success": true, "data": [...], "meta": {...}}` and page with `page` and
  `per_page`; `meta` carries the totals, the current page and the next page (as a number or
  a URL). How each key is spelled is not public, so paging follows whichever of them the
  answer carries and otherwise reads pages until an empty one; an announced total that was
  not reached fails the read.
- People: `GET /team_members` (leavers and future starters included, with `start_date` and
  `end_date`; a `status` or `employment_status` label only settles undated leavers and
  leave). Groups: `GET /teams` (TEAM); locations: `GET /offices`.
- Rate limits: none published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import day, group_mapper, ident, location_mapper, text
from rostersync.connectors.paging import Page, PageNumber, PageRequest
from rostersync.connectors.providers import CHARLIEHR
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, GroupType

PER_PAGE = 25  # the page size public clients of the API use; larger sizes are not documented

_NEXT_KEYS = ("next_page", "next_url", "next_page_url", "next")
_TOTAL_KEYS = ("total_results", "total_count", "total_entries", "total")
_PAGES_KEYS = ("total_pages", "page_count", "last_page")


def _first(meta: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[bool, Any]:
    for key in keys:
        if key in meta:
            return True, meta[key]
    return False, None


@dataclass(frozen=True)
class _Pages(PageNumber):
    """`page`/`per_page`, stopping where CharlieHR's `meta` says the list ends."""

    size_param: str | None = "per_page"
    size: int = PER_PAGE

    def next(self, page: Page) -> PageRequest | None:
        current = int(page.request.params[self.page_param])
        meta = page.body.get("meta") if isinstance(page.body, Mapping) else None
        meta = meta if isinstance(meta, Mapping) else {}
        has_total, total = _first(meta, _TOTAL_KEYS)
        known_total = total if has_total and isinstance(total, int) else None
        has_next, following = _first(meta, _NEXT_KEYS)
        has_pages, pages = _first(meta, _PAGES_KEYS)
        if page.items == 0:
            more = False
        elif has_next:
            more = bool(following)
        elif has_pages and isinstance(pages, int):
            more = current < pages
        elif known_total is not None:
            more = page.seen < known_total
        else:
            more = True
        if not more and known_total is not None and page.seen < known_total:
            raise BadPayload(f"CharlieHR announced {known_total} records and sent {page.seen}")
        return self._request(current + 1) if more else None


def _ref(value: Any) -> str | None:
    if isinstance(value, Mapping):
        return ident(value.get("id"))
    return ident(value)


def _refs(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    return tuple(ref for ref in (_ref(item) for item in items) if ref)


def employment_status(
    label: str | None, start: date | None, end: date | None, as_of: date
) -> EmploymentStatus:
    """Dates decide, read against `as_of`; a status label only adds leave or an undated leaver."""
    status = (label or "").strip().lower()
    if end is not None and end < as_of:
        return EmploymentStatus.TERMINATED
    if end is None and status in ("leaver", "left", "former", "terminated", "archived"):
        return EmploymentStatus.TERMINATED
    if start is not None and start > as_of:
        return EmploymentStatus.PENDING
    if "leave" in status and status != "leaver":
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def map_team_member(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = ident(raw.get("id"))
    if remote_id is None:
        raise BadPayload("CharlieHR sent a team member without an id")
    start = day(raw.get("start_date"), vendor=context.vendor)
    end = day(raw.get("end_date"), vendor=context.vendor)
    teams = raw.get("teams")
    if teams is None:
        teams = raw.get("team")
    manager = raw.get("line_manager")
    if manager is None:
        manager = raw.get("manager")
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("first_name")) or "",
        last_name=text(raw.get("last_name")) or "",
        work_email=text(raw.get("email")) or text(raw.get("work_email")),
        employment_status=employment_status(
            text(raw.get("status")) or text(raw.get("employment_status")),
            start,
            end,
            context.as_of,
        ),
        group_ids=_refs(teams),
        manager_remote_id=_ref(manager),
        start_date=start,
        location_id=_ref(raw.get("office")),
    )


map_team = group_mapper(GroupType.TEAM)
OFFICE_COUNTRY = ("country", "country_code", "address.country", "address.country_code")
map_office = location_mapper(what="office", country_paths=OFFICE_COUNTRY)


_STATUS = "employee.employment_status"

OFFICE_KEEPS = location_keeps(country_paths=OFFICE_COUNTRY)
MEMBER_KEEPS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("work_email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("employment_status", (_STATUS,)),
    VendorField("start_date", ("employee.start_date", _STATUS)),
    VendorField("end_date", (_STATUS,)),
    VendorField("teams[].id", ("employee.group_ids",)),
    VendorField("team.id", ("employee.group_ids",)),
    VendorField("line_manager.id", ("employee.manager_remote_id",)),
    VendorField("manager.id", ("employee.manager_remote_id",)),
    VendorField("office.id", ("employee.location_id",)),
)


SPEC = ConnectorSpec(
    provider=CHARLIEHR,
    api_root="https://charliehr.com/api/v1",
    allowed_hosts=("charliehr.com", "www.charliehr.com"),
    auth=Header("Authorization", "Token token={client_id}:{client_secret}"),
    streams=(
        Stream(
            "teams",
            "/teams",
            map_team,
            records_path="data",
            paginator=_Pages(),
            keeps=group_keeps(),
        ),
        Stream(
            "offices",
            "/offices",
            map_office,
            records_path="data",
            paginator=_Pages(),
            keeps=OFFICE_KEEPS,
        ),
        Stream(
            "team members",
            "/team_members",
            map_team_member,
            records_path="data",
            paginator=_Pages(),
            keeps=MEMBER_KEEPS,
        ),
    ),
    guide=SetupGuide(
        summary="Generate a CharlieHR API key pair as an admin and give rostersync the client "
        "ID and client secret. rostersync only reads team members, teams and offices.",
        steps=(
            "Sign in to CharlieHR with a Super Admin or Admin account.",
            "From the dashboard open the Integrations tab and go to API Keys.",
            "Generate a new set of keys named 'rostersync'.",
            "Copy the Client ID and the Client Secret: CharlieHR shows them only once.",
            "Paste both into rostersync. To revoke access later, delete the key pair in the "
            "same screen.",
        ),
        grant=("An API key pair of an admin account (it reads the whole company)",),
        do_not_grant=(
            "CharlieHR keys cannot be narrowed; rostersync never calls the salaries, bank "
            "accounts, leave or notes endpoints, and the key should not be shared with other "
            "tools",
        ),
        sources=(
            "https://www.charliehr.com/api_docs/",
            "https://nango.dev/docs/api-integrations/charliehr/connect",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
