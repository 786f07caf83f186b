"""Workday's SOAP mode: what the shared suites cannot see.

The contract runner matches routes by method, path and query, but every SOAP operation is a
POST to the same Human_Resources URL and pages differ only in the envelope; this test serves
the adapted SOAP fixtures by operation and page. It also checks the SOAP mode against the
Workday emulator (same people and ids as RaaS; a refused login is AuthRevoked).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rostersync.connectors import AuthRevoked, BadPayload, ReadContext, Record
from rostersync.connectors.vendors import workday
from rostersync.model import Employee
from rostersync.sandbox import EMULATORS, Faults, ServerThread, SyntheticCompany
from tests.conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures" / "workday"
PROBE = "/__ready"
CREDENTIALS = {
    "host": "wd2-impl-services1.workday.com",
    "tenant": "gms",
    "username": "ISU_rostersync",
    "password": "s3cret&<pw>",
    "mode": "soap",
}
SOAP_PATH = "/ccx/service/gms/Human_Resources/v42.0"

Files = Callable[[str, int], tuple[int, bytes]]


def fixture_files(operation: str, page: int) -> tuple[int, bytes]:
    names = {
        ("Get_Organizations", 1): "soap-get-organizations__supervisory.xml",
        ("Get_Locations", 1): "soap-get-locations__business-sites.xml",
        ("Get_Workers", 1): "soap-get-workers__page-1.xml",
        ("Get_Workers", 2): "soap-get-workers__page-2.xml",
    }
    return 200, (FIXTURES / names[(operation, page)]).read_bytes()


class SoapServer:
    def __init__(self, files: Files) -> None:
        self.files = files
        self.envelopes: list[str] = []

    async def handle(self, request: Request) -> Response:
        if request.url.path == PROBE:
            return Response(status_code=204)
        body = (await request.body()).decode()
        self.envelopes.append(body)
        operation = re.search(r"<wd:(Get_\w+)_Request", body)
        page = re.search(r"<wd:Page>(\d+)</wd:Page>", body)
        if request.url.path != SOAP_PATH or not operation or not page:
            return Response(status_code=404)
        status, content = self.files(operation.group(1), int(page.group(1)))
        return Response(content, status_code=status, media_type="text/xml")


def read(files: Files, as_of: date = date(2024, 1, 15)) -> tuple[list[Record], SoapServer]:
    server = SoapServer(files)
    app = Starlette(routes=[Route("/{path:path}", server.handle, methods=["GET", "POST"])])
    with ServerThread(app, probe_path=PROBE) as running:
        context = ReadContext(
            credentials=CREDENTIALS,
            as_of=as_of,
            base_url=running.base_url,
            allow_loopback=True,
            sleep=lambda _s: None,
        )
        return list(workday.CONNECTOR.read(context)), server


def test_soap_pages_are_read_and_cut_to_the_allowlist() -> None:
    records, server = read(fixture_files)

    dumped = [r.model_dump(mode="json") for r in records]
    assert dumped == [
        {
            "type": "group",
            "remote_id": "ab5b3b8b1b4c4e3f9a8f9e5fd1d40001",
            "group_type": "DEPARTMENT",
            "name": "Human Resources",
        },
        {"type": "location", "remote_id": "6f8b8f6e446c01cfe2f0e8f7a3d30000", "country": "US"},
        {"type": "location", "remote_id": "6f8b8f6e446c01cfe2f0e8f7a3d30001", "country": "GB"},
        {
            "type": "employee",
            "remote_id": "3aa5550b7fe348b98d7b5741afc65534",
            "first_name": "Logan",
            "last_name": "McNeil",
            "work_email": "lmcneil@workday.net",
            "employment_status": "ACTIVE",
            "group_ids": ["ab5b3b8b1b4c4e3f9a8f9e5fd1d40001"],
            "manager_remote_id": None,
            "start_date": "2000-01-01",
            "location_id": "6f8b8f6e446c01cfe2f0e8f7a3d30000",
        },
        {
            "type": "employee",
            "remote_id": "c4f78be1a8f14da0ab49ce1162348a5e",
            "first_name": "Oliver",
            "last_name": "Reynolds",
            "work_email": None,
            "employment_status": "TERMINATED",
            "group_ids": ["ab5b3b8b1b4c4e3f9a8f9e5fd1d40001"],
            "manager_remote_id": "3aa5550b7fe348b98d7b5741afc65534",
            "start_date": "2015-03-02",
            "location_id": "6f8b8f6e446c01cfe2f0e8f7a3d30001",
        },
    ]
    serialised = json.dumps(dumped)
    for leaked in ("1968-08-11", "logan.mcneil.home@example.net", "Laurel", "11c0a1b2"):
        assert leaked not in serialised
    # WS-Security in the envelope, credentials escaped, terminated workers asked for.
    first = server.envelopes[0]
    assert "<wsse:Username>ISU_rostersync@gms</wsse:Username>" in first
    assert "s3cret&amp;&lt;pw&gt;" in first
    workers = [e for e in server.envelopes if "Get_Workers_Request" in e]
    # Two pages as of today, then the same again as of 120 days ahead (future-dated hires):
    # these fixtures answer alike, so the second pass adds nobody.
    as_of = [re.search(r"<wd:As_Of_Effective_Date>([\d-]+)<", e) for e in workers]
    assert [m.group(1) if m else None for m in as_of] == [
        "2024-01-15",
        "2024-01-15",
        "2024-05-14",
        "2024-05-14",
    ]
    assert "<wd:Exclude_Inactive_Workers>false</wd:Exclude_Inactive_Workers>" in workers[0]
    assert "<wd:Include_Compensation>false</wd:Include_Compensation>" in workers[0]


def test_a_short_page_fails_the_read() -> None:
    def short(operation: str, page: int) -> tuple[int, bytes]:
        status, body = fixture_files(operation, page)
        return status, body.replace(
            b"<wd:Page_Results>1</wd:Page_Results>", b"<wd:Page_Results>2</wd:Page_Results>"
        )

    with pytest.raises(BadPayload, match="announced 2 records"):
        read(short)


def test_an_authentication_fault_is_auth_revoked() -> None:
    def fault(_operation: str, _page: int) -> tuple[int, bytes]:
        return 500, (FIXTURES / "soap-fault__authentication-error.xml").read_bytes()

    with pytest.raises(AuthRevoked):
        read(fault)


@pytest.fixture
def emulator() -> Iterator[tuple[SyntheticCompany, str, dict[str, str]]]:
    config = json.loads((FIXTURES / "sandbox.json").read_text())
    company = SyntheticCompany(seed=5, size=60, today=TODAY)
    app = EMULATORS["workday"](company, credentials=config["emulator_credentials"], faults=Faults())
    with ServerThread(app) as server:
        yield company, server.base_url, config["credentials"]


def _read(base_url: str, credentials: dict[str, str]) -> list[Record]:
    context = ReadContext(
        credentials=credentials,
        as_of=TODAY,
        base_url=base_url,
        allow_loopback=True,
        sleep=lambda _s: None,
    )
    return list(workday.CONNECTOR.read(context))


def test_soap_and_raas_read_the_same_tenant_alike(
    emulator: tuple[SyntheticCompany, str, dict[str, str]],
) -> None:
    company, base_url, credentials = emulator
    raas = _read(base_url, credentials)
    soap = _read(base_url, {**credentials, "mode": "soap"})
    assert len([r for r in soap if isinstance(r, Employee)]) == len(company.people())
    assert sorted(r.model_dump_json() for r in soap) == sorted(r.model_dump_json() for r in raas)


def test_soap_with_a_wrong_password_is_auth_revoked(
    emulator: tuple[SyntheticCompany, str, dict[str, str]],
) -> None:
    _company, base_url, credentials = emulator
    with pytest.raises(AuthRevoked):
        _read(base_url, {**credentials, "mode": "soap", "password": "wrong"})
