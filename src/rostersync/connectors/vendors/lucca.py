"""Lucca connector (the legacy v3 API with an API key).

API reference (stored copies, read 2026-11):
https://developers.lucca.fr/api-reference/legacy/authentication,
https://developers.lucca.fr/api-reference/legacy/directory/list-users (and its OpenAPI,
directory-v3.yaml: hosts, `paging`, `fields`, `formerEmployees`),
https://developers.lucca.fr/api-reference/legacy/organization/departments/list-departments,
https://developers.lucca.fr/api-reference/legacy/organization/guides/establishments-migration,
https://developers.lucca.fr/api-reference/legacy/organization/guides/departments-migration,
https://developers.lucca.fr/documentation/limits

- Auth: `Authorization: lucca application={api_key}` on the customer's own host
  (`{account}.ilucca.net`, `.ilucca.ch`, the `-test` / `-demo` environments, or a sandbox
  under `sandbox.{server}.luccasoftware.com`).
- Collections answer `{"header": ..., "data": {"items": [...]}}` and page with
  `paging={offset},{limit}` (default and maximum limit 1000). No total comes back unless asked
  for, so a short page ends the read.
- People: GET /api/v3/users with only our fields and `formerEmployees=true` (former employees
  are left out by default). Lucca's v3 users carry no leave status: statuses come from the
  contract dates read against `as_of`.
- Departments: GET /api/v3/departments, inactive ones dropped. Locations: GET
  /api/v3/legalEntities (v3 "legal entities" are establishments, i.e. sites), each with its
  country. Both v3 routes are announced to stop in September 2026 (migration guides above);
  users are not.
- Rate limit: 50 requests a minute per tenant, then 429.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rostersync.connectors.auth import Header
from rostersync.connectors.base import CredentialField
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import country_code, day, dig, status_from_dates, text
from rostersync.connectors.paging import Page, PageRequest, Paginator
from rostersync.connectors.spec import ConnectorSpec, MapContext, SetupGuide, Stream
from rostersync.model import Employee, Group, GroupType, Location

PAGE_SIZE = 1000
"""The documented maximum (and default) for `paging` on v3 collections."""

USER_FIELDS = (
    "id",
    "firstName",
    "lastName",
    "mail",
    "dtContractStart",
    "dtContractEnd",
    "departmentId",
    "managerId",
    "legalEntityId",
)
DEPARTMENT_FIELDS = ("id", "name", "isActive")
LEGAL_ENTITY_FIELDS = ("id", "name", "countryCode")


@dataclass(frozen=True)
class LuccaPaging(Paginator):
    """`paging={offset},{limit}` in one parameter, which OffsetLimit cannot express."""

    limit: int = PAGE_SIZE
    streams = False

    def _at(self, offset: int) -> PageRequest:
        return PageRequest(params={"paging": f"{offset},{self.limit}"})

    def first(self) -> PageRequest:
        return self._at(0)

    def next(self, page: Page) -> PageRequest | None:
        return self._at(page.seen) if page.items >= self.limit else None


def _ref(raw: Mapping[str, Any], name: str) -> str | None:
    """A reference as `{name}Id`, or as the embedded `{name}: {"id": ...}` object."""
    return text(raw.get(f"{name}Id")) or text(dig(raw, f"{name}.id"))


def map_user(raw: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = text(raw.get("id"))
    if remote_id is None:
        raise BadPayload("Lucca sent a user without id")
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


def map_department(raw: Mapping[str, Any], context: MapContext) -> Group | None:  # noqa: ARG001
    if raw.get("isActive") is False:
        return None
    return Group(
        remote_id=str(raw["id"]),
        group_type=GroupType.DEPARTMENT,
        name=text(raw.get("name")) or "",
    )


def map_legal_entity(raw: Mapping[str, Any], context: MapContext) -> Location:  # noqa: ARG001
    country = raw.get("countryCode") or dig(raw, "country.code") or dig(raw, "country.name")
    return Location(remote_id=str(raw["id"]), country=country_code(country))


def _fields(names: tuple[str, ...]) -> str:
    return ",".join(names)


SPEC = ConnectorSpec(
    slug="lucca",
    display_name="Lucca",
    docs_url="https://developers.lucca.fr/api-reference/legacy/authentication",
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
    credential_fields=(
        CredentialField(
            "host",
            "Lucca address",
            secret=False,
            help="The host you open Lucca on, without https://, e.g. acme.ilucca.net "
            "(acme.ilucca.ch in Switzerland, acme.ilucca-test.net for a test account).",
        ),
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            help="Settings (gear icon) > API keys: the key generated for rostersync.",
        ),
    ),
    auth=Header("Authorization", "lucca application={api_key}"),
    streams=(
        Stream(
            "departments",
            "/api/v3/departments",
            map_department,
            params={"fields": _fields(DEPARTMENT_FIELDS)},
            records_path="data.items",
            paginator=LuccaPaging(),
        ),
        Stream(
            "legal entities",
            # The users reference links legal entities at this spelling; Lucca's routes
            # ignore case (the migration guide writes /api/v3/legalentities).
            "/api/v3/legalEntities",
            map_legal_entity,
            params={"fields": _fields(LEGAL_ENTITY_FIELDS)},
            records_path="data.items",
            paginator=LuccaPaging(),
        ),
        Stream(
            "users",
            "/api/v3/users",
            map_user,
            params={"fields": _fields(USER_FIELDS), "formerEmployees": "true"},
            records_path="data.items",
            paginator=LuccaPaging(),
        ),
    ),
    rate_limits="50 requests a minute per tenant (all integrations share it); then 429",
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
            "manager, contract dates, legal entity)",
            "See future employees",
            "See former employees",
            "Organization structure: departments and legal entities (read)",
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
