"""ADP Workforce Now connector (Worker v2), which also reads RUN Powered by ADP.

API reference (read 2026-12):
https://developers.adp.com/articles/general/introduction-to-adp-restful-apis ("By default, this
request returns all resources of a given type"; `$top`, `$skip`, `$select`, `$filter`),
https://developers.adp.com/articles/general/introduction-to-adp-api-open-data-protocol-odata,
and ADP's own example bodies and Postman collections, github.com/adpllc/marketplace-sample-payloads
@ 3c8cd23 (`wfn/hr/workers-v2/success/*`, `run/hr/workers-v2/success/*`,
`wfn/hr/worker-terminate/*`, `wfn/ADP WFN APIs.postman_collection.json`).

- Auth: OAuth 2.0 client credentials at `https://accounts.adp.com/auth/oauth/v2/token` (client
  id and secret as HTTP Basic, the first of the three ways ADP's collection shows), **plus a client
  certificate on every connection** (mutual TLS): the certificate ADP signed for the project
  and its private key, stored encrypted with the other credentials, presented from memory.
- People: `GET https://api.adp.com/hr/v2/workers`, `{"workers": [...]}`. ADP's example of the
  unfiltered list holds Active, Inactive (on leave) and Terminated workers, and future hires
  as Active with a hire date ahead, so no filter is sent. Paged with `$top` / `$skip`; no total
  is sent, so the list ends at an empty page, or at the `204 No Content` integrators report past
  the end (in no stored ADP page).
- The id is `associateOID`, which a rehire keeps (ADP's rehire example: same AOID, a
  `rehireDate`, the assignment's `hireDate` moved to it).
- Everything else comes from the worker's primary work assignment (`primaryIndicator`):
  `homeOrganizationalUnits` (Department, Business Unit, Cost Number; RUN writes DEPARTMENT),
  `reportsTo[].associateOID` (manager), `homeWorkLocation` (its `nameCode.codeValue` is the
  location id, `address.countryCode` its country). Work e-mail is
  `businessCommunication.emails`; `person.communication` is personal and never read.
- RUN Powered by ADP serves the same `/hr/v2/workers` resource through the Marketplace; its
  example bodies carry single-letter status codes (`A`, `T`) and no location or manager, which
  the mapper reads as well.
- Rate limits: not published; 429 answers are retried with Retry-After.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from rostersync.connectors.auth import MutualTls, OAuth2ClientCredentials
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import BadPayload
from rostersync.connectors.mapping import (
    country_code,
    day,
    dig,
    ident,
    required_id,
    status_from_dates,
    text,
)
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.providers import ADPWORKFORCENOW
from rostersync.connectors.spec import (
    ConnectorSpec,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location

PAGE_SIZE = 100
"""The most `$top` may ask for in Workforce Now (a third-party gateway's note: 3p)."""


class WorkerStatus(StrEnum):
    """`workerStatus.statusCode.codeValue`: Workforce Now spells the word, RUN its letter."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    TERMINATED = "terminated"

    @classmethod
    def read(cls, code: str | None) -> WorkerStatus | None:
        value = (code or "").strip().lower()
        return next((s for s in cls if value in (s.value, s.value[0])), None)


ON_LEAVE = "L"
"""The assignment status code of a worker on leave (ADP's leave example: shortName Leave)."""

# homeOrganizationalUnits typeCode values -> our group kinds. Ids are prefixed by kind: a
# department and a business unit may share a code.
UNIT_TYPES: Mapping[str, GroupType] = {
    "department": GroupType.DEPARTMENT,
    "business unit": GroupType.BUSINESS_UNIT,
    "cost number": GroupType.COST_CENTER,
}


def primary_assignment(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    assignments = [a for a in raw.get("workAssignments") or () if isinstance(a, Mapping)]
    for assignment in assignments:
        if assignment.get("primaryIndicator") is True:
            return assignment
    return assignments[0] if assignments else {}


def employment_status(
    *,
    label: WorkerStatus,
    on_leave: bool,
    hired: date | None,
    terminated: date | None,
    as_of: date,
) -> EmploymentStatus:
    """ADP's label read against the clock; the dates win where they say more.

    The termination date is taken as the last day employed (the common rule: TERMINATED from
    the next day; ADP's examples include a worker hired and terminated on the same day). A
    termination before the latest hire belongs to an earlier employment (rehire). A
    Terminated label with its date still ahead is someone serving notice: ACTIVE until then.
    """
    end = terminated if terminated and (hired is None or terminated >= hired) else None
    by_dates = status_from_dates(as_of=as_of, start=hired, end=end)
    if by_dates is not EmploymentStatus.ACTIVE:
        return by_dates
    if label is WorkerStatus.TERMINATED:
        return EmploymentStatus.ACTIVE if end is not None else EmploymentStatus.TERMINATED
    if label is WorkerStatus.INACTIVE or on_leave:
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def _latest(*dates: date | None) -> date | None:
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def _code(value: Any, path: str) -> str | None:
    return ident(dig(value, path)) if isinstance(value, Mapping) else None


def _groups(assignment: Mapping[str, Any]) -> Iterator[Group]:
    for unit in assignment.get("homeOrganizationalUnits") or ():
        kind = UNIT_TYPES.get((text(dig(unit, "typeCode.codeValue")) or "").lower())
        code = _code(unit, "nameCode.codeValue")
        if kind is None or code is None:
            continue
        name = text(dig(unit, "nameCode.shortName")) or text(dig(unit, "nameCode.longName"))
        yield Group(remote_id=f"{kind.value.lower()}:{code}", group_type=kind, name=name or code)


def _location(assignment: Mapping[str, Any]) -> Location | None:
    place = assignment.get("homeWorkLocation")
    code = _code(place, "nameCode.codeValue")
    if code is None:
        return None
    return Location(remote_id=code, country=country_code(dig(place, "address.countryCode")))


def _work_email(raw: Mapping[str, Any]) -> str | None:
    for email in dig(raw, "businessCommunication.emails") or ():
        address = text(dig(email, "emailUri"))
        if address:
            return address
    return None


def _manager(assignment: Mapping[str, Any]) -> str | None:
    for manager in assignment.get("reportsTo") or ():
        found = _code(manager, "associateOID")
        if found:
            return found
    return None


def map_worker(raw: Mapping[str, Any], context: MapContext) -> Iterator[Record]:
    """The worker, after the groups and location of their primary assignment."""
    remote_id = required_id(raw, context, what="worker", path="associateOID")
    label = WorkerStatus.read(text(dig(raw, "workerStatus.statusCode.codeValue")))
    if label is None:
        # Without it every leaver undated in the list would read as employed.
        raise BadPayload(f"{context.vendor} sent a worker without a known workerStatus")
    assignment = primary_assignment(raw)
    dates = raw.get("workerDates") or {}
    hired = _latest(
        day(dates.get("originalHireDate"), vendor=context.vendor),
        day(dates.get("rehireDate"), vendor=context.vendor),
        day(assignment.get("hireDate"), vendor=context.vendor),
    )
    terminated = day(dates.get("terminationDate"), vendor=context.vendor) or day(
        assignment.get("terminationDate"), vendor=context.vendor
    )
    groups = tuple(_groups(assignment))
    yield from groups
    location = _location(assignment)
    if location is not None:
        yield location
    yield Employee(
        remote_id=remote_id,
        first_name=text(dig(raw, "person.legalName.givenName")) or "",
        last_name=text(dig(raw, "person.legalName.familyName1")) or "",
        work_email=_work_email(raw),
        employment_status=employment_status(
            label=label,
            on_leave=text(dig(assignment, "assignmentStatus.statusCode.codeValue")) == ON_LEAVE,
            hired=hired,
            terminated=terminated,
            as_of=context.as_of,
        ),
        group_ids=tuple(dict.fromkeys(g.remote_id for g in groups)),
        manager_remote_id=_manager(assignment),
        start_date=hired,
        location_id=location.remote_id if location else None,
    )


_STATUS = "employee.employment_status"
_ASSIGNMENT = "workAssignments[]"
_UNIT = f"{_ASSIGNMENT}.homeOrganizationalUnits[]"
_PLACE = f"{_ASSIGNMENT}.homeWorkLocation"
# The primary assignment is chosen by its flag: everything read from it depends on it.
_FROM_ASSIGNMENT = (
    "employee.group_ids",
    "employee.manager_remote_id",
    "employee.location_id",
    "employee.start_date",
    _STATUS,
)

WORKER_KEEPS = (
    VendorField("associateOID", ("employee.remote_id",)),
    VendorField("person.legalName.givenName", ("employee.first_name",)),
    VendorField("person.legalName.familyName1", ("employee.last_name",)),
    VendorField("businessCommunication.emails[].emailUri", ("employee.work_email",)),
    VendorField("workerStatus.statusCode.codeValue", (_STATUS,)),
    VendorField("workerDates.originalHireDate", ("employee.start_date", _STATUS)),
    VendorField("workerDates.rehireDate", ("employee.start_date", _STATUS)),
    VendorField("workerDates.terminationDate", (_STATUS,)),
    VendorField(f"{_ASSIGNMENT}.primaryIndicator", _FROM_ASSIGNMENT),
    VendorField(f"{_ASSIGNMENT}.hireDate", ("employee.start_date", _STATUS)),
    VendorField(f"{_ASSIGNMENT}.terminationDate", (_STATUS,)),
    VendorField(f"{_ASSIGNMENT}.assignmentStatus.statusCode.codeValue", (_STATUS,)),
    VendorField(f"{_UNIT}.typeCode.codeValue", ("employee.group_ids", "group.group_type")),
    VendorField(f"{_UNIT}.nameCode.codeValue", ("employee.group_ids", "group.remote_id")),
    VendorField(f"{_UNIT}.nameCode.shortName", ("group.name",)),
    VendorField(f"{_UNIT}.nameCode.longName", ("group.name",)),
    VendorField(f"{_ASSIGNMENT}.reportsTo[].associateOID", ("employee.manager_remote_id",)),
    VendorField(f"{_PLACE}.nameCode.codeValue", ("employee.location_id", "location.remote_id")),
    VendorField(f"{_PLACE}.address.countryCode", ("location.country",)),
)
"""Every field of a worker the mapper reads (the disclosure lists them); the rest of ADP's
worker (masked tax ids, birth date, home address, pay) is never read nor kept."""


SPEC = ConnectorSpec(
    provider=ADPWORKFORCENOW,
    api_root="https://api.adp.com",
    # Production API and token hosts; iat-api.adp.com is ADP's test (IAT) host in its own
    # collections, token endpoint included, reached with a base URL.
    allowed_hosts=("api.adp.com", "accounts.adp.com", "iat-api.adp.com"),
    # HTTP Basic: the first of the three forms ADP's collection shows (body and query too).
    auth=OAuth2ClientCredentials("https://accounts.adp.com/auth/oauth/v2/token"),
    mutual_tls=MutualTls(),
    streams=(
        Stream(
            "workers",
            "/hr/v2/workers",
            map_worker,
            records_path="workers",
            paginator=OffsetLimit(offset_param="$skip", limit_param="$top", limit=PAGE_SIZE),
            keeps=WORKER_KEEPS,
        ),
    ),
    guide=SetupGuide(
        summary="Create an ADP API Central project that can read workers, have ADP sign a "
        "certificate for it, and paste its client ID, secret, certificate and private key.",
        steps=(
            "Sign in to ADP Workforce Now as a practitioner with security administration rights. "
            "API Central for ADP Workforce Now must be installed from the ADP Marketplace "
            "(apps.adp.com); it is a paid ADP product.",
            "In API Central (api-central.adp.com) choose Projects > Create a Project, name it "
            "'rostersync', and pick only the use case that reads worker demographics (HR - "
            "Workers v2, read).",
            "Open the project's Credentials: copy the Client ID and Client Secret here.",
            "Under Certificates choose Request Certificate: API Central makes the private key "
            "and ADP signs the certificate. Copy the private key at once (it is shown once), "
            "then the signed certificate when it is ready, both with their BEGIN and END lines.",
            "RUN Powered by ADP: the app's client ID, secret and certificate come from the ADP "
            "Marketplace app registration instead; the rest is the same.",
        ),
        grant=(
            "Workers v2, read: names, work e-mail, status and dates, primary assignment "
            "(home department, business unit, cost number, home work location, reports-to)",
        ),
        do_not_grant=(
            "Pay statements, payroll, pay distributions, tax or deduction APIs",
            "Worker write events (hire, terminate, personal or business communication changes)",
            "Unmasked data (full tax IDs or birth dates): leave masking on",
        ),
        sources=(
            "https://developers.adp.com/articles/general/introduction-to-adp-restful-apis",
            "https://docs.stackone.com/connectors/adpworkforcenow/guides/connector-profile/oauth-2-0",
            "https://support.bindbee.dev/en/articles/10516442-adp-workforce-now",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
