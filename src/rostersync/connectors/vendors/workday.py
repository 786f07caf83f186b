"""Workday connector: Reports-as-a-Service first, SOAP Human_Resources as the fallback.

Sources (stored copies, read 2026-11):
https://doc.workday.com/admin-guide/en-us/integration/workday-reports/report-as-a-service-raas.html
(RaaS: advanced custom reports enabled as web services, `format=json`), the RaaS OpenAPI
descriptions at https://apis.apis.io/apis/workday/raas-api/ (server
`https://{host}/ccx/service/customreport2/{tenant}`, path `/{reportOwner}/{reportName}`, body
`{"Report_Entry": [...]}`), and the Human_Resources v31.2 schema as generated from Workday's
WSDL in github.com/ianlopshire/go-workday (`pkg/wws/services/hr/wwsgen_types.go` at 37fb1de:
Get_Workers / Get_Organizations / Get_Locations, Response_Filter `Page`/`Count`,
Response_Results `Total_Results`/`Total_Pages`/`Page_Results`/`Page`, Worker_Status_Data).

- Mode `raas` (default): three reports we publish to customers, shared with an Integration
  System User (ISU) and called with Basic auth `{user}@{tenant}`. RaaS does not page: each
  report is one JSON body, parsed as a stream. The report definitions choose the columns, so
  nothing outside the allowlist is ever sent.
- Mode `soap`: for tenants that cannot build reports. Get_Workers with a minimal
  Response_Group (it still carries birth dates, addresses and more: each Worker element is cut
  to our fields and cleared as soon as it is parsed), Get_Organizations (supervisory) and
  Get_Locations, WS-Security UsernameToken, paged by Response_Results/Total_Pages. Every
  request names its `As_Of_Effective_Date` (today in the tenant's time zone), since data is
  "the most effective as of the As Of Date" (Find_Worker v25.1, community.workday.com).
  Get_Workers is asked a second time as of PENDING_WINDOW_DAYS ahead, keeping only workers the
  first answer lacks: future-dated hires, which a read as of today is widely reported to miss
  (Microsoft documents them with Active 0 instead, learn.microsoft.com, Workday integration
  reference; either way they arrive). Their dates decide their status; everyone else's data
  stays as of today, so a move or a termination dated ahead does not show early.
- Remote ids are Workday WIDs on both paths, so a tenant can switch modes without churn.
- Rate limits: no published request quota; RaaS reports are single unpaged calls, SOAP reads
  page by SOAP_PAGE_SIZE. 429/503 answers are retried with Retry-After.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote
from xml.etree.ElementTree import Element

from rostersync.connectors.auth import Basic
from rostersync.connectors.base import Record
from rostersync.connectors.declarative import DeclarativeConnector, SpecReader
from rostersync.connectors.errors import BadInput, BadPayload
from rostersync.connectors.mapping import country_code, day, ident, status_from_dates, text
from rostersync.connectors.providers import WORKDAY
from rostersync.connectors.soap import SoapClient, envelope, first, read_paged
from rostersync.connectors.spec import ConnectorSpec, MapContext, SetupGuide, Stream, VendorField
from rostersync.model import Employee, EmploymentStatus, Group, GroupType, Location

# --- Reports-as-a-Service ------------------------------------------------------------------

REPORT_WORKERS = "HRIS_Workers"
REPORT_ORGANIZATIONS = "HRIS_Supervisory_Organizations"
REPORT_LOCATIONS = "HRIS_Locations"

_TRUE = frozenset({"1", "true", "yes", "y"})


def _flag(value: Any) -> bool | None:
    """RaaS booleans arrive as "1"/"0" (SOAP: "1"/"0" or "true"/"false"); absent is None."""
    if isinstance(value, bool):
        return value
    raw = text(value)
    return None if raw is None else raw.lower() in _TRUE


def _wid(value: Any) -> str | None:
    """A WID column: plain text, or a reference object / single-item list RaaS sometimes sends."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if isinstance(value, Mapping):
        value = value.get("WID") or value.get("ID")
    return ident(value)


def employment_status(row: Mapping[str, Any], as_of: date, vendor: str) -> EmploymentStatus:
    """Workday's status flags read against the clock.

    Terminated wins once its date has passed; a termination older than the latest hire is a
    past employment (rehire). A future termination (notice period) keeps the person active.
    """
    start = day(row.get("Hire_Date"), vendor=vendor)
    end = day(row.get("Termination_Date"), vendor=vendor)
    if end is not None and start is not None and end < start:
        end = None  # rehired after an earlier termination
    if _flag(row.get("Terminated")) and (end is None or end < as_of):
        return EmploymentStatus.TERMINATED
    return status_from_dates(
        as_of=as_of,
        start=start,
        end=end,
        on_leave=bool(_flag(row.get("On_Leave"))),
        # Pre-hires are not Active yet; that is PENDING (by date), not INACTIVE.
        active=None if start is not None and start > as_of else _flag(row.get("Active")),
    )


def map_worker(row: Mapping[str, Any], context: MapContext) -> Employee:
    remote_id = _wid(row.get("Worker_WID"))
    if remote_id is None:
        raise BadPayload("Workday sent a worker without Worker_WID")
    if "Terminated" not in row and "Active" not in row and "Hire_Date" not in row:
        # RaaS leaves out empty columns, but a worker with no status at all means the report
        # lost its status columns; every leaver would look employed.
        raise BadPayload(
            f"Workday's {REPORT_WORKERS} report has no Active, Terminated or Hire_Date column"
        )
    org = _wid(row.get("Supervisory_Organization_WID"))
    return Employee(
        remote_id=remote_id,
        first_name=text(row.get("Legal_First_Name")) or "",
        last_name=text(row.get("Legal_Last_Name")) or "",
        work_email=text(row.get("Primary_Work_Email")),
        employment_status=employment_status(row, context.as_of, context.vendor),
        group_ids=(org,) if org else (),
        manager_remote_id=_wid(row.get("Manager_WID")),
        start_date=day(row.get("Hire_Date"), vendor=context.vendor),
        location_id=_wid(row.get("Location_WID")),
    )


_SUBTYPES = {
    "team": GroupType.TEAM,
    "division": GroupType.BUSINESS_UNIT,
    "business unit": GroupType.BUSINESS_UNIT,
    "business_unit": GroupType.BUSINESS_UNIT,
    "cost center": GroupType.COST_CENTER,
    "cost_center": GroupType.COST_CENTER,
}


def map_organization(row: Mapping[str, Any], context: MapContext) -> Group | None:  # noqa: ARG001
    remote_id = _wid(row.get("Organization_WID"))
    if remote_id is None:
        raise BadPayload("Workday sent an organization without Organization_WID")
    if _flag(row.get("Inactive")):
        return None
    subtype = (text(row.get("Organization_Subtype")) or "").lower()
    return Group(
        remote_id=remote_id,
        # Supervisory organizations are Workday's departments unless their subtype says else.
        group_type=_SUBTYPES.get(subtype, GroupType.DEPARTMENT),
        name=text(row.get("Name")) or "",
    )


def map_location(row: Mapping[str, Any], context: MapContext) -> Location | None:  # noqa: ARG001
    remote_id = _wid(row.get("Location_WID"))
    if remote_id is None:
        raise BadPayload("Workday sent a location without Location_WID")
    if _flag(row.get("Inactive")):
        return None
    return Location(remote_id=remote_id, country=country_code(row.get("Country_ISO_Alpha_2")))


_STATUS = "employee.employment_status"

ORGANIZATION_COLUMNS = (
    VendorField("Organization_WID", ("group.remote_id",)),
    VendorField("Name", ("group.name",)),
    VendorField("Organization_Subtype", ("group.group_type",)),
    VendorField("Inactive", selects=True),
)
LOCATION_COLUMNS = (
    VendorField("Location_WID", ("location.remote_id",)),
    VendorField("Country_ISO_Alpha_2", ("location.country",)),
    VendorField("Inactive", selects=True),
)
WORKER_COLUMNS = (
    VendorField("Worker_WID", ("employee.remote_id",)),
    VendorField("Legal_First_Name", ("employee.first_name",)),
    VendorField("Legal_Last_Name", ("employee.last_name",)),
    VendorField("Primary_Work_Email", ("employee.work_email",)),
    VendorField("Hire_Date", ("employee.start_date", _STATUS)),
    VendorField("Termination_Date", (_STATUS,)),
    VendorField("Terminated", (_STATUS,)),
    VendorField("Active", (_STATUS,)),
    VendorField("On_Leave", (_STATUS,)),
    VendorField("Supervisory_Organization_WID", ("employee.group_ids",)),
    VendorField("Manager_WID", ("employee.manager_remote_id",)),
    VendorField("Location_WID", ("employee.location_id",)),
)
"""The columns each mapper reads: the report definitions' aliases, and the keys the SOAP
extractors give their rows."""


REPORTS = tuple(
    Stream(
        name,
        f"/ccx/service/customreport2/{{tenant}}/{{report_owner}}/{name}",
        mapper,
        params={"format": "json"},
        records_path="Report_Entry",
        keeps=columns,
    )
    for name, mapper, columns in (
        (REPORT_ORGANIZATIONS, map_organization, ORGANIZATION_COLUMNS),
        (REPORT_LOCATIONS, map_location, LOCATION_COLUMNS),
        (REPORT_WORKERS, map_worker, WORKER_COLUMNS),
    )
)
"""The RaaS calls, in read order; the disclosure shows them as declared here."""


def _read_raas(reader: SpecReader) -> Iterator[Record]:
    credentials = reader.context.credentials
    # quote() leaves no braces behind, so the path survives the spec's template rendering.
    values = {
        "tenant": quote(credentials["tenant"], safe=""),
        "report_owner": quote(credentials.get("report_owner") or credentials["username"], safe=""),
    }
    for report in REPORTS:
        path = report.path.replace("{tenant}", values["tenant"])
        path = path.replace("{report_owner}", values["report_owner"])
        yield from reader.records(dataclasses.replace(report, path=path))


# --- SOAP Human_Resources ------------------------------------------------------------------

WWS_VERSION = "v42.0"
WD = "urn:com.workday/bsvc"
NS = {"wd": WD}
SOAP_PAGE_SIZE = 999  # Response_Filter/Count maximum
PENDING_WINDOW_DAYS = 120
"""How far ahead future hires are looked for: past any joiner lookahead a policy sets in
practice, and a hire signed later still arrives on a later day's read."""
_TYPE = f"{{{WD}}}type"


def _ref_id(element: Element | None, id_type: str = "WID") -> str | None:
    """`<X_Reference><ID wd:type="WID">…</ID></X_Reference>` -> the ID of that type."""
    if element is None:
        return None
    for child in element.findall("wd:ID", NS):
        if child.get(_TYPE) == id_type and child.text:
            return child.text.strip() or None
    return None


def _work_email(personal: Element | None) -> str | None:
    if personal is None:
        return None
    found: list[tuple[bool, str]] = []
    for email in personal.findall("wd:Contact_Data/wd:Email_Address_Data", NS):
        address = first(email, "wd:Email_Address", NS)
        for usage in email.findall("wd:Usage_Data/wd:Type_Data", NS):
            kind = _ref_id(usage.find("wd:Type_Reference", NS), "Communication_Usage_Type_ID")
            if address and kind == "WORK":
                found.append((usage.get(f"{{{WD}}}Primary") in ("1", "true"), address))
    found.sort(key=lambda pair: not pair[0])
    return found[0][1] if found else None


def _supervisory_org(worker_data: Element) -> str | None:
    memberships = worker_data.findall(
        "wd:Organization_Data/wd:Worker_Organization_Data", NS
    ) + worker_data.findall(
        "wd:Employment_Data/wd:Worker_Job_Data/wd:Position_Organizations_Data/"
        "wd:Position_Organization_Data",
        NS,
    )
    for membership in memberships:
        kind = _ref_id(
            membership.find("wd:Organization_Data/wd:Organization_Type_Reference", NS),
            "Organization_Type_ID",
        )
        if kind == "SUPERVISORY":
            return _ref_id(membership.find("wd:Organization_Reference", NS))
    return None


def _primary_job(worker_data: Element) -> Element | None:
    jobs = worker_data.findall("wd:Employment_Data/wd:Worker_Job_Data", NS)
    for job in jobs:
        if job.get(f"{{{WD}}}Primary_Job") in ("1", "true"):
            return job
    return jobs[0] if jobs else None


def extract_worker(worker: Element) -> dict[str, Any]:
    """One Get_Workers `Worker` cut to the RaaS column names: nothing else leaves here."""
    data = worker.find("wd:Worker_Data", NS)
    row: dict[str, Any] = {"Worker_WID": _ref_id(worker.find("wd:Worker_Reference", NS))}
    if data is None:
        return row
    personal = data.find("wd:Personal_Data", NS)
    name = "wd:Personal_Data/wd:Name_Data/wd:Legal_Name_Data/wd:Name_Detail_Data/"
    status = data.find("wd:Employment_Data/wd:Worker_Status_Data", NS)
    job = _primary_job(data)
    position = job.find("wd:Position_Data", NS) if job is not None else None
    row |= {
        "Employee_ID": first(data, "wd:Worker_ID", NS),
        "Legal_First_Name": first(data, name + "wd:First_Name", NS),
        "Legal_Last_Name": first(data, name + "wd:Last_Name", NS),
        "Primary_Work_Email": _work_email(personal),
        "Supervisory_Organization_WID": _supervisory_org(data),
    }
    if status is not None:
        row |= {
            "Active": first(status, "wd:Active", NS),
            "Terminated": first(status, "wd:Terminated", NS),
            "Hire_Date": first(status, "wd:Hire_Date", NS),
            "Termination_Date": first(status, "wd:Termination_Date", NS),
            "On_Leave": "1"
            if any(
                (leave.text or "").strip() in ("1", "true")
                for leave in status.findall("wd:Leave_Status_Data/wd:On_Leave", NS)
            )
            else "0",
        }
    if position is not None:
        row["Manager_WID"] = _ref_id(
            position.find("wd:Manager_as_of_last_detected_manager_change_Reference", NS)
        )
        row["Location_WID"] = _ref_id(
            position.find("wd:Business_Site_Summary_Data/wd:Location_Reference", NS)
        )
    return row


def extract_organization(organization: Element) -> dict[str, Any]:
    data = organization.find("wd:Organization_Data", NS)
    row: dict[str, Any] = {
        "Organization_WID": _ref_id(organization.find("wd:Organization_Reference", NS))
    }
    if data is not None:
        subtype = data.find("wd:Organization_Subtype_Reference", NS)
        row |= {
            "Name": first(data, "wd:Name", NS),
            "Organization_Subtype": _ref_id(subtype, "Organization_Subtype_ID")
            or (subtype.get(f"{{{WD}}}Descriptor") if subtype is not None else None),
            "Inactive": first(data, "wd:Inactive", NS),
        }
    return row


def extract_location(location: Element) -> dict[str, Any]:
    data = location.find("wd:Location_Data", NS)
    row: dict[str, Any] = {"Location_WID": _ref_id(location.find("wd:Location_Reference", NS))}
    if data is not None:
        country = data.find("wd:Contact_Data/wd:Address_Data/wd:Country_Reference", NS)
        row |= {
            "Country_ISO_Alpha_2": _ref_id(country, "ISO_3166-1_Alpha-2_Code")
            or _ref_id(country, "ISO_3166-1_Alpha-3_Code")
            or (country.get(f"{{{WD}}}Descriptor") if country is not None else None),
            "Inactive": first(data, "wd:Inactive", NS),
        }
    return row


def _filter(page: int, as_of: date) -> str:
    # The schema's sequence order: As_Of_Effective_Date, As_Of_Entry_DateTime, Page, Count.
    return (
        f"<wd:Response_Filter><wd:As_Of_Effective_Date>{as_of.isoformat()}"
        f"</wd:As_Of_Effective_Date><wd:Page>{page}</wd:Page>"
        f"<wd:Count>{SOAP_PAGE_SIZE}</wd:Count></wd:Response_Filter>"
    )


def _flags(**values: bool) -> str:
    return "".join(f"<wd:{k}>{'true' if v else 'false'}</wd:{k}>" for k, v in values.items())


def workers_request(page: int, as_of: date) -> str:
    # Inactive (terminated) workers are asked for explicitly; only the sections holding our
    # fields are included, and every organization type but supervisory is excluded.
    return (
        f'<wd:Get_Workers_Request wd:version="{WWS_VERSION}">'
        f"<wd:Request_Criteria>{_flags(Exclude_Inactive_Workers=False)}</wd:Request_Criteria>"
        f"{_filter(page, as_of)}"
        "<wd:Response_Group>"
        + _flags(
            Include_Reference=True,
            Include_Personal_Information=True,
            Include_Employment_Information=True,
            Include_Compensation=False,
            Include_Organizations=True,
            Exclude_Organization_Support_Role_Data=True,
            Exclude_Location_Hierarchies=True,
            Exclude_Cost_Centers=True,
            Exclude_Cost_Center_Hierarchies=True,
            Exclude_Companies=True,
            Exclude_Company_Hierarchies=True,
            Exclude_Matrix_Organizations=True,
            Exclude_Pay_Groups=True,
            Exclude_Regions=True,
            Exclude_Region_Hierarchies=True,
            Exclude_Teams=True,
            Exclude_Custom_Organizations=True,
            Include_Roles=False,
            Include_Management_Chain_Data=False,
            Include_Benefit_Enrollments=False,
            Include_Benefit_Eligibility=False,
            Include_Related_Persons=False,
            Include_Qualifications=False,
            Include_Employee_Review=False,
            Include_Photo=False,
            Include_Worker_Documents=False,
        )
        + "</wd:Response_Group></wd:Get_Workers_Request>"
    )


def organizations_request(page: int, as_of: date) -> str:
    return (
        f'<wd:Get_Organizations_Request wd:version="{WWS_VERSION}">'
        "<wd:Request_Criteria><wd:Organization_Type_Reference>"
        '<wd:ID wd:type="Organization_Type_ID">SUPERVISORY</wd:ID>'
        f"</wd:Organization_Type_Reference>{_flags(Include_Inactive=False)}</wd:Request_Criteria>"
        f"{_filter(page, as_of)}"
        "<wd:Response_Group>"
        + _flags(
            Include_Roles_Data=False,
            Include_Hierarchy_Data=False,
            Include_Supervisory_Data=False,
            Include_Staffing_Restrictions_Data=False,
        )
        + "</wd:Response_Group></wd:Get_Organizations_Request>"
    )


def locations_request(page: int, as_of: date) -> str:
    return (
        f'<wd:Get_Locations_Request wd:version="{WWS_VERSION}">'
        f"<wd:Request_Criteria>{_flags(Exclude_Inactive_Locations=True)}</wd:Request_Criteria>"
        f"{_filter(page, as_of)}"
        f"<wd:Response_Group>{_flags(Include_Reference=True, Include_Location_Data=True)}"
        "</wd:Response_Group></wd:Get_Locations_Request>"
    )


def _read_soap(reader: SpecReader) -> Iterator[Record]:
    credentials = reader.context.credentials
    path = f"/ccx/service/{quote(credentials['tenant'], safe='')}/Human_Resources/{WWS_VERSION}"
    username = f"{credentials['username']}@{credentials['tenant']}"

    def builder(request: Callable[[int, date], str], as_of: date) -> Callable[[int], bytes]:
        def page_body(page: int) -> bytes:
            return envelope(
                request(page, as_of),
                username=username,
                password=credentials["password"],
                namespaces={"wd": WD},
            )

        return page_body

    today = reader.context.as_of
    ahead = today + timedelta(days=PENDING_WINDOW_DAYS)
    plan = (
        ("Get_Organizations", organizations_request, today, "Organization", extract_organization),
        ("Get_Locations", locations_request, today, "Location", extract_location),
        ("Get_Workers", workers_request, today, "Worker", extract_worker),
        ("Get_Workers", workers_request, ahead, "Worker", extract_worker),
    )
    mappers = {
        "Organization": (map_organization, ORGANIZATION_COLUMNS),
        "Location": (map_location, LOCATION_COLUMNS),
        "Worker": (map_worker, WORKER_COLUMNS),
    }
    workers: set[Any] = set()
    with SoapClient(
        vendor=reader.spec.display_name,
        root=reader.client.root,
        allowed_hosts=reader.spec.allowed_hosts,
        context=reader.context,
        headers={"Accept": "text/xml"},
        policy=reader.spec.retry,
    ) as client:
        for operation, request, as_of, tag, extract in plan:
            mapper, columns = mappers[tag]
            stream = Stream(operation, path, mapper, keeps=columns)
            for row in read_paged(
                client,
                path,
                action=operation,
                build=builder(request, as_of),
                record_tag=tag,
                extract=extract,
            ):
                if tag == "Worker":
                    if as_of == ahead and row.get("Worker_WID") in workers:
                        continue  # known today: today's data, not the future's, is theirs
                    workers.add(row.get("Worker_WID"))
                yield from reader.mapped(stream, row)


def _read(reader: SpecReader) -> Iterator[Record]:
    mode = (reader.context.credentials.get("mode") or "raas").strip().lower()
    if mode == "raas":
        yield from _read_raas(reader)
    elif mode == "soap":
        yield from _read_soap(reader)
    else:
        raise BadInput(f"Workday mode must be 'raas' or 'soap', not {mode!r}")


SPEC = ConnectorSpec(
    provider=WORKDAY,
    api_root="https://{host}",
    # Customer tenants live on Workday's data-centre hosts, e.g. wd2-impl-services1.workday.com
    # (implementation) and wd5-services1.myworkday.com / services1.myworkday.com (production).
    allowed_hosts=("*.workday.com", "*.myworkday.com"),
    auth=Basic("{username}@{tenant}", "{password}"),
    read=_read,
    described=REPORTS,
    guide=SetupGuide(
        summary="Create an Integration System User (ISU) in Workday, let it read worker, "
        "supervisory organization and location data, and share rostersync's three custom "
        "reports with it.",
        steps=(
            "Run the task Create Integration System User: name it ISU_rostersync, set a "
            "password, tick 'Do Not Allow UI Sessions' and set Session Timeout Minutes to 0.",
            "Run Maintain Password Rules and add ISU_rostersync to 'System Users exempt from "
            "password expiration'.",
            "Run Create Security Group, type 'Integration System Security Group "
            "(Unconstrained)', name it ISSG_rostersync, and add ISU_rostersync to it.",
            "Run Maintain Permissions for Security Group on ISSG_rostersync and add Get "
            "(view) access to the domain security policies listed below; then run Activate "
            "Pending Security Policy Changes.",
            "Create the three advanced custom reports HRIS_Workers (data source: All Active "
            "and Terminated Workers, with pre-hires), HRIS_Supervisory_Organizations and "
            "HRIS_Locations with exactly the column aliases in rostersync's report "
            "definitions, tick 'Enable As Web Service' and share each with ISU_rostersync.",
            "Enter your web services host, tenant name, ISU_rostersync and its password here. "
            "If you cannot create reports, choose mode 'soap' instead and skip the step above.",
        ),
        grant=(
            "Worker Data: Public Worker Reports (names, worker status, hire and termination dates)",
            "Worker Data: Work Email",
            "Worker Data: Current Staffing Information (manager, location, leave status)",
            "Manage: Organization Integration / Organization: Supervisory (view)",
            "Manage: Location (view)",
            "Integration: Custom Report Web Service (for RaaS mode)",
        ),
        do_not_grant=(
            "Worker Data: Compensation, Payroll, Bank accounts",
            "Person Data: Home Contact Information, Personal Data (birth date, gender, "
            "ethnicity), Government IDs",
            "Worker Data: Time Off, Performance, Benefits",
        ),
        sources=(
            "https://doc.workday.com/admin-guide/en-us/integration/workday-reports/report-as-a-service-raas.html",
            "https://community.workday.com/api",
        ),
    ),
)

CONNECTOR = DeclarativeConnector(SPEC)
