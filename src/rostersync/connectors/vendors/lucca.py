"""Lucca connector: v3 users with the organization structure (v4) lists, one API key.

API reference (stored copies, read 2026-12):
https://developers.lucca.fr/api-reference/legacy/authentication,
https://developers.lucca.fr/documentation/limits,
https://developers.lucca.fr/api-reference/legacy/directory/list-users (and its OpenAPI,
directory-v3.yaml: hosts, `paging`, `fields`, `formerEmployees`),
https://developers.lucca.fr/api-reference/legacy/directory/user,
https://developers.lucca.fr/api-reference/legacy/directory/update-a-user-by-id,
https://developers.lucca.fr/api-reference/legacy/directory/guides/users-migration,
https://developers.lucca.fr/api-reference/legacy/organization/guides/departments-migration,
https://developers.lucca.fr/api-reference/legacy/organization/guides/establishments-migration,
https://developers.lucca.fr/api-reference/departments/list-departments,
https://developers.lucca.fr/api-reference/departments/retrieve-a-department,
https://developers.lucca.fr/api-reference/legacy/organization/departments/department-v4,
https://developers.lucca.fr/api-reference/legacy/organization/establishments/list-establishments,
https://developers.lucca.fr/api-reference/legacy/organization/establishments/establishment,
https://developers.lucca.fr/api-reference/legacy/organization/legal-units/list-legal-units,
https://developers.lucca.fr/api-reference/legacy/organization/legal-units/legal-unit,
and, for the path not taken,
https://developers.lucca.fr/api-reference/latest/organization/get-departments,
https://developers.lucca.fr/api-reference/latest/organization/list-business-establishments,
https://developers.lucca.fr/api-reference/latest/organization/business-establishment,
https://developers.lucca.fr/documentation/using-api/paging

- Auth: `Authorization: lucca application={api_key}` on the customer's own host
  (`{account}.ilucca.net`, `.ilucca.ch`, the `-test` / `-demo` environments, or a sandbox
  under `sandbox.{server}.luccasoftware.com`).
- Why v4 and not v5: `GET /api/v3/departments` and `/api/v3/legalentities` stopped responding
  in September 2026 (the two migration guides). The guides offer the v4 organization structure
  API as the "lower-friction interim step (same API-key authentication)", or the v5 Lucca API
  (`/lucca-api/departments`, `/lucca-api/business-establishments`), which needs an OAuth 2.0
  client-credentials token and an `Api-Version: 2024-11-01` header. The connect flow has no
  OAuth client-credentials step for Lucca, and v4 keeps every existing connection (its stored
  API key) syncing without asking a customer to reconnect. v4 has no announced sunset; v5 is
  Lucca's long-term target, so a later move stays on the list.
- Departments: GET /organization/structure/api/departments (`{id, name, isActive, ...}`),
  inactive ones dropped as before. Locations: GET /organization/structure/api/establishments
  with `isArchived=true,false` (archived ones are left out by default, and former employees may
  still point at them). A v3 "legal entity" is the v4 "establishment" (the site; the v4
  "legal-unit" is the legal company); its country is its legal unit's `countryId` (ISO
  alpha-2), embedded as `legalUnit` in the documented list body: v4 establishment addresses
  carry no country.
- v4 lists answer `{"items": [...], "count", "prev", "next"}` and page with `limit` (default
  10; the range is rendered `0 < x < 100` and `0 <= x <= 100`, so 99) and `page` (a page index
  or the cursor from the last `next`); `next` and `count` only come back when asked for with
  `fields.root`. A null `next` ends the read; fewer items than `count` fails it.
- People: GET /api/v3/users with only our fields and `formerEmployees=true` (former employees
  are left out by default). The users API is deprecated but has no sunset date (users
  migration guide). v3 collections answer `{"header": ..., "data": {"items": [...]}}` and page
  with `paging={offset},{limit}` (default and maximum limit 1000); no total comes back unless
  asked for, so only an empty page past a short one ends the read. v3 users carry no leave
  status: statuses come from the contract dates read against `as_of`. A user's
  `legalEntityId` is documented as "Establishment this employee works for" and its
  `departmentId` as the department: v3 users have no other establishment field.
- Ids: no page says that v4 department and establishment ids are the v3 ones, and no v4 (or
  v5) body carries a legacy id (v5 `remoteId` is a third-party id). People cannot move because
  of this switch: their department and location still come from the v3 users. What could
  change is the groups' and locations' own ids, so a read whose users point at none of the
  departments (or establishments) listed fails instead of making every group look new.
  docs/connectors.md says what would settle it.
- Rate limit: 50 requests a minute per tenant, then 429.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    day,
    group_mapper,
    ident,
    location_mapper,
    ref,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import Cursor, OffsetLimit, PageRequest
from rostersync.connectors.providers import LUCCA
from rostersync.connectors.spec import (
    ConnectorSpec,
    FieldList,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    group_keeps,
    location_keeps,
)
from rostersync.model import Employee, GroupType

PAGE_SIZE = 1000
"""The documented maximum (and default) for `paging` on v3 collections."""

V4_PAGE_SIZE = 99
"""Below 100 under both renderings of the v4 `limit` range."""

USER_FIELDS = (
    VendorField("id", ("employee.remote_id",)),
    VendorField("firstName", ("employee.first_name",)),
    VendorField("lastName", ("employee.last_name",)),
    VendorField("mail", ("employee.work_email",)),
    VendorField("dtContractStart", ("employee.start_date", "employee.employment_status")),
    VendorField("dtContractEnd", ("employee.employment_status",)),
    VendorField("departmentId", ("employee.group_ids",)),
    VendorField("managerId", ("employee.manager_remote_id",)),
    VendorField("legalEntityId", ("employee.location_id",)),
)


@dataclass(frozen=True)
class LuccaPaging(OffsetLimit):
    """`paging={offset},{limit}` in one parameter; no total comes back, so (as for every
    offset list without one) only an empty page ends the read."""

    limit: int = PAGE_SIZE

    def at(self, offset: int) -> PageRequest:
        return PageRequest(params={"paging": f"{offset},{self.limit}"})


def _v4_pages() -> Cursor:
    """v4 lists: `?page={next}` while `next` is set; the last page must reach `count`."""
    return Cursor(
        cursor_param="page",
        next_cursor_path="next",
        size_param="limit",
        size=V4_PAGE_SIZE,
        total_path="count",
    )


V4_PARAMS = {"fields.root": "next,count"}
"""Without it the v4 lists send neither the next cursor nor the total."""


def _ref(raw: Mapping[str, Any], name: str) -> str | None:
    """A reference as `{name}Id`, or as the embedded `{name}: {"id": ...}` object."""
    return ident(raw.get(f"{name}Id")) or ref(raw.get(name))


def map_user(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(raw, context, what="user")
    start = day(raw.get("dtContractStart"), vendor=context.vendor)
    end = day(raw.get("dtContractEnd"), vendor=context.vendor)
    department = _ref(raw, "department")
    return Employee(
        remote_id=remote_id,
        first_name=text(raw.get("firstName")) or "",
        last_name=text(raw.get("lastName")) or "",
        work_email=text(raw.get("mail")),
        # dtContractEnd is the contract's last day: the person is still employed on it.
        employment_status=status_from_dates(as_of=context.as_of, start=start, end=end),
        group_ids=(department,) if department else (),
        manager_remote_id=_ref(raw, "manager"),
        start_date=start,
        location_id=_ref(raw, "legalEntity"),
    )


map_department = group_mapper(
    GroupType.DEPARTMENT, active=lambda raw: raw.get("isActive") is not False
)
ESTABLISHMENT_COUNTRY = ("legalUnit.countryId", "legalUnit.country.code")
map_establishment = location_mapper(what="establishment", country_paths=ESTABLISHMENT_COUNTRY)


def listed_id(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, bool]]:
    """Every id a v4 list gives, the inactive ones it drops included."""
    yield required_id(raw, context, what="record"), True


def pointed_ids(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, str]]:  # noqa: ARG001
    """(list, id) for each department and establishment a user points at."""
    for stream, name in (("departments", "department"), ("establishments", "legalEntity")):
        pointed = _ref(raw, name)
        if pointed:
            yield stream, pointed


DEPARTMENTS = Stream(
    "departments",
    "/organization/structure/api/departments",
    map_department,
    params=V4_PARAMS,
    records_path="items",
    paginator=_v4_pages(),
    collect=listed_id,
    keeps=group_keeps(selects=("isActive",)),
)
ESTABLISHMENTS = Stream(
    "establishments",
    "/organization/structure/api/establishments",
    map_establishment,
    params={**V4_PARAMS, "isArchived": "true,false"},
    records_path="items",
    paginator=_v4_pages(),
    collect=listed_id,
    keeps=location_keeps(country_paths=ESTABLISHMENT_COUNTRY),
)
USERS = Stream(
    "users",
    "/api/v3/users",
    map_user,
    params={"formerEmployees": "true"},
    fields=USER_FIELDS,
    field_list=FieldList("fields", separator=","),
    records_path="data.items",
    paginator=LuccaPaging(),
    collect=pointed_ids,
)


def ids_meet(context: MapContext) -> None:
    """Users must point at some of the listed ids, or the v4 ids are not the v3 ones."""
    pointed = context.joined("users")
    for kind in ("departments", "establishments"):
        listed = context.joined(kind)
        if pointed.get(kind) and not any(key in listed for key in pointed[kind]):
            raise BadPayload(
                f"Lucca users point at none of the {len(listed)} {kind} the organization "
                "structure API lists: its ids no longer match the users' ids"
            )


SPEC = ConnectorSpec(
    provider=LUCCA,
    api_root="https://{host}",
    allowed_hosts=(
        "*.ilucca.net",
        "*.ilucca.ch",
        "*.ilucca-test.net",
        "*.ilucca-test.ch",
        "*.ilucca-demo.net",
        "*.ilucca-demo.ch",
        "*.sandbox.eu1.luccasoftware.com",
        "*.sandbox.eu2.luccasoftware.com",
        "*.sandbox.ch1.luccasoftware.com",
    ),
    auth=Header("Authorization", "lucca application={api_key}"),
    rate_limits=(RateLimit(50, per_seconds=60),),
    streams=(DEPARTMENTS, ESTABLISHMENTS, USERS),
    checks=(ids_meet,),
    guide=SetupGuide(
        summary="Create a Lucca API key for rostersync whose role can see every employee's "
        "directory details, including future and former employees.",
        steps=(
            "Sign in to Lucca as an administrator. Under the Settings gear icon (top right), "
            "open API keys and choose to generate a new API key.",
            "Name it 'rostersync', enter the email of someone technical as the technical "
            "contact (Lucca writes to it about API changes), and generate the key. Copy it.",
            "Back on the API keys page, open the role administration of the key: each key "
            "has its own role, with the key's name, at the bottom of the roles list "
            "(/organization/structure/roles).",
            "In the role's Co-workers tab, add 'See future employees' and 'See former "
            "employees' to the default permissions, so hires and leavers are included. "
            "Save.",
            "Enter your Lucca address (e.g. acme.ilucca.net) and the key in rostersync.",
        ),
        grant=(
            "Employee directory: view co-workers (name, professional email, department, "
            "manager, contract dates, establishment / legal entity)",
            "See future employees",
            "See former employees",
            "Organization structure: departments and establishments (read)",
        ),
        do_not_grant=(
            "Any write or administration permission",
            "Personal data: personal address, personal email and phone, birth date, "
            "bank details, social security number (extended data)",
            "Payroll and remuneration (Pagga), expenses (Cleemy), absences (Figgo), "
            "performance and reviews",
        ),
        sources=(
            "https://developers.lucca.fr/api-reference/legacy/authentication",
            "https://support.lucca.fr/hc/en-us/articles/115000084851",
            "https://help.merge.dev/en/articles/10698718-lucca-how-do-i-link-my-account",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
