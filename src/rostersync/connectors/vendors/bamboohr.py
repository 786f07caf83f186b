"""BambooHR connector.

Sources (stored copies, read 2026-11): https://documentation.bamboohr.com/reference/request-custom-report
https://documentation.bamboohr.com/docs/list-of-field-names
https://documentation.bamboohr.com/docs/api-details (auth, errors, 503 throttling)
https://documentation.bamboohr.com/reference/get-data-from-dataset-v2 and BambooHR's generated
SDK github.com/BambooHR/bhr-api-python (`docs/ReportsApi.md`, `RequestCustomReport*`,
`ListFieldDetail`, `ListFieldOption`).

- Auth: an API key as the HTTP Basic user name, any password ("x").
- Root: `https://{companyDomain}.bamboohr.com/api`, the OpenAPI's server (the gateway form
  `api.bamboohr.com/api/gateway.php/{companyDomain}` is not in it).
- People: `POST /v1/reports/custom?format=JSON&onlyCurrent=false` with exactly the fields we
  need. The report holds every employee, Active and Inactive, in one unpaged JSON body
  (`{"title", "fields", "employees"}`), parsed as a stream; `onlyCurrent=false` adds
  future-dated history values, so a termination counts only from its date. BambooHR marks this
  endpoint deprecated in favour of Datasets v2; it still answers and returns the ids the rest
  of the API uses, and the dataset's field names are not documented, so it stays the read path
  (docs/connectors.md, "BambooHR: API root, future-dated history and the read that will last").
- Departments, divisions, locations: `GET /v1/meta/lists` (list fields with option ids and
  an `archived` flag). Reports give list fields as option *names*, so employees' names are
  resolved to option ids here. Location options carry no country in the API (the employee's
  `country` field is the home address, which we never ask for), so locations have none.
- Throttling: 503 with Retry-After (older) or 429 (newer); both are retried by the client.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from datetime import date
from typing import Any

from rostersync.connectors.auth import Basic
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import day, ident, required_id, text
from rostersync.connectors.providers import BAMBOOHR
from rostersync.connectors.spec import (
    ConnectorSpec,
    FieldList,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location

# The BambooHR field names that map to our allowlist, and nothing else.
_STATUS = "employee.employment_status"
REPORT_FIELDS = (
    VendorField("firstName", ("employee.first_name",)),
    VendorField("lastName", ("employee.last_name",)),
    VendorField("workEmail", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("employmentHistoryStatus", (_STATUS,)),
    VendorField("hireDate", ("employee.start_date", _STATUS)),
    VendorField("terminationDate", (_STATUS,)),
    VendorField("department", ("employee.group_ids",)),
    VendorField("division", ("employee.group_ids",)),
    VendorField("location", ("employee.location_id",)),
    VendorField("supervisorEId", ("employee.manager_remote_id",)),
)

GROUP_LISTS = {"department": GroupType.DEPARTMENT, "division": GroupType.BUSINESS_UNIT}
LOCATION_LIST = "location"


def _alias(raw: Mapping[str, Any]) -> str | None:
    alias = text(raw.get("alias")) or text(raw.get("name"))
    return alias.lower() if alias else None


def _options(raw: Mapping[str, Any]) -> Iterator[tuple[str, str, str, bool]]:
    """(list alias, option id, option name, archived) of a list field we use."""
    alias = _alias(raw)
    if alias not in GROUP_LISTS and alias != LOCATION_LIST:
        return
    for option in raw.get("options") or ():
        option_id, name = ident(option.get("id")), text(option.get("name"))
        if option_id is None or name is None:
            raise BadPayload(f"BambooHR sent a {alias} list option without id or name")
        archived = text(option.get("archived")) or "no"
        yield alias, option_id, name, archived.lower() in ("yes", "true", "1")


def map_list(raw: Mapping[str, Any], context: MapContext) -> Iterator[Group | Location]:  # noqa: ARG001
    for alias, option_id, name, archived in _options(raw):
        if archived:
            continue
        if alias == LOCATION_LIST:
            yield Location(remote_id=option_id, country=None)
        else:
            yield Group(remote_id=option_id, group_type=GROUP_LISTS[alias], name=name)


def option_ids(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[Hashable, Any]]:  # noqa: ARG001
    """Reports give list fields as option names: ((alias, name), (id, archived)) to resolve."""
    for alias, option_id, name, archived in _options(raw):
        yield (alias, name), (option_id, archived)


def resolve(context: MapContext, alias: str, name: Any) -> str | None:
    """An option name as its id: the last live option of that name, else the first archived
    one; a name with no option (renamed since, or a list without ids) is kept as the id."""
    label = text(name)
    if label is None:
        return None
    options = context.joined("lists").get((alias, label), ())
    live = [option_id for option_id, archived in options if not archived]
    if live:
        return str(live[-1])
    return str(options[0][0]) if options else label


def employment_status(row: Mapping[str, Any], as_of: date, vendor: str) -> EmploymentStatus:
    """BambooHR's status and employment status read against the clock.

    `status` is the account flag (Active / Inactive); `employmentHistoryStatus` is the
    account's own vocabulary (Full-Time, Terminated, Leave of Absence, ...).
    """
    hired = day(row.get("hireDate"), vendor=vendor)
    ended = day(row.get("terminationDate"), vendor=vendor)
    if ended is not None and hired is not None and ended < hired:
        ended = None  # rehired after an earlier termination
    history = (text(row.get("employmentHistoryStatus")) or "").lower()
    if ended is not None and ended < as_of:
        return EmploymentStatus.TERMINATED
    if hired is not None and hired > as_of:
        return EmploymentStatus.PENDING
    # onlyCurrent=false "will return future-dated values from history table fields", so a
    # Terminated row entered ahead of its date shows while the person still serves notice. A
    # termination counts from its date (a passed one was decided above); the labels decide
    # only when the current employment has no termination date.
    inactive = (text(row.get("status")) or "").lower() == "inactive"
    if ended is None and (inactive or history == "terminated"):
        return EmploymentStatus.TERMINATED
    if "leave" in history:
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def map_employee(row: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = required_id(row, context, what="employee")
    if "status" not in row and "hireDate" not in row:
        # Fields the key may not see are silently dropped; without them leavers look employed.
        raise BadPayload(
            "BambooHR left out status and hireDate: give the API key's user access to "
            "Job and Employment Status information"
        )
    groups = tuple(
        group_id
        for alias in GROUP_LISTS
        if (group_id := resolve(context, alias, row.get(alias))) is not None
    )
    manager = ident(row.get("supervisorEId"))
    return Employee(
        remote_id=remote_id,
        first_name=text(row.get("firstName")) or "",
        last_name=text(row.get("lastName")) or "",
        work_email=text(row.get("workEmail")),
        employment_status=employment_status(row, context.as_of, context.vendor),
        group_ids=groups,
        manager_remote_id=None if manager in (None, "0") else manager,
        start_date=day(row.get("hireDate"), vendor=context.vendor),
        location_id=resolve(context, LOCATION_LIST, row.get(LOCATION_LIST)),
    )


LIST_FEEDS = ("employee.group_ids", "employee.location_id")
LIST_KEEPS = (
    VendorField("alias", ("group.group_type",)),
    VendorField("name", ("group.group_type",)),
    VendorField("options[].id", ("group.remote_id", "location.remote_id", *LIST_FEEDS)),
    VendorField("options[].name", ("group.name", *LIST_FEEDS)),
    VendorField("options[].archived", LIST_FEEDS),
)


STREAMS = (
    Stream("lists", "/v1/meta/lists", map_list, collect=option_ids, keeps=LIST_KEEPS),
    Stream(
        "employees",
        "/v1/reports/custom",
        map_employee,
        method="POST",
        params={"format": "JSON", "onlyCurrent": "false"},
        body={"title": "rostersync"},
        fields=REPORT_FIELDS,
        field_list=FieldList("fields", in_body=True),
        records_path="employees",
    ),
)


SPEC = ConnectorSpec(
    provider=BAMBOOHR,
    # BambooHR's OpenAPI: `servers: url: 'https://{companyDomain}.bamboohr.com'`, every path
    # under /api/ (github.com/BambooHR/bhr-api-python specs/public.yaml at 3d4de06); the
    # gateway form api.bamboohr.com/api/gateway.php/{companyDomain} is not in it any more.
    # The host guard refuses any subdomain value that would leave bamboohr.com.
    api_root="https://{company_domain}.bamboohr.com/api",
    allowed_hosts=("*.bamboohr.com",),
    auth=Basic("{api_key}", "x"),
    streams=STREAMS,
    unavailable=("location.country",),
    guide=SetupGuide(
        summary="Create a BambooHR API key for a user whose access level can see job and "
        "employment status information of every employee, including former ones.",
        steps=(
            "In BambooHR, open Settings > Access Levels and create a custom access level "
            "named 'rostersync' (type Employee or Manager with custom access).",
            "Under 'What this access level can see', allow All Employees, including "
            "inactive (former) employees, and give view-only access to: Personal > name "
            "fields and Work Email; Job > Hire Date, Department, Division, Location, "
            "Reports To; Employment Status and Termination Date.",
            "Create a user for the integration (or use a dedicated account) and give it that "
            "access level.",
            "Signed in as that user, click your name in the top right, choose API Keys, then "
            "Add New Key; name it 'rostersync' and copy the key: it is shown only once.",
            "Enter the company subdomain (the 'acme' in acme.bamboohr.com) and the key here.",
        ),
        grant=(
            "Personal: first and last name, work email (view only)",
            "Job: hire date, department, division, location, reports to (view only)",
            "Employment status and termination date (view only)",
            "All employees, including inactive (former) employees",
        ),
        do_not_grant=(
            "Compensation, pay rate, bank and payroll information",
            "Home address, home email and phones, birth date, SSN / national ids",
            "Gender, ethnicity, EEO, time off, performance, benefits",
            "Any edit or 'Full Admin' access",
        ),
        sources=(
            "https://documentation.bamboohr.com/docs/getting-started",
            "https://documentation.bamboohr.com/reference/request-custom-report",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
