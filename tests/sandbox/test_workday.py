"""The Workday emulator's SOAP service over real HTTP: auth, paging and what Worker_Data holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from rostersync.sandbox import PersonStatus, ServerThread, SyntheticCompany, SyntheticPerson
from rostersync.sandbox.vendors import workday

WD = "{urn:com.workday/bsvc}"
CREDENTIALS = {"tenant": "acme_impl", "username": "ISU_rostersync", "password": "s3cret"}
URL = "/ccx/service/acme_impl/Human_Resources/v44.0"


def envelope(operation: str, inner: str = "", *, password: str = "s3cret") -> str:
    return (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:bsvc="urn:com.workday/bsvc"><soapenv:Header><wsse:Security xmlns:wsse="'
        'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">'
        "<wsse:UsernameToken><wsse:Username>ISU_rostersync@acme_impl</wsse:Username>"
        f"<wsse:Password>{password}</wsse:Password></wsse:UsernameToken></wsse:Security>"
        f"</soapenv:Header><soapenv:Body><bsvc:{operation}_Request>{inner}"
        f"</bsvc:{operation}_Request></soapenv:Body></soapenv:Envelope>"
    )


@pytest.fixture(scope="module")
def company() -> SyntheticCompany:
    return SyntheticCompany(seed=3, size=230, today=date(2026, 11, 25))


@pytest.fixture(scope="module")
def client(company: SyntheticCompany) -> Iterator[httpx.Client]:
    with (
        ServerThread(workday.create_app(company, credentials=CREDENTIALS)) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        yield http


def hired(company: SyntheticCompany) -> list[SyntheticPerson]:
    """The people Get_Workers returns without an as-of date: hired on or before today."""
    return [p for p in company.people() if p.start_date <= company.today]


def post(client: httpx.Client, body: str) -> Element:
    response = client.post(URL, content=body, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200, response.text
    root: Element = fromstring(response.content)
    return root


def test_a_wrong_password_is_a_soap_authentication_fault(client: httpx.Client) -> None:
    response = client.post(URL, content=envelope("Get_Workers", password="nope"))
    assert response.status_code == 500
    assert "Client.authenticationError" in response.text


def test_get_workers_pages_with_response_results(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    ids: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        filter_ = (
            f"<bsvc:Response_Filter><bsvc:Page>{page}</bsvc:Page><bsvc:Count>100</bsvc:Count>"
            "</bsvc:Response_Filter>"
        )
        root = post(client, envelope("Get_Workers", filter_))
        results = root.find(f".//{WD}Response_Results")
        assert results is not None
        pages = int(results.findtext(f"{WD}Total_Pages") or "0")
        assert results.findtext(f"{WD}Total_Results") == str(len(hired(company)))
        workers = root.findall(f".//{WD}Worker")
        assert results.findtext(f"{WD}Page_Results") == str(len(workers))
        ids += [w.findtext(f"{WD}Worker_Data/{WD}Worker_ID") or "" for w in workers]
        page += 1
    assert pages == 3
    assert len(ids) == len(set(ids)) == len(hired(company))


def test_count_above_999_is_a_validation_fault(client: httpx.Client) -> None:
    filter_ = "<bsvc:Response_Filter><bsvc:Count>1000</bsvc:Count></bsvc:Response_Filter>"
    response = client.post(URL, content=envelope("Get_Workers", filter_))
    assert response.status_code == 500
    assert "Client.validationError" in response.text


def test_personal_data_comes_by_default_and_only_then(client: httpx.Client) -> None:
    default = post(client, envelope("Get_Workers"))
    assert default.find(f".//{WD}Personal_Data/{WD}Birth_Date") is not None
    group = (
        "<bsvc:Response_Group><bsvc:Include_Personal_Information>false"
        "</bsvc:Include_Personal_Information><bsvc:Include_Employment_Information>true"
        "</bsvc:Include_Employment_Information></bsvc:Response_Group>"
    )
    narrow = post(client, envelope("Get_Workers", group))
    assert narrow.find(f".//{WD}Personal_Data") is None
    assert narrow.find(f".//{WD}Worker_Status_Data/{WD}Hire_Date") is not None


def test_wids_are_32_hex_and_leavers_can_be_excluded(
    client: httpx.Client, company: SyntheticCompany
) -> None:
    everyone = post(
        client,
        envelope(
            "Get_Workers",
            "<bsvc:Response_Filter><bsvc:Count>999</bsvc:Count></bsvc:Response_Filter>",
        ),
    )
    wids = [i.text or "" for i in everyone.iter(f"{WD}ID") if i.get(f"{WD}type") == "WID"]
    assert wids
    assert all(len(w) == 32 and int(w, 16) >= 0 for w in wids)
    criteria = (
        "<bsvc:Request_Criteria><bsvc:Exclude_Inactive_Workers>true"
        "</bsvc:Exclude_Inactive_Workers></bsvc:Request_Criteria>"
        "<bsvc:Response_Filter><bsvc:Count>999</bsvc:Count></bsvc:Response_Filter>"
    )
    current = post(client, envelope("Get_Workers", criteria))
    leavers = sum(1 for p in company.people() if p.status.value == "terminated")
    assert len(current.findall(f".//{WD}Worker")) == len(hired(company)) - leavers


ALL = "<bsvc:Response_Filter><bsvc:Count>999</bsvc:Count></bsvc:Response_Filter>"


def as_of(day: date | str, *, exclude_inactive: bool = False) -> str:
    criteria = (
        "<bsvc:Request_Criteria><bsvc:Exclude_Inactive_Workers>true"
        "</bsvc:Exclude_Inactive_Workers></bsvc:Request_Criteria>"
        if exclude_inactive
        else ""
    )
    return criteria + (
        f"<bsvc:Response_Filter><bsvc:As_Of_Effective_Date>{day}</bsvc:As_Of_Effective_Date>"
        "<bsvc:Count>999</bsvc:Count></bsvc:Response_Filter>"
    )


def statuses(root: Element) -> dict[str, Element]:
    """Worker_Status_Data by Employee_ID."""
    out: dict[str, Element] = {}
    for worker in root.iter(f"{WD}Worker"):
        status = worker.find(f".//{WD}Worker_Status_Data")
        assert status is not None
        out[worker.findtext(f"{WD}Worker_Data/{WD}Worker_ID") or ""] = status
    return out


@pytest.fixture
def mutable() -> Iterator[tuple[SyntheticCompany, httpx.Client]]:
    company = SyntheticCompany(seed=3, size=120, today=date(2026, 11, 25))
    with (
        ServerThread(workday.create_app(company, credentials=CREDENTIALS)) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        yield company, http


def test_future_hires_come_only_with_an_as_of_date_on_or_after_their_hire_date(
    mutable: tuple[SyntheticCompany, httpx.Client],
) -> None:
    company, client = mutable
    pending = [p for p in company.people() if p.status is PersonStatus.HIRED]
    assert pending
    first = min(p.start_date for p in pending)
    default = statuses(post(client, envelope("Get_Workers", ALL)))
    assert len(default) == len(company) - len(pending)
    assert {workday.employee_id(p) for p in pending}.isdisjoint(default)
    # The day before the earliest hire date still leaves everyone pending out.
    eve = statuses(post(client, envelope("Get_Workers", as_of(first - timedelta(days=1)))))
    assert len(eve) == len(default)
    later = max(p.start_date for p in pending)
    everyone = statuses(post(client, envelope("Get_Workers", as_of(f"{later}-08:00"))))
    assert len(everyone) == len(company)
    for person in pending:
        status = everyone[workday.employee_id(person) or ""]
        assert status.findtext(f"{WD}Active") == "1"
        assert status.findtext(f"{WD}Hire_Date") == f"{person.start_date}-08:00"


def test_status_data_is_as_effective_on_the_as_of_date(
    mutable: tuple[SyntheticCompany, httpx.Client],
) -> None:
    company, client = mutable
    leaver = next(p for p in company.people() if p.status is PersonStatus.ACTIVE and p.manager_id)
    last_day = company.today + timedelta(days=20)
    company.terminate(leaver.id, last_day)
    key = workday.employee_id(leaver) or ""
    today = statuses(post(client, envelope("Get_Workers", ALL)))[key]
    assert today.findtext(f"{WD}Active") == "1"
    assert today.findtext(f"{WD}Terminated") == "0"
    assert today.find(f"{WD}Termination_Date") is None  # not effective yet
    before = statuses(post(client, envelope("Get_Workers", as_of(last_day - timedelta(1)))))
    assert before[key].findtext(f"{WD}Terminated") == "0"
    on_the_day = statuses(post(client, envelope("Get_Workers", as_of(last_day))))[key]
    assert on_the_day.findtext(f"{WD}Active") == "0"
    assert on_the_day.findtext(f"{WD}Terminated") == "1"
    assert on_the_day.findtext(f"{WD}Termination_Date") == f"{last_day}-08:00"
    current = statuses(
        post(client, envelope("Get_Workers", as_of(last_day, exclude_inactive=True)))
    )
    assert key not in current
    assert key in statuses(
        post(client, envelope("Get_Workers", as_of(company.today, exclude_inactive=True)))
    )


def test_a_malformed_as_of_date_is_a_validation_fault(client: httpx.Client) -> None:
    response = client.post(URL, content=envelope("Get_Workers", as_of("next week")))
    assert response.status_code == 500
    assert "Client.validationError" in response.text
