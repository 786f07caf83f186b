"""Personio connector (Personnel Data API v1).

API reference (read 2026-11): https://developer.personio.de/v1.0/reference/post_auth,
https://developer.personio.de/reference/get_company-employees,
https://developer.personio.de/v1.0/docs/pagination-adoption-guide-for-v1-get-employees-endpoint,
https://developer.personio.de/changelog/deprecated-query-string-credentials-on-post-v1auth,
https://developer.personio.de/changelog/authentication-api-improved-bearer-token, Personio's
v1 OpenAPI (as vendored in github.com/konfig-sdks/personio-data-java-sdk, api/openapi.yaml).

Why v1: the v2 Persons API returns no department, office or status on a person; those sit
on employments, which can only be listed one person at a time (GET /v2/persons/{id}/
employments), i.e. one request per employee. v1 gives everything in pages of 100.

- Auth: POST /v1/auth with client_id / client_secret in the form body (the query-string form
  is deprecated) answers `{"success": true, "data": {"token": "papi-..."}}`; the token is
  stable for 24 hours and sent as a Bearer token.
- People: GET /v1/company/employees?offset=&limit=100 (100 is the documented maximum), with
  `attributes[]` naming only the allowlisted attributes. Every status (active, onboarding,
  leave, inactive) is returned. Each attribute is `{"label", "value", "type",
  "universal_id"}`; department, team and office are embedded objects, so groups and
  locations come from the employee pages (v1 has no list endpoint for them, and offices
  carry no country).
- Dates: Personio renders calendar dates as midnight in the company's zone converted to UTC
  ("2014-11-08T23:00:00.000Z" is 9 November in Berlin); they are rounded to the nearest
  midnight so the calendar day survives any zone within +-12 h.
- Rate limits: GET employees 300 requests a minute with bursts of 15 a second ("retry with a
  delay of at least 1 second"), changelog rate-limits-on-get-employees-endpoint-may-6-2024;
  /v1/auth 60 a minute; and 2000 a minute per requesting IP address across every credential
  (changelog ip-address-based-rate-limiting-v1-endpoints), which all tenants behind one
  rostersync egress address share. The read keeps to the first two.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from rostersync.connectors.auth import CredentialsSaver, UrlResolver, render
from rostersync.connectors.declarative import DeclarativeConnector
from rostersync.connectors.errors import (
    BadPayload,
)
from rostersync.connectors.http import parse_json, read_body
from rostersync.connectors.mapping import dig, ident, text
from rostersync.connectors.pacing import RateLimit
from rostersync.connectors.paging import OffsetLimit
from rostersync.connectors.providers import PERSONIO
from rostersync.connectors.responses import TOKEN_RESPONSES
from rostersync.connectors.spec import (
    ConnectorSpec,
    FieldList,
    MapContext,
    SetupGuide,
    Stream,
    VendorField,
)
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location

PAGE_SIZE = 100  # documented maximum of GET /v1/company/employees since 2025

# The Personio attributes behind our allowlist, and nothing else (`id` always comes back).
_STATUS = "employee.employment_status"
_GROUP = ("employee.group_ids", "group.remote_id", "group.name")
ATTRIBUTES = (
    VendorField("first_name", ("employee.first_name",)),
    VendorField("last_name", ("employee.last_name",)),
    VendorField("email", ("employee.work_email",)),
    VendorField("status", (_STATUS,)),
    VendorField("supervisor", ("employee.manager_remote_id",)),
    VendorField("hire_date", ("employee.start_date", _STATUS)),
    VendorField("termination_date", (_STATUS,)),
    VendorField("department", _GROUP),
    VendorField("team", _GROUP),
    VendorField("office", ("employee.location_id", "location.remote_id")),
)


# --- auth -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonioToken:
    """POST /v1/auth with the client credentials; `data.token` is the Bearer token."""

    path: str = "/v1/auth"

    @property
    def sign_in(self) -> str:
        """The call that trades the credentials for a token, as the disclosure shows it."""
        return self.path

    def build(
        self,
        credentials: Mapping[str, str],
        save: CredentialsSaver | None,  # noqa: ARG002 - nothing rotates
        resolve: UrlResolver,
    ) -> httpx.Auth:
        form = {
            "client_id": render("{client_id}", credentials),
            "client_secret": render("{client_secret}", credentials),
        }
        return _TokenAuth(resolve(self.path), form)


class _TokenAuth(httpx.Auth):
    def __init__(self, url: str, form: Mapping[str, str]) -> None:
        self._url = url
        self._form = dict(form)
        self._token: str | None = None

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield httpx.Request(
            "POST", self._url, data=self._form, headers={"Accept": "application/json"}
        )
        endpoint = f"POST {urlsplit(self._url).path}"
        TOKEN_RESPONSES.check(response, vendor="Personio", endpoint=endpoint)
        content = read_body(response, vendor="Personio", endpoint=endpoint)
        token = dig(parse_json(content, vendor="Personio", endpoint=endpoint), "data.token")
        if not isinstance(token, str) or not token:
            raise BadPayload("Personio's /v1/auth answer holds no data.token")
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is None:
            yield from self._fetch()
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401:
            # The stable token lasts 24 hours; a long read may outlive it once.
            yield from self._fetch()
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request


# --- mapping ----------------------------------------------------------------------------------


def _attribute(raw: Mapping[str, Any], name: str) -> Any:
    """`attributes.<name>.value`; tolerates bare values, as nested objects carry them."""
    attributes = raw.get("attributes")
    if not isinstance(attributes, Mapping):
        return None
    value = attributes.get(name)
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]
    return value


def personio_day(value: Any, *, vendor: str) -> date | None:
    """A Personio date: midnight in the company's zone, often rendered in UTC."""
    raw = text(value)
    if raw is None or raw.startswith("0000-00-00"):
        return None
    if len(raw) == 10:
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:
            raise BadPayload(f"{vendor} sent a date that is not ISO 8601") from exc
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadPayload(f"{vendor} sent a date that is not ISO 8601") from exc
    # Nearest midnight of the wall-clock time as sent: 23:00Z -> the next day.
    return (moment.replace(tzinfo=None) + timedelta(hours=12)).date()


def _object(raw: Mapping[str, Any], name: str) -> tuple[str, str] | None:
    """(id, name) of an embedded Department / Team / Office value."""
    value = _attribute(raw, name)
    if not isinstance(value, Mapping):
        return None
    remote_id = ident(_attribute(value, "id"))
    if remote_id is None:
        return None
    return remote_id, text(_attribute(value, "name")) or ""


def employment_status(
    status: str | None, hire: date | None, termination: date | None, as_of: date
) -> EmploymentStatus:
    """Personio's status (active / onboarding / leave / inactive) read against the clock.

    `inactive` is a former employee. A termination date is the last day of the contract: the
    person is TERMINATED from the day after, whatever the (nightly updated) status says.
    """
    label = (status or "").strip().lower()
    if termination is not None and termination < as_of:
        return EmploymentStatus.TERMINATED
    if label == "inactive":
        return EmploymentStatus.TERMINATED
    if label == "onboarding" or (hire is not None and hire > as_of):
        return EmploymentStatus.PENDING
    if label == "leave":
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE


def map_employee(
    raw: Mapping[str, Any], context: MapContext
) -> Iterator[Employee | Group | Location]:
    remote_id = ident(_attribute(raw, "id"))
    if remote_id is None:
        raise BadPayload("Personio sent an employee without an id attribute")
    hire = personio_day(_attribute(raw, "hire_date"), vendor=context.vendor)
    termination = personio_day(_attribute(raw, "termination_date"), vendor=context.vendor)
    group_ids: list[str] = []
    for name, group_type in (("department", GroupType.DEPARTMENT), ("team", GroupType.TEAM)):
        found = _object(raw, name)
        if found is not None:
            group_ids.append(found[0])
            yield Group(remote_id=found[0], group_type=group_type, name=found[1])
    office = _object(raw, "office")
    if office is not None:
        # Offices carry only id and name in v1; their country is not in the API.
        yield Location(remote_id=office[0], country=None)
    supervisor = _attribute(raw, "supervisor")
    yield Employee(
        remote_id=remote_id,
        first_name=text(_attribute(raw, "first_name")) or "",
        last_name=text(_attribute(raw, "last_name")) or "",
        work_email=text(_attribute(raw, "email")),
        employment_status=employment_status(
            text(_attribute(raw, "status")), hire, termination, context.as_of
        ),
        group_ids=tuple(group_ids),
        manager_remote_id=(
            ident(_attribute(supervisor, "id")) if isinstance(supervisor, Mapping) else None
        ),
        start_date=hire,
        location_id=office[0] if office else None,
    )


SPEC = ConnectorSpec(
    provider=PERSONIO,
    api_root="https://api.personio.de",
    allowed_hosts=("api.personio.de",),
    auth=PersonioToken(),
    rate_limits=(RateLimit(300, per_seconds=60), RateLimit(15, per_seconds=1)),
    headers={"Accept": "application/json", "X-Personio-App-ID": "ROSTERSYNC"},
    unavailable=("location.country",),
    streams=(
        Stream(
            "employees",
            "/v1/company/employees",
            map_employee,
            # httpx encodes a list as repeated `attributes[]=` parameters.
            fields=ATTRIBUTES,
            field_list=FieldList("attributes[]"),
            records_path="data",
            paginator=OffsetLimit(limit=PAGE_SIZE, total_path="metadata.total_elements"),
        ),
    ),
    guide=SetupGuide(
        summary="Create Personio API credentials that can read employees' basic, "
        "organisational and contract attributes, for every employee status.",
        steps=(
            "In Personio, open Marketplace > Connected integrations and generate a new API "
            "credential (older accounts: Settings > Integrations > API credentials > Create "
            "custom integration).",
            "Name the credential 'rostersync'. Under access to Personnel Data, give read "
            "access to Employees only.",
            "Under Readable employee attributes, select exactly the attributes listed below; "
            "Personio returns only whitelisted attributes, and nothing else is needed.",
            "Save, then copy the Client ID and the Client secret (the secret is shown once).",
        ),
        grant=(
            "Employees: read",
            "Attributes: First name, Last name, Email, Status, Supervisor, Hire date, "
            "Termination date, Department, Team, Office",
        ),
        do_not_grant=(
            "Salary, IBAN and other payroll or bank attributes",
            "Private address, private email and phone, date of birth, gender",
            "Absences, attendances, documents, write access of any kind",
        ),
        sources=(
            "https://developer.personio.de/v1.0/reference/introduction-1",
            "https://support.personio.de/hc/en-us/articles/115001075029",
            "https://help.kombo.dev/hc/en-us/articles/33240940552337",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
