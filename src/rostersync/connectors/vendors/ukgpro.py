"""UKG Pro connector: employment details, person details, org levels and locations (REST).

API reference (stored copies, read 2026-12):
https://developer.ukg.com/hcm/reference (Basic service account, Customer API key),
https://developer.ukg.com/hcm/docs/web-service-account (service accounts; endpoints listed under
System Configuration > Security > Web Services; the host is that of `https://hostname/personnel/
v1/...`; "only grant access to the API resources and actions a web service account will use"),
https://developer.ukg.com/hcm/reference/getorg-levelslist and /getorg-levels (org levels, their
id being level and code together, "Company Configuration Integration" View role),
https://developer.ukg.com/hcm/docs/api-rate-limiting (429, no Retry-After yet, 1 s),
https://developer.ukg.com/hcm/docs/news-doc (January 2022: per_Page default and maximum 10,000
for employment and person details), https://developer.ukg.com/hcm/docs/employee-person-service
(`EmailAddress` is the "Primary email address", `AlternateEmailAddress` the alternate),
https://developer.ukg.com/hcm/docs/employee-termination-service (a termination date must
follow the last hire date; the last day worked defaults to it),
https://library.ukg.com/Prebuilt/newgen/WorkforceMgmt/Content/WFMTerminatedEmployeesTimeOff-c_x131861.html
(UKG's own products treat a person as terminated from the day after the termination date).
Field names are cross-checked against public client code (see the fixtures' SOURCES.md).

- Auth: HTTP Basic with a web service account, plus the customer's `US-Customer-Api-Key`
  header on every call (the REST reference pages name only these two headers; the User API key
  is for the SOAP services), on the customer's own web services host: `service*.ultipro.com`
  (US, and `servicet` for test), `service*.ultipro.ca` (Canada) or `service*.ukgpro.com`.
- Paths sit at the host's root (`https://{hostname}/personnel/v1/...`). Lists are bare JSON
  arrays paged with `page` (from 1) and `per_Page`, with no total: only an empty page past the
  last ends the read. 100 a page (the default before 2022; the maximum is now 10,000): a page
  that comes back short shows against the full page after it, which one page holding a whole
  company of a few hundred would hide.
- Employment details (`/personnel/v1/employment-details`) list every employment, terminated
  ones included: `employeeStatusCode` (A active, L leave of absence, T terminated),
  `dateOfTermination`, `originalHireDate` / `lastHireDate`, `orgLevel1Code`..`orgLevel4Code`,
  `supervisorID` (the supervisor's `employeeID`) and `primaryWorkLocationCode`.
  `dateOfTermination` is read as the last day employed: TERMINATED from the next day, and a
  future-dated one keeps the person ACTIVE until then, whatever the code says. A termination
  date before the last hire date belongs to an earlier employment (a rehire).
- Person details (`/personnel/v1/person-details`) give the names and `emailAddress`, the
  primary e-mail UKG Pro uses as the work address; `emailAddressAlternate` (often personal) is
  never read.
- Org levels (`/configuration/v1/org-levels`): each `{level, code, description}` becomes a
  department whose id is `orglevel{level}:{code}`, since one code may exist at several levels.
  Locations (`/configuration/v1/locations`): `locationCode` and `countryCode` (alpha-3).
- A person employed by several component companies has one record per company (SailPoint's UKG
  Pro connector guide: "active employment in multiple component companies"): only the home
  company's (`isHomeCompany`) is read, so each person is one employee.
- Rate limits: per client over a minute, numbers not published; 429 answers are retried (with
  Retry-After when UKG sends one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rostersync.connectors.auth import Basic, BasicWithHeader, Header
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    day,
    ident,
    location_mapper,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import PageNumber
from rostersync.connectors.providers import UKGPRO
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
    location_keeps,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType

PAGE_SIZE = 100
_PAGES = PageNumber(page_param="page", size_param="per_Page", size=PAGE_SIZE)

ORG_LEVELS = range(1, 5)
"""UKG Pro's four organization levels, each an `orgLevel{n}Code` on employment details."""

ON_LEAVE = "L"
TERMINATED = "T"


def org_level_id(level: int, code: str) -> str:
    return f"orglevel{level}:{code}"


def _level(value: Any) -> int | None:
    """An org level number (1-4), sent as a number or as its text."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value in ORG_LEVELS:
        return value
    return None


def map_org_level(raw: Mapping[str, Any], context: MapContext) -> Group:
    level = _level(raw.get("level"))
    if level is None:
        raise BadPayload(f"{context.vendor} sent an org level without a level from 1 to 4")
    code = required_id(raw, context, what="org level", path="code")
    return Group(
        remote_id=org_level_id(level, code),
        group_type=GroupType.DEPARTMENT,
        name=text(raw.get("description")) or "",
    )


map_location = location_mapper(id_path="locationCode", country_paths=("countryCode",))


def person_names(raw: Mapping[str, Any], context: MapContext) -> Iterator[tuple[str, Any]]:
    """(employeeId, the person's names and primary e-mail), joined by the employment records."""
    person = required_id(raw, context, what="person", path="employeeId")
    yield (
        person,
        (text(raw.get("firstName")), text(raw.get("lastName")), text(raw.get("emailAddress"))),
    )


def employment_status(raw: Mapping[str, Any], context: MapContext) -> EmploymentStatus:
    """The status code read against the dates: the dates win over a code set early."""
    code = (text(raw.get("employeeStatusCode")) or "").upper()
    hired = day(raw.get("lastHireDate"), vendor=context.vendor) or day(
        raw.get("originalHireDate"), vendor=context.vendor
    )
    end = day(raw.get("dateOfTermination"), vendor=context.vendor)
    if end is not None and hired is not None and end < hired:
        end = None  # the termination of an earlier employment: rehired since
    if code == TERMINATED and end is None and (hired is None or hired <= context.as_of):
        return EmploymentStatus.TERMINATED
    return status_from_dates(as_of=context.as_of, start=hired, end=end, on_leave=code == ON_LEAVE)


def map_employment(raw: Mapping[str, Any], context: MapContext) -> Record | None:
    if raw.get("isHomeCompany") is False:
        return None  # the same person's record in another component company
    remote_id = required_id(raw, context, what="employment", path="employeeID")
    names = context.joined("person_details").get(remote_id)
    if not names:
        raise BadPayload(
            f"{context.vendor} listed an employment whose person details are missing: the "
            "service account needs the View role on Employee Person Details"
        )
    first, last, email = names[-1]
    groups = []
    for level in ORG_LEVELS:
        code = ident(raw.get(f"orgLevel{level}Code"))
        if code:
            groups.append(org_level_id(level, code))
    return Employee(
        remote_id=remote_id,
        first_name=first or "",
        last_name=last or "",
        work_email=email,
        employment_status=employment_status(raw, context),
        group_ids=tuple(groups),
        manager_remote_id=ident(raw.get("supervisorID")),
        start_date=day(raw.get("lastHireDate"), vendor=context.vendor)
        or day(raw.get("originalHireDate"), vendor=context.vendor),
        location_id=ident(raw.get("primaryWorkLocationCode")),
    )


_STATUS = "employee.employment_status"
_GROUPS = ("employee.group_ids",)

ORG_LEVEL_KEEPS = (
    VendorField("level", ("group.remote_id",)),
    VendorField("code", ("group.remote_id",)),
    VendorField("description", ("group.name",)),
)
LOCATION_KEEPS = location_keeps(id_path="locationCode", country_paths=("countryCode",))
PERSON_KEEPS = (
    VendorField("employeeId", ("employee.first_name", "employee.last_name", "employee.work_email")),
    VendorField("firstName", ("employee.first_name",)),
    VendorField("lastName", ("employee.last_name",)),
    VendorField("emailAddress", ("employee.work_email",)),
)
EMPLOYMENT_KEEPS = (
    VendorField("employeeID", ("employee.remote_id",)),
    VendorField("isHomeCompany", selects=True),
    VendorField("employeeStatusCode", (_STATUS,)),
    VendorField("dateOfTermination", (_STATUS,)),
    VendorField("originalHireDate", ("employee.start_date", _STATUS)),
    VendorField("lastHireDate", ("employee.start_date", _STATUS)),
    *(VendorField(f"orgLevel{level}Code", _GROUPS) for level in ORG_LEVELS),
    VendorField("supervisorID", ("employee.manager_remote_id",)),
    VendorField("primaryWorkLocationCode", ("employee.location_id",)),
)

STREAMS = (
    Stream(
        "org_levels",
        "/configuration/v1/org-levels",
        map_org_level,
        paginator=_PAGES,
        keeps=ORG_LEVEL_KEEPS,
    ),
    Stream(
        "locations",
        "/configuration/v1/locations",
        map_location,
        paginator=_PAGES,
        keeps=LOCATION_KEEPS,
    ),
    Stream(
        "person_details",
        "/personnel/v1/person-details",
        collect=person_names,
        paginator=_PAGES,
        keeps=PERSON_KEEPS,
    ),
    Stream(
        "employment_details",
        "/personnel/v1/employment-details",
        map_employment,
        paginator=_PAGES,
        keeps=EMPLOYMENT_KEEPS,
    ),
)


SPEC = ConnectorSpec(
    provider=UKGPRO,
    api_root="https://{host}",
    allowed_hosts=("*.ultipro.com", "*.ultipro.ca", "*.ukgpro.com"),
    auth=BasicWithHeader(
        Basic("{username}", "{password}"), Header("US-Customer-Api-Key", "{customer_api_key}")
    ),
    streams=STREAMS,
    guide=SetupGuide(
        summary="Create a UKG Pro web service account for rostersync with the View role on "
        "three web services and nothing else.",
        steps=(
            "Sign in to UKG Pro as a system administrator and open Menu > System "
            "Configuration > Security > Service Account Administration. Copy the Customer "
            "API Key shown at the top of the page.",
            "Choose Add, enter 'rostersync' as the user name and the e-mail of someone technical.",
            "In the Web Services table, tick View (only View) for Employee Employment "
            "Information, Employee Person Details and Company Configuration Integration.",
            "Save, and copy the password UKG Pro shows: it is shown once.",
            "Open System Configuration > Security > Web Services and copy the host of any of "
            "the URLs listed (e.g. service5.ultipro.com).",
            "Enter the host, the user name, the password and the Customer API Key in rostersync.",
        ),
        grant=(
            "Employee Employment Information: View (status, hire and termination dates, org "
            "levels, supervisor, primary work location)",
            "Employee Person Details: View (names and primary e-mail)",
            "Company Configuration Integration: View (org levels and locations)",
        ),
        do_not_grant=(
            "Add, Edit or Delete on any web service",
            "Employee Compensation Details, Employee Pay Statement or Payroll Integration",
            "Employee Job History Details, PTO Plan Integration or any benefits service",
        ),
        sources=(
            "https://developer.ukg.com/hcm/reference",
            "https://developer.ukg.com/hcm/docs/web-service-account",
            "https://developer.ukg.com/hcm/reference/getorg-levelslist",
            "https://help.merge.dev/en/articles/5696209-ukg-pro-how-do-i-link-my-account",
            "https://nango.dev/docs/integrations/all/ukg-pro/connect",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
