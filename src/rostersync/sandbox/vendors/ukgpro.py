"""UKG Pro (formerly UltiPro) core REST API emulator, written from UKG's public documentation.

Served at the root (the real base URL is the tenant's web service host, e.g.
``https://service4.ultipro.com``, shown under System Configuration > Web Services):

=====  ==================================================  ====================================
verb   path                                                notes
=====  ==================================================  ====================================
GET    /personnel/v1/employment-details                    one record per employee, every
                                                           status (terminated included);
                                                           ``page`` / ``per_Page``
GET    /personnel/v1/companies/{companyId}/employment-     the same, for one component company
       details
GET    /personnel/v1/person-details                        names, ``emailAddress`` and the
                                                           personal fields; paged the same way
GET    /personnel/v1/companies/{companyId}/person-details  the same, for one component company
GET    /configuration/v1/org-levels                        ``level``, ``levelDescription``,
                                                           ``code``, ``description``,
                                                           ``isActive``
GET    /configuration/v1/locations                         ``locationCode``, ``description``,
                                                           ``city``, ``countryCode``,
                                                           ``isActive``
=====  ==================================================  ====================================

Behaviour copied from the docs:

- Auth: HTTP Basic with the web service account's user name and password **and** the
  ``US-Customer-Api-Key`` header on every request; a request missing or getting either wrong
  answers 401. (Employment details need the "View" role on "Personnel Integration", person
  details on "Employee Person Details", org levels and locations on "Company Configuration
  Integration".)
- Lists answer a bare JSON array. ``page`` (from 1) and ``per_Page`` page them; "if no
  pagination parameters specified, the default/max is applied", and the default/max has been
  10,000 per page since January 2022. Query parameter names are matched case-insensitively
  (public clients send ``per_page``), as ASP.NET does.
- Employment details carry UKG's own spellings: ``companyID``, ``employeeID``,
  ``employeeNumber``, ``employeeStatusCode``, ``originalHireDate``, ``lastHireDate``,
  ``dateOfTermination`` (UKG's name for the termination date; there is no ``terminationDate``
  field), ``statusStartDate``, ``orgLevel1Code`` .. ``orgLevel4Code``, ``supervisorID`` (the
  supervisor's ``employeeID``), ``supervisorFirstName`` / ``supervisorLastName``,
  ``primaryWorkLocationCode``, ``jobTitle``, ``employeeTypeCode``, ``dateTimeCreated``...
  Person details use ``employeeId`` / ``companyId`` (lower-case ``d``), ``firstName``,
  ``lastName``, ``preferredName``, ``emailAddress`` (primary), ``emailAddressAlternate`` and
  the personal fields (``ssn``, ``dateOfBirth``, ``homePhone``, address...), which the real
  endpoint returns to any account allowed to read it.
- ``employeeStatusCode`` is UKG's employment status: ``A`` active, ``L`` leave of absence,
  ``T`` terminated (``O``, ``R``, ``S`` exist too: on strike, released, suspended).
- Equality filters documented for the lists: ``companyId``, ``employeeId``,
  ``employeeNumber``, ``employeeStatusCode``, ``supervisorID``, ``primaryWorkLocationCode``
  (employment details); ``companyId``, ``employeeId``, ``emailAddress``, ``lastName`` (person
  details). The date operators (``dateTimeCreated=>01-01-1900``) are not emulated.
- Rate limiting: too many calls in a period ("normally 1 minute") answer 429; UKG does not
  send ``Retry-After`` yet ("considering implementing"), clients should wait 1 second. Faults
  inject 429s with or without the header.

Guesses, marked ``[guess]``: the error body shape (RFC 7807 problem details, as the spec lists
``application/problem+json``); what comes past the last page (an empty array ``[]``, which is
what public clients stop on); a ``per_Page`` over 10,000 is served as 10,000; dates as
``YYYY-MM-DDT00:00:00`` without an offset; the id formats (5-character company ids as in
UKG's examples, 12-character employee ids); **a future-dated termination**: UKG processes a
termination when it is entered, so ``employeeStatusCode`` is ``T`` at once while
``dateOfTermination`` holds the date still ahead (garden leave is the same: a termination
entered with its last day); a future hire is ``A`` with ``lastHireDate`` ahead; a rehire keeps
``originalHireDate``, gets a new ``lastHireDate`` and loses ``dateOfTermination``; org level 1
is the department and level 2 the team (each tenant names its levels); the ISO alpha-3
country codes; ``employeeTypeCode`` ``REG`` / ``CON`` (tenant-defined codes). Control
endpoints live under ``/_sandbox``.
"""

# Sources (stored copies, read 2026-12):
#   https://developer.ukg.com/hcm (Basic auth with a web service account, Customer API key)
#   https://developer.ukg.com/hcm/docs/api-rate-limiting (429, no Retry-After yet, wait 1 s)
#   https://developer.ukg.com/hcm/docs/news-doc (default/max page size 100 -> 10,000 in 2022,
#   Employment Details and Person Details among the paged endpoints)
#   https://developer.ukg.com/hcm/docs/employee-employment-information-service (status codes)
#   UKG Pro OpenAPI specification, as vendored in github.com/konfig-sdks/ukg-java-sdk
#   (api/openapi.yaml; docs/EmpEmploymentDetails.md, EmpPersonDetails.md, OrgLevels.md,
#   Locations.md): paths, ``page`` / ``per_Page``, headers, permissions, field names.
#   The spec lists locations as ``/locations`` under the configuration base; public clients
#   call ``/configuration/v1/locations`` beside ``/configuration/v1/org-levels``.
#   Example bodies in UKG's reference ("string" / 2019-06-13T15:06:18.337Z placeholders), as
#   repeated in public clients' tests.

from __future__ import annotations

import hashlib
import json
import string
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import (
    VendorError,
    basic_ok,
    header_ok,
    int_param,
    json_response,
    vendor_app,
)

__all__ = ["CREDENTIALS", "MAX_PER_PAGE", "create_app", "employee_id"]

CREDENTIALS = ("username", "password", "customer_api_key")
"""The web service account's user name and password, and the tenant's Customer API key."""

CUSTOMER_API_KEY_HEADER = "US-Customer-Api-Key"
MAX_PER_PAGE = 10_000  # the documented default/max since January 2022


def _title(status: int) -> str:
    """The status's reason phrase (RFC 9110), as the vendor's error bodies carry it."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# [guess] UKG shows ISO alpha-3 country codes; the synthetic company's sites use alpha-2.
_ALPHA3 = {"GB": "GBR", "DE": "DEU", "US": "USA", "FR": "FRA", "ES": "ESP"}
_GENDER = {"female": "F", "male": "M"}

# Query parameter (lower-cased) -> the row key it filters on, per list.
_EMPLOYMENT_FILTERS = {
    "companyid": "companyID",
    "employeeid": "employeeID",
    "employeenumber": "employeeNumber",
    "employeestatuscode": "employeeStatusCode",
    "supervisorid": "supervisorID",
    "primaryworklocationcode": "primaryWorkLocationCode",
}
_PERSON_FILTERS = {
    "companyid": "companyId",
    "employeeid": "employeeId",
    "emailaddress": "emailAddress",
    "lastname": "lastName",
}

Row = dict[str, Any]
Filters = tuple[tuple[str, str], ...]


class UkgProError(VendorError):
    """Answered in the vendor's error shape (see ``_error_body``)."""


def _error_body(status: int, message: str | None = None) -> bytes:
    # [guess] RFC 7807 problem details; the spec lists application/problem+json.
    body = {"title": message or _title(status), "status": status}
    return json.dumps(body).encode()


_UPPER_ALNUM = string.ascii_uppercase + string.digits


def _code(kind: str, key: str, length: int) -> str:
    """A stable upper-case alphanumeric id, like UKG's ``J9A6Y`` company ids."""
    digest = hashlib.sha256(f"ukgpro:{kind}:{key}".encode()).digest()
    return "".join(_UPPER_ALNUM[b % len(_UPPER_ALNUM)] for b in digest[:length])


def employee_id(person: SyntheticPerson) -> str:
    """The person's UKG ``employeeID`` (12 characters, [guess] format), stable across reads."""
    return _code("employee", person.id, 12)


def _stamp(value: date | None) -> str | None:
    # [guess] UKG's date-times come without an offset.
    return f"{value.isoformat()}T00:00:00" if value else None


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds")


def _status_code(person: SyntheticPerson) -> str:
    # [guess] a termination is processed when entered: T at once, even with a date ahead.
    if person.status is PersonStatus.TERMINATED or person.termination_date is not None:
        return "T"
    return "L" if person.status is PersonStatus.ON_LEAVE else "A"


@dataclass(frozen=True, slots=True)
class _Rows:
    """Every list the emulator serves, rendered once per company version."""

    employment: list[Row]
    person: list[Row]
    org_levels: list[Row]
    locations: list[Row]


class _Renderer:
    """Renders the company in UKG Pro's shapes."""

    def __init__(self, company: SyntheticCompany, people: tuple[SyntheticPerson, ...]) -> None:
        self.company = company
        self.company_id = _code("company", str(company.seed), 5)
        self.by_id = {p.id: p for p in people}

    def employment(self, person: SyntheticPerson, *, leak: bool) -> Row:
        company = self.company
        department = company.department(person.department_id)
        manager = self.by_id.get(person.manager_id) if person.manager_id else None
        status = _status_code(person)
        first_hire = person.past_employments[0][0] if person.past_employments else None
        row: Row = {
            "companyID": self.company_id,
            "companyCode": "C0001",
            "companyName": company.name,
            "employeeID": employee_id(person),
            "employeeNumber": (
                None if person.employee_number is None else str(person.employee_number)
            ),
            "jobDescription": f"{department.name} specialist",
            "jobTitle": f"{department.name} specialist",
            "primaryJobCode": "SPEC",
            "orgLevel1Code": department.id,
            "orgLevel2Code": person.team_id,
            "orgLevel3Code": None,
            "orgLevel4Code": None,
            "originalHireDate": _stamp(first_hire or person.start_date),
            "lastHireDate": _stamp(person.start_date),
            "dateOfTermination": _stamp(person.termination_date),
            # [guess] the company keeps no leave start: leave shows the hire date here.
            "statusStartDate": _stamp(
                person.termination_date if status == "T" else person.start_date
            ),
            "employeeStatusCode": status,
            "employeeTypeCode": "CON" if person.contractor else "REG",
            "fullTimeOrPartTimeCode": "F",
            "salaryOrHourly": "S",
            "primaryWorkLocationCode": person.site_id,
            "supervisorID": employee_id(manager) if manager else None,
            "supervisorFirstName": manager.first_name if manager else None,
            "supervisorLastName": manager.last_name if manager else None,
            "termReason": "VOL" if status == "T" else None,
            "termType": "V" if status == "T" else None,
            "dateTimeCreated": _moment(person.created_at),
            "dateTimeChanged": _moment(person.created_at),
        }
        if leak:
            # Undocumented fields a misconfigured tenant might expose ([guess] names).
            row |= {
                "annualSalary": person.salary,
                "bankAccountNumber": person.bank_account,
                "performanceNote": person.performance_note,
            }
        return row

    def person(self, person: SyntheticPerson) -> Row:
        home = person.home_address
        site = self.company.site(person.site_id)
        digits = int(hashlib.sha256(person.id.encode()).hexdigest()[:8], 16) % 10**9
        return {
            "personId": str(uuid.UUID(bytes=hashlib.sha256(person.id.encode()).digest()[:16])),
            "employeeId": employee_id(person),
            "companyId": self.company_id,
            "firstName": person.first_name,
            "middleName": None,
            "lastName": person.last_name,
            "preferredName": None,
            "emailAddress": person.work_email,
            "emailAddressAlternate": person.personal_email or None,
            "homePhone": person.personal_phone or None,
            "addressLine1": home.line1 if home else None,
            "addressCity": home.city if home else None,
            "addressZipCode": home.postcode if home else None,
            "addressCountry": _ALPHA3[site.country_code],
            "dateOfBirth": _stamp(person.date_of_birth),
            "gender": _GENDER.get(person.gender),
            "ethnicDescription": person.ethnicity or None,
            "ssn": f"{digits:09d}",
            "ssnIsSuppressed": False,
            "datetimeCreated": _moment(person.created_at),
            "datetimeChanged": _moment(person.created_at),
        }

    def org_levels(self) -> list[Row]:
        company = self.company
        departments = [
            {
                "level": 1,
                "levelDescription": "Department",
                "code": d.id,
                "description": d.name,
                "isActive": not d.archived,
            }
            for d in company.departments
        ]
        teams = [
            {
                "level": 2,
                "levelDescription": "Team",
                "code": t.id,
                "description": t.name,
                "isActive": True,
            }
            for t in company.teams
        ]
        return departments + teams

    def locations(self) -> list[Row]:
        return [
            {
                "locationCode": s.id,
                "description": s.name,
                "city": s.city,
                "countryCode": _ALPHA3[s.country_code],
                "isActive": True,
            }
            for s in self.company.sites
        ]


def _query(request: Request) -> dict[str, str]:
    """Query parameters by lower-cased name: ASP.NET binds them case-insensitively."""
    return {key.lower(): value for key, value in request.query_params.items()}


def _filters(query: Mapping[str, str], table: Mapping[str, str]) -> Filters:
    return tuple(sorted((table[k], v) for k, v in query.items() if k in table))


def _matching(rows: list[Row], filters: Filters) -> list[Row]:
    for key, value in filters:
        wanted = value.casefold()
        rows = [r for r in rows if r.get(key) is not None and str(r[key]).casefold() == wanted]
    return rows


def _page(query: Mapping[str, str], rows: list[Row]) -> list[Row]:
    page = int_param(query.get("page"), 1, UkgProError, name="page")
    per_page = int_param(query.get("per_page"), MAX_PER_PAGE, UkgProError, name="per_Page")
    per_page = min(per_page, MAX_PER_PAGE)  # [guess] served at the maximum, not refused
    start = (page - 1) * per_page
    return rows[start : start + per_page]  # [guess] past the end: []


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A UKG Pro emulator over ``company`` accepting one service account (see CREDENTIALS)."""
    faults = faults if faults is not None else Faults()
    account = f"{credentials['username']}:{credentials['password']}".encode()
    api_key = credentials["customer_api_key"]
    app = vendor_app("UKG Pro emulator", company, faults, error_body=_error_body)
    memo = CompanyMemo(company)

    def build(leak: bool) -> _Rows:
        people = memo.people()
        r = _Renderer(company, people)
        return _Rows(
            employment=[r.employment(p, leak=leak) for p in people],
            person=[r.person(p) for p in people],
            org_levels=r.org_levels(),
            locations=r.locations(),
        )

    def rows(request: Request) -> _Rows:
        if not (
            basic_ok(request, account) and header_ok(request, CUSTOMER_API_KEY_HEADER, api_key)
        ):
            raise UkgProError(401, "Authorization has been denied for this request.")
        leak = faults.leak_sensitive_fields
        return memo.get(("rows", leak), lambda: build(leak))

    def paged(
        name: str, pick: Callable[[_Rows], list[Row]], table: Mapping[str, str], company_key: str
    ) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """Handlers for a paged list and its per-company twin."""

        def listed(request: Request, extra: Filters) -> Response:
            everything = rows(request)
            query = _query(request)
            filters = tuple(sorted(_filters(query, table) + extra))
            leak = faults.leak_sensitive_fields
            found = memo.get((name, leak, filters), lambda: _matching(pick(everything), filters))
            return json_response(_page(query, found))

        async def all_companies(request: Request) -> Response:
            return listed(request, ())

        async def one_company(company_id: str, request: Request) -> Response:
            return listed(request, ((company_key, company_id),))

        return all_companies, one_company

    for name, pick, table, company_key in (
        ("employment-details", lambda r: r.employment, _EMPLOYMENT_FILTERS, "companyID"),
        ("person-details", lambda r: r.person, _PERSON_FILTERS, "companyId"),
    ):
        every, one = paged(name, pick, table, company_key)
        app.add_api_route(f"/personnel/v1/{name}", every, methods=["GET"])
        app.add_api_route(f"/personnel/v1/companies/{{company_id}}/{name}", one, methods=["GET"])

    @app.get("/configuration/v1/org-levels")
    async def org_levels(request: Request) -> Response:
        return json_response(rows(request).org_levels)

    @app.get("/configuration/v1/locations")
    async def locations(request: Request) -> Response:
        return json_response(rows(request).locations)

    return app
