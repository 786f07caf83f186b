"""Workday emulator: RaaS custom reports and the SOAP Human_Resources service.

Served at the root (the real host is the tenant's ``https://wd2-impl-services1.workday.com``
style services host):

=====  ===========================================================  ==========================
verb   path                                                         notes
=====  ===========================================================  ==========================
GET    /ccx/service/customreport2/{tenant}/{owner}/{report}         ``?format=json``; Basic
                                                                    auth ``{user}@{tenant}``
POST   /ccx/service/{tenant}/Human_Resources/v{version}             SOAP 1.1; WS-Security
                                                                    UsernameToken; operations
                                                                    Get_Workers,
                                                                    Get_Organizations,
                                                                    Get_Locations
=====  ===========================================================  ==========================

RaaS (Reports-as-a-Service): the three reports an integration system user shares with the
customer, each ``{"Report_Entry": [...]}`` with string values and empty values left out, as
Workday renders them:

- ``HRIS_Workers``: ``Worker_WID``, ``Employee_ID``, ``Legal_First_Name``,
  ``Legal_Last_Name``, ``Primary_Work_Email``, ``Active``, ``Terminated``, ``On_Leave`` ("1" /
  "0"), ``Hire_Date``, ``Termination_Date``, ``Manager_WID``,
  ``Supervisory_Organization_WID``, ``Location_WID``. All workers, terminated and future hires
  included (the report's data source decides that; "All Workers" is the usual one).
- ``HRIS_Supervisory_Organizations``: ``Organization_WID``, ``Name``,
  ``Organization_Subtype`` (Department / Team). Inactive organizations are not listed.
- ``HRIS_Locations``: ``Location_WID``, ``Country_ISO_Alpha_2``.

``format=json`` is required for JSON (without it Workday answers XML, ``wd:Report_Data``).
Unknown report names answer 404. Bad Basic credentials answer 401.

SOAP: the envelope must carry ``wsse:Security/wsse:UsernameToken`` with ``Username``
``{user}@{tenant}`` and the password; otherwise a SOAP fault ``SOAP-ENV:Client.
authenticationError`` with HTTP 500, as Workday does. ``wd:Response_Filter`` takes ``Page``
(from 1) and ``Count`` (default 100, at most 999); every response has ``wd:Response_Results``
(``Total_Results``, ``Total_Pages``, ``Page_Results``, ``Page``). ``Get_Workers`` returns
terminated workers unless ``Request_Criteria/Exclude_Inactive_Workers`` is true, and its
``Worker_Data`` carries ``Personal_Data`` (legal name, gender, birth date, ethnicity, home
address, home and work email, phone) whenever personal information is in the response group,
which it is by default: the connector has to ask for less. Dates are ``xsd:date`` with the
tenant's offset (``2021-03-01-08:00``).

Effective dating (SOAP ``Get_Workers``): ``Response_Filter/As_Of_Effective_Date`` sets the
as-of date, the emulator's today (the company's) when it is left out; "the response element
will only include data that is the most effective as of the As Of Date" (Find_Worker v25.1).
Workers hired after the as-of date are not returned ``[reported]``: widely reported, not in a
stored Workday page. With an as-of date on or after their hire date they are, with ``Active``
1: Microsoft's Workday integration reference documents that a future hire's Active "changes
to 1 on the hire date" and that a Get_Workers effective on the hire date gets Active 1.
``Worker_Status_Data`` (``Active``, ``Terminated``, ``Termination_Date``, ``On_Leave``) is
reported as effective on the as-of date: a termination dated on or before it shows
(``Terminated`` 1, ``Termination_Date``), a later one is not in the response yet (Microsoft's
termination lookahead page: the termination attributes appear once the termination day
begins). A rehire whose new start is after the as-of date is returned as the leaver of the
earlier spell. ``Exclude_Inactive_Workers`` drops the workers terminated as of that date.
RaaS reports are unaffected: the report definition's own "Effective as of" prompt decides.

Ids: every WID is 32 lowercase hex characters, derived from the synthetic ids; Employee_ID is
the employee number plus 21000, in Workday's demo style, left out when HR gave none. The
synthetic company's departments and teams become supervisory organizations of subtype
Department and Team; a worker belongs to their team's organization when they have a team, else
to their department's.

Guesses are marked ``[guess]``: in RaaS, future hires are listed with ``Active`` 0 (the "All
Workers" data source lists them; Workday's pre-hire handling depends on the tenant's hire
business process); ``As_Of_Effective_Date`` counts by its date part only (a dateTime is not
moved into the tenant's time zone); leave has no dates in the synthetic company, so
``On_Leave`` shows at any as-of date; and the fault body of errors injected by the sandbox is
JSON for both services.
"""

# Sources (stored copies, read 2026-11):
#   Workday Web Services, Human_Resources v4x: Get_Workers, Get_Organizations, Get_Locations
#   operation pages (community.workday.com/sites/default/files/file-hosting/productionapi/
#   Human_Resources/v44.0/...), Worker_Data / Worker_Status_Data / Personal_Data element
#   reference, Response_Filter and Response_Results; Workday RaaS documentation
#   ("Reports as a Service", customreport2 URL pattern, ?format=json) and public integration
#   code reading Report_Entry (element names only).
#   As_Of_Effective_Date: https://community.workday.com/sites/default/files/file-hosting/
#   productionapi/Human_Resources/v25.1/Find_Worker.html (As_Of_Date semantics);
#   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/workday-integration-reference
#   ("Query for future-dated hires": Active "0" before the hire date, "1" on it) and
#   https://learn.microsoft.com/en-us/entra/identity/app-provisioning/configure-workday-termination-lookahead

from __future__ import annotations

import hashlib
import json
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring as parse_xml  # type: ignore[import-untyped]
from fastapi import FastAPI, Request, Response

from rostersync.sandbox.company import PersonStatus, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.faults import Fault, Faults
from rostersync.sandbox.memo import CompanyMemo
from rostersync.sandbox.vendor_app import VendorError, basic_ok, json_response, vendor_app

__all__ = ["CREDENTIALS", "create_app"]

CREDENTIALS = ("tenant", "username", "password")
"""Tenant name, integration system user name (without ``@tenant``) and its password."""

WD = "urn:com.workday/bsvc"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DEFAULT_COUNT = 100
MAX_COUNT = 999
TZ = "-08:00"  # tenant time zone offset Workday appends to xsd:date values
REPORTS = ("HRIS_Workers", "HRIS_Supervisory_Organizations", "HRIS_Locations")


def wid(kind: str, key: str) -> str:
    """A stable 32-hex Workday ID for a synthetic object."""
    return hashlib.md5(f"{kind}:{key}".encode(), usedforsecurity=False).hexdigest()


_json = partial(json_response, compact=False)


def _error_body(_status: int, message: str | None) -> bytes:
    return json.dumps(
        {"error": message, "errors": [{"error": message}]}, ensure_ascii=False
    ).encode()


def _render_fault(status: int, _fault: Fault | None) -> tuple[bytes, dict[str, str]]:
    text = {
        401: "invalid username or password",
        403: "The task submitted is not authorized.",
        429: "Too many requests",
    }.get(status, "Service unavailable")
    return _error_body(status, text), {}


class WorkdayError(VendorError):
    """``WorkdayError(status, message)``, answered as ``{"error", "errors"}``."""


class SoapFault(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _soap_fault(code: str, message: str) -> Response:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}">'
        f"<SOAP-ENV:Body><SOAP-ENV:Fault><faultcode>SOAP-ENV:{_esc(code)}</faultcode>"
        f"<faultstring>{_esc(message)}</faultstring></SOAP-ENV:Fault></SOAP-ENV:Body>"
        "</SOAP-ENV:Envelope>"
    )
    return Response(body.encode(), 500, media_type="text/xml; charset=UTF-8")


def _esc(value: object) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


# --- the synthetic company in Workday's terms -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Org:
    wid: str
    ref_id: str
    name: str
    subtype: str
    superior: str | None
    inactive: bool


@dataclass(frozen=True, slots=True)
class _View:
    company: SyntheticCompany
    people: list[SyntheticPerson]
    by_id: dict[str, SyntheticPerson]
    orgs: list[_Org]

    @classmethod
    def of(cls, company: SyntheticCompany) -> _View:
        people = company.people()
        orgs = [
            _Org(wid("org", d.id), f"SUP_{d.id}", d.name, "Department", None, d.archived)
            for d in company.departments
        ]
        orgs += [
            _Org(
                wid("org", t.id),
                f"SUP_{t.id}",
                t.name,
                "Team",
                wid("org", t.department_id),
                False,
            )
            for t in company.teams
        ]
        return cls(company, people, {p.id: p for p in people}, orgs)

    def org_of(self, person: SyntheticPerson) -> str:
        return wid("org", person.team_id or person.department_id)

    def manager(self, person: SyntheticPerson) -> SyntheticPerson | None:
        return self.by_id.get(person.manager_id) if person.manager_id else None


def employee_id(person: SyntheticPerson) -> str | None:
    """The employee number HR gives the worker (None when blank); the WID is the id."""
    return None if person.employee_number is None else str(21000 + person.employee_number)


def _flags(person: SyntheticPerson) -> tuple[str, str, str]:
    """RaaS (Active, Terminated, On_Leave) as Workday's "1"/"0", from the current status."""
    active = person.status in (PersonStatus.ACTIVE, PersonStatus.ON_LEAVE)
    return (
        "1" if active else "0",  # [guess] pre-hires are not active before the hire date
        "1" if person.status is PersonStatus.TERMINATED else "0",
        "1" if person.status is PersonStatus.ON_LEAVE else "0",
    )


@dataclass(frozen=True, slots=True)
class _Standing:
    """A worker's status data as effective on an as-of date (SOAP ``Worker_Status_Data``)."""

    hire_date: date
    original_hire_date: date
    termination_date: date | None  # only once effective
    terminated: bool
    on_leave: bool

    def flags(self) -> tuple[str, str, str]:
        """(Active, Terminated, On_Leave) as Workday's "1"/"0"."""
        return (
            "0" if self.terminated else "1",
            "1" if self.terminated else "0",
            "1" if self.on_leave else "0",
        )


def standing(person: SyntheticPerson, as_of: date) -> _Standing | None:
    """The person's status as of ``as_of``; None before their first hire date (not returned)."""
    current = (person.start_date, person.termination_date)
    spells = (*person.past_employments, current)
    started = [spell for spell in spells if spell[0] <= as_of]
    if not started:
        return None
    start, end = started[-1]
    effective_end = end if end is not None and end <= as_of else None
    # A status set without a date (set_status) has no effective date to compare: it holds.
    undated_leaver = (
        started[-1] is current and end is None and person.status is PersonStatus.TERMINATED
    )
    terminated = effective_end is not None or undated_leaver
    return _Standing(
        hire_date=start,
        original_hire_date=spells[0][0],
        termination_date=effective_end,
        terminated=terminated,
        on_leave=not terminated and person.status is PersonStatus.ON_LEAVE,
    )


def _xdate(value: date | None) -> str | None:
    return f"{value.isoformat()}{TZ}" if value else None


# --- RaaS ---------------------------------------------------------------------------------


def _sensitive_columns(person: SyntheticPerson) -> dict[str, Any]:
    home = person.home_address
    return {
        "Date_of_Birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
        "Gender": person.gender.capitalize(),
        "Ethnicity": person.ethnicity,
        "Primary_Home_Email": person.personal_email,
        "Primary_Home_Phone": person.personal_phone,
        "Home_Address": f"{home.line1}, {home.postcode} {home.city}" if home else None,
        "Total_Base_Pay": f"{person.salary:.2f}",
        "Currency": person.salary_currency,
        "Bank_Account_Number": person.bank_account,
    }


def _report(name: str, view: _View, leak: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if name == "HRIS_Workers":
        for person in view.people:
            active, terminated, on_leave = _flags(person)
            manager = view.manager(person)
            row: dict[str, Any] = {
                "Worker_WID": wid("worker", person.id),
                "Employee_ID": employee_id(person),
                "Legal_First_Name": person.first_name,
                "Legal_Last_Name": person.last_name,
                "Primary_Work_Email": person.work_email,
                "Active": active,
                "Terminated": terminated,
                "On_Leave": on_leave,
                "Hire_Date": person.start_date.isoformat(),
                "Termination_Date": (
                    person.termination_date.isoformat() if person.termination_date else None
                ),
                "Manager_WID": wid("worker", manager.id) if manager else None,
                "Supervisory_Organization_WID": view.org_of(person),
                "Location_WID": wid("location", person.site_id),
            }
            if leak:
                row |= _sensitive_columns(person)
            rows.append(row)
    elif name == "HRIS_Supervisory_Organizations":
        rows = [
            {"Organization_WID": o.wid, "Name": o.name, "Organization_Subtype": o.subtype}
            for o in view.orgs
            if not o.inactive
        ]
    elif name == "HRIS_Locations":
        rows = [
            {"Location_WID": wid("location", s.id), "Country_ISO_Alpha_2": s.country_code}
            for s in view.company.sites
        ]
    else:
        raise WorkdayError(404, f"Report '{name}' not found")
    # Workday leaves empty values out of Report_Entry instead of sending null.
    return [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]


def _report_xml(rows: list[dict[str, Any]]) -> bytes:
    entries = "".join(
        "<wd:Report_Entry>"
        + "".join(f"<wd:{k}>{_esc(v)}</wd:{k}>" for k, v in row.items())
        + "</wd:Report_Entry>"
        for row in rows
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><wd:Report_Data xmlns:wd="urn:com.workday.report">'
        f"{entries}</wd:Report_Data>"
    ).encode()


# --- SOAP rendering -----------------------------------------------------------------------


def _ref(kind: str, *ids: tuple[str, str | None], descriptor: str | None = None) -> str:
    attr = f' wd:Descriptor="{_esc(descriptor)}"' if descriptor else ""
    inner = "".join(f'<wd:ID wd:type="{t}">{_esc(v)}</wd:ID>' for t, v in ids if v is not None)
    return f"<wd:{kind}{attr}>{inner}</wd:{kind}>"


def _el(name: str, value: object, attrs: str = "") -> str:
    if value is None or value == "":
        return ""
    return f"<wd:{name}{attrs}>{_esc(value)}</wd:{name}>"


def _usage(kind: str, public: bool) -> str:
    return (
        f'<wd:Usage_Data wd:Public="{int(public)}"><wd:Type_Data wd:Primary="1">'
        + _ref("Type_Reference", ("Communication_Usage_Type_ID", kind))
        + "</wd:Type_Data></wd:Usage_Data>"
    )


def _country(code: str) -> str:
    return _ref("Country_Reference", ("ISO_3166-1_Alpha-2_Code", code))


def _personal_data(person: SyntheticPerson, view: _View) -> str:
    site = view.company.site(person.site_id)
    home = person.home_address
    name = (
        f'<wd:Name_Data><wd:Legal_Name_Data><wd:Name_Detail_Data wd:Formatted_Name="'
        f'{_esc(person.display_name)}" wd:Reporting_Name="{_esc(person.last_name)}, '
        f'{_esc(person.first_name)}">{_country(site.country_code)}'
        f"{_el('First_Name', person.first_name)}{_el('Last_Name', person.last_name)}"
        "</wd:Name_Detail_Data></wd:Legal_Name_Data></wd:Name_Data>"
    )
    contact = ""
    if home is not None:
        contact += (
            f'<wd:Address_Data wd:Effective_Date="{_xdate(person.start_date)}" '
            'wd:Address_Format_Type="Basic">'
            f"{_country(site.country_code)}"
            f'<wd:Address_Line_Data wd:Type="ADDRESS_LINE_1">{_esc(home.line1)}'
            "</wd:Address_Line_Data>"
            f"{_el('Municipality', home.city)}{_el('Postal_Code', home.postcode)}"
            f"{_usage('HOME', False)}</wd:Address_Data>"
        )
    contact += (
        f"<wd:Phone_Data>{_el('Formatted_Phone', person.personal_phone)}"
        f"{_usage('HOME', False)}</wd:Phone_Data>"
    )
    contact += (
        f"<wd:Email_Address_Data>{_el('Email_Address', person.personal_email)}"
        f"{_usage('HOME', False)}</wd:Email_Address_Data>"
    )
    if person.work_email:
        contact += (
            f"<wd:Email_Address_Data>{_el('Email_Address', person.work_email)}"
            f"{_usage('WORK', True)}</wd:Email_Address_Data>"
        )
    return (
        f"<wd:Personal_Data>{name}"
        + _ref("Gender_Reference", ("Gender_Code", person.gender.capitalize()))
        + _el("Birth_Date", _xdate(person.date_of_birth))
        + _ref("Ethnicity_Reference", ("Ethnicity_ID", person.ethnicity))
        + f"<wd:Contact_Data>{contact}</wd:Contact_Data></wd:Personal_Data>"
    )


def _employment_data(person: SyntheticPerson, view: _View, status_of: _Standing) -> str:
    site = view.company.site(person.site_id)
    manager = view.manager(person)
    active, terminated, on_leave = status_of.flags()
    manager_ref = (
        _ref(
            "Manager_as_of_last_detected_manager_change_Reference",
            ("WID", wid("worker", manager.id)),
            ("Employee_ID", employee_id(manager)),
            descriptor=manager.display_name,
        )
        if manager
        else ""
    )
    position = (
        f'<wd:Worker_Job_Data wd:Primary_Job="1"><wd:Position_Data wd:Effective_Date="'
        f'{_xdate(status_of.hire_date)}">'
        + _ref("Position_Reference", ("WID", wid("position", person.id)))
        + _el("Position_ID", f"P-{person.serial:05d}")
        + _el("Start_Date", _xdate(status_of.hire_date))
        + _ref("Worker_Type_Reference", ("Employee_Type_ID", "Regular"))
        + "<wd:Business_Site_Summary_Data>"
        + _ref(
            "Location_Reference",
            ("WID", wid("location", site.id)),
            ("Location_ID", f"LOC_{site.id}"),
            descriptor=site.name,
        )
        + _el("Name", site.name)
        + f"<wd:Address_Data>{_country(site.country_code)}{_el('Municipality', site.city)}"
        "</wd:Address_Data></wd:Business_Site_Summary_Data>"
        + manager_ref
        + "</wd:Position_Data></wd:Worker_Job_Data>"
    )
    leave = (
        "<wd:Leave_Status_Data><wd:On_Leave>1</wd:On_Leave>"
        f"{_el('Leave_Start_Date', _xdate(view.company.today))}</wd:Leave_Status_Data>"
        if on_leave == "1"
        else ""
    )
    status = (
        f"<wd:Worker_Status_Data>{_el('Active', active)}"
        + _el("Hire_Date", _xdate(status_of.hire_date))
        + _el("Original_Hire_Date", _xdate(status_of.original_hire_date))
        + _el("First_Day_of_Work", _xdate(status_of.hire_date))
        + _el("Terminated", terminated)
        + _el("Termination_Date", _xdate(status_of.termination_date))
        + leave
        + "</wd:Worker_Status_Data>"
    )
    return f"<wd:Employment_Data>{position}{status}</wd:Employment_Data>"


def _organization_data(person: SyntheticPerson, view: _View) -> str:
    org_wid = view.org_of(person)
    org = next(o for o in view.orgs if o.wid == org_wid)
    return (
        "<wd:Organization_Data><wd:Worker_Organization_Data>"
        + _ref(
            "Organization_Reference", ("WID", org.wid), ("Organization_Reference_ID", org.ref_id)
        )
        + "<wd:Organization_Data>"
        + _el("Organization_Reference_ID", org.ref_id)
        + _el("Organization_Name", org.name)
        + _ref("Organization_Type_Reference", ("Organization_Type_ID", "SUPERVISORY"))
        + _ref("Organization_Subtype_Reference", ("Organization_Subtype_ID", org.subtype))
        + "</wd:Organization_Data></wd:Worker_Organization_Data></wd:Organization_Data>"
    )


def _compensation_data(person: SyntheticPerson) -> str:
    return (
        "<wd:Compensation_Data><wd:Employee_Base_Pay_Plan_Assignment_Data>"
        + _el("Amount", f"{person.salary:.2f}")
        + _ref("Currency_Reference", ("Currency_ID", person.salary_currency))
        + _ref("Frequency_Reference", ("Frequency_ID", "Annual"))
        + "</wd:Employee_Base_Pay_Plan_Assignment_Data></wd:Compensation_Data>"
        + "<wd:Worker_Payment_Data><wd:Account_Number>"
        + _esc(person.bank_account)
        + "</wd:Account_Number></wd:Worker_Payment_Data>"
    )


@dataclass(frozen=True, slots=True)
class _Group:
    personal: bool = True
    employment: bool = True
    organizations: bool = False
    compensation: bool = False
    reference: bool = True


def _response_group(request: Element | None, leak: bool) -> _Group:
    if leak:
        return _Group(True, True, True, True, True)
    if request is None:
        return _Group()
    group = request.find(f"{{{WD}}}Response_Group")
    if group is None:
        return _Group()

    def flag(name: str) -> bool:
        node = group.find(f"{{{WD}}}{name}")
        return node is not None and (node.text or "").strip().lower() in ("1", "true")

    return _Group(
        personal=flag("Include_Personal_Information"),
        employment=flag("Include_Employment_Information"),
        organizations=flag("Include_Organizations"),
        compensation=flag("Include_Compensation"),
        reference=group.find(f"{{{WD}}}Include_Reference") is None or flag("Include_Reference"),
    )


def _worker(person: SyntheticPerson, view: _View, group: _Group, status_of: _Standing) -> str:
    data = _el("Worker_ID", employee_id(person)) + _el(
        "User_ID", (person.work_email or "").split("@")[0] or None
    )
    if group.personal:
        data += _personal_data(person, view)
    if group.employment:
        data += _employment_data(person, view, status_of)
    if group.organizations:
        data += _organization_data(person, view)
    if group.compensation:
        data += _compensation_data(person)
    reference = (
        _ref(
            "Worker_Reference",
            ("WID", wid("worker", person.id)),
            ("Employee_ID", employee_id(person)),
        )
        + _el("Worker_Descriptor", person.display_name)
        if group.reference
        else ""
    )
    return f"<wd:Worker>{reference}<wd:Worker_Data>{data}</wd:Worker_Data></wd:Worker>"


def _organization(org: _Org) -> str:
    superior = (
        "<wd:Hierarchy_Data>"
        + _ref("Superior_Organization_Reference", ("WID", org.superior))
        + "</wd:Hierarchy_Data>"
        if org.superior
        else ""
    )
    return (
        "<wd:Organization>"
        + _ref(
            "Organization_Reference", ("WID", org.wid), ("Organization_Reference_ID", org.ref_id)
        )
        + "<wd:Organization_Data>"
        + _el("Reference_ID", org.ref_id)
        + _el("Name", org.name)
        + _ref("Organization_Type_Reference", ("Organization_Type_ID", "SUPERVISORY"))
        + _ref("Organization_Subtype_Reference", ("Organization_Subtype_ID", org.subtype))
        + _el("Inactive", "1" if org.inactive else "0")
        + superior
        + "</wd:Organization_Data></wd:Organization>"
    )


def _location(company: SyntheticCompany, site_id: str) -> str:
    site = company.site(site_id)
    return (
        "<wd:Location>"
        + _ref(
            "Location_Reference",
            ("WID", wid("location", site.id)),
            ("Location_ID", f"LOC_{site.id}"),
        )
        + "<wd:Location_Data>"
        + _el("Location_ID", f"LOC_{site.id}")
        + _el("Location_Name", site.name)
        + _ref("Location_Usage_Reference", ("Location_Usage_ID", "BUSINESS SITE"))
        + _ref("Location_Type_Reference", ("Location_Type_ID", "Office"))
        + f"<wd:Contact_Data><wd:Address_Data>{_country(site.country_code)}"
        + _el("Municipality", site.city)
        + "</wd:Address_Data></wd:Contact_Data>"
        + _el("Inactive", "0")
        + "</wd:Location_Data></wd:Location>"
    )


# --- SOAP request handling ----------------------------------------------------------------


def _text(node: Element | None, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    return (found.text or "").strip() if found is not None and found.text else None


def _paging(request: Element) -> tuple[int, int]:
    page_text = _text(request, f"{{{WD}}}Response_Filter/{{{WD}}}Page") or "1"
    count_text = _text(request, f"{{{WD}}}Response_Filter/{{{WD}}}Count") or str(DEFAULT_COUNT)
    try:
        page, count = int(page_text), int(count_text)
    except ValueError:
        raise SoapFault("Client.validationError", "Page and Count must be integers") from None
    if page < 1:
        raise SoapFault("Client.validationError", "Page must be at least 1")
    if not 1 <= count <= MAX_COUNT:
        raise SoapFault("Client.validationError", f"Count must be between 1 and {MAX_COUNT}")
    return page, count


def _as_of(request: Element, today: date) -> date:
    text = _text(request, f"{{{WD}}}Response_Filter/{{{WD}}}As_Of_Effective_Date")
    if text is None:
        return today
    try:
        # xsd:date with an offset ("2025-06-02-08:00") or a dateTime: the date part decides.
        return date.fromisoformat(text[:10])
    except ValueError:
        raise SoapFault(
            "Client.validationError", "As_Of_Effective_Date must be an xsd:date"
        ) from None


@dataclass(frozen=True, slots=True)
class _WorkerQuery:
    """What of a Get_Workers request decides its workers (every page shares them)."""

    as_of: date
    exclude_inactive: bool
    group: _Group

    @classmethod
    def of(cls, request: Element, today: date, leak: bool) -> _WorkerQuery:
        as_of = _as_of(request, today)
        criteria = request.find(f"{{{WD}}}Request_Criteria")
        exclude = (_text(criteria, f"{{{WD}}}Exclude_Inactive_Workers") or "").lower()
        return cls(as_of, exclude in ("1", "true"), _response_group(request, leak))


WorkerList = Callable[[_WorkerQuery], list[str]]


def _workers(query: _WorkerQuery, view: _View) -> list[str]:
    items = []
    for person in view.people:
        status_of = standing(person, query.as_of)
        if status_of is None or (status_of.terminated and query.exclude_inactive):
            continue
        items.append(_worker(person, view, query.group, status_of))
    return items


def _envelope(operation: str, version: str, items: list[str], page: int, count: int) -> bytes:
    total = len(items)
    pages = max(1, math.ceil(total / count))
    chunk = items[(page - 1) * count : page * count]
    results = (
        f"<wd:Response_Results><wd:Total_Results>{total}</wd:Total_Results>"
        f"<wd:Total_Pages>{pages}</wd:Total_Pages><wd:Page_Results>{len(chunk)}"
        f"</wd:Page_Results><wd:Page>{page}</wd:Page></wd:Response_Results>"
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="{SOAP}">'
        f'<env:Body><wd:{operation}_Response xmlns:wd="{WD}" wd:version="v{version}">'
        f"{results}<wd:Response_Data>{''.join(chunk)}</wd:Response_Data>"
        f"</wd:{operation}_Response></env:Body></env:Envelope>"
    ).encode()


def _soap_request(body: bytes, expected_user: str, password: str) -> Element:
    try:
        root: Element = parse_xml(body)
    except Exception:  # noqa: BLE001 - any parse failure is the client's malformed XML
        raise SoapFault("Client", "Unable to parse the SOAP request") from None
    if root.tag != f"{{{SOAP}}}Envelope":
        raise SoapFault("Client", "Not a SOAP 1.1 envelope")
    token = root.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    user = _text(token, f"{{{WSSE}}}Username") or ""
    supplied = _text(token, f"{{{WSSE}}}Password") or ""
    if not (
        secrets.compare_digest(user.encode(), expected_user.encode())
        and secrets.compare_digest(supplied.encode(), password.encode())
    ):
        raise SoapFault("Client.authenticationError", "invalid username or password")
    body_node = root.find(f"{{{SOAP}}}Body")
    if body_node is None or len(body_node) != 1:
        raise SoapFault("Client", "The SOAP Body must hold exactly one request")
    first: Element = body_node[0]
    return first


def _soap_response(
    request: Element, version: str, view: _View, leak: bool, workers: WorkerList
) -> bytes:
    """The answer to one SOAP request; ``workers`` lists a Get_Workers query's workers."""
    operation = request.tag.removeprefix(f"{{{WD}}}").removesuffix("_Request")
    page, count = _paging(request)
    criteria = request.find(f"{{{WD}}}Request_Criteria")
    items: list[str]
    if operation == "Get_Workers":
        items = workers(_WorkerQuery.of(request, view.company.today, leak))
    elif operation == "Get_Organizations":
        include_inactive = (_text(criteria, f"{{{WD}}}Include_Inactive") or "").lower()
        items = [
            _organization(o)
            for o in view.orgs
            if include_inactive in ("1", "true") or not o.inactive
        ]
    elif operation == "Get_Locations":
        items = [_location(view.company, s.id) for s in view.company.sites]
    else:
        raise SoapFault("Client.validationError", f"Unsupported operation {operation}")
    return _envelope(operation, version, items, page, count)


# --- the app ------------------------------------------------------------------------------


def create_app(
    company: SyntheticCompany, *, credentials: Mapping[str, str], faults: Faults | None = None
) -> FastAPI:
    """A Workday tenant over ``company`` with one integration system user."""
    faults = faults if faults is not None else Faults()
    tenant = credentials["tenant"]
    user = f"{credentials['username']}@{tenant}"
    password = credentials["password"]
    expected_basic = f"{user}:{password}".encode()

    app = vendor_app(
        "Workday emulator",
        company,
        faults,
        error_body=_error_body,
        render_fault=_render_fault,
        http_error_detail=True,
        compact_json=False,
    )

    memo = CompanyMemo(company)

    def view() -> _View:
        return memo.get(("view",), lambda: _View.of(company))

    def workers(query: _WorkerQuery) -> list[str]:
        return memo.get(("workers", query), lambda: _workers(query, view()))

    @app.get("/ccx/service/customreport2/{tenant_name}/{owner}/{report}")
    async def raas(tenant_name: str, owner: str, report: str, request: Request) -> Response:  # noqa: ARG001 - any owner may share the report
        if not basic_ok(request, expected_basic):
            raise WorkdayError(401, "invalid username or password")
        if tenant_name != tenant:
            raise WorkdayError(404, "Tenant not found")
        rows = _report(report, view(), faults.leak_sensitive_fields)
        if request.query_params.get("format", "").lower() == "json":
            return _json({"Report_Entry": rows})
        return Response(_report_xml(rows), media_type="text/xml; charset=UTF-8")

    @app.post("/ccx/service/{tenant_name}/Human_Resources/{version}")
    async def human_resources(tenant_name: str, version: str, request: Request) -> Response:
        if tenant_name != tenant:
            raise WorkdayError(404, "Tenant not found")
        if not version.startswith("v"):
            raise WorkdayError(404, "Unknown service version")
        try:
            soap_request = _soap_request(await request.body(), user, password)
            body = _soap_response(
                soap_request, version[1:], view(), faults.leak_sensitive_fields, workers
            )
        except SoapFault as fault:
            return _soap_fault(fault.code, fault.message)
        return Response(body, media_type="text/xml; charset=UTF-8")

    return app
