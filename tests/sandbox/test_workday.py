"""The Workday emulator's SOAP service over real HTTP: auth, paging and what Worker_Data holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from xml.etree.ElementTree import Element

import httpx
import pytest
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from rostersync.sandbox import ServerThread, SyntheticCompany
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
        assert results.findtext(f"{WD}Total_Results") == str(len(company))
        workers = root.findall(f".//{WD}Worker")
        assert results.findtext(f"{WD}Page_Results") == str(len(workers))
        ids += [w.findtext(f"{WD}Worker_Data/{WD}Worker_ID") or "" for w in workers]
        page += 1
    assert pages == 3
    assert len(ids) == len(set(ids)) == len(company)


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
    assert len(current.findall(f".//{WD}Worker")) == len(company) - leavers
