"""docs/connectors.md "Lifecycle semantics", cell by cell, over real HTTP (issue 12: "each
connector's conformance tests cover every row of its table", "each row tested").

`TABLE` below is the doc's table as tests: for every vendor and every column, either the
scenario that proves the cell (a small dataclass with that vendor's expectations) or
`NOT_DOCUMENTED`. One scenario function per column, shared by every vendor; each runs against
the vendor's emulator through its connector, with the conformance suite's `vendor` fixture
and `read`, on this module's own company (each scenario hires the people it changes).

Rule binding the two (checked by `test_the_table_matches_the_doc`): a doc cell is
NOT_DOCUMENTED exactly when its text, stripped, matches `NOT_DOCUMENTED_CELL`, i.e. it *opens*
with "Not documented" (case-insensitive), either alone or after a plain-words qualifier and a
colon (Rippling's "Platform API: not documented. The newer REST API ..."). A cell that opens
with a sourced fact and only later says "...: not documented" (e.g. "`endDate` ...; its
meaning: not documented") is documented: its scenario tests the sourced part, and nothing the
cell leaves open. Editing the doc so a cell changes class fails that test until `TABLE` follows.

A case where the connector or the emulator disagrees with the doc is in `DISAGREEMENTS`:
the scenario still runs, as a strict xfail with the evidence, so fixing the code makes it fail
until the mark is removed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any, Final

import pytest

from rostersync.connectors import CONNECTORS
from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox import PersonStatus, SyntheticCompany, SyntheticPerson
from tests.conftest import TODAY
from tests.connectors.conftest import SLUGS, VendorSandbox
from tests.connectors.test_conformance import employees, read

DOC = Path(__file__).parents[2] / "docs" / "connectors.md"
NOT_DOCUMENTED_CELL: Final = re.compile(r"(?:[A-Za-z][A-Za-z ]*: )?not documented\b", re.I)

YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)
LONG_AGO = TODAY - timedelta(days=700)


class Column(Enum):
    """The table's columns, valued by their header text in the doc."""

    LEAVERS = "leavers listed by default? (how to list them)"
    END_DATE = "end / termination date means"
    FUTURE_TERMINATION = "future-dated termination changes the label early?"
    NOTICE = "notice / garden leave"
    LEAVE = "leave of absence"
    REHIRE = "rehire"
    CONTRACTORS = "contractors, EOR"
    LEGAL_ENTITIES = "several legal entities in one account"


class _NotDocumented:
    def __repr__(self) -> str:
        return "NOT_DOCUMENTED"


NOT_DOCUMENTED: Final = _NotDocumented()


# --- what each cell proves -------------------------------------------------------------------


@dataclass(frozen=True)
class Leavers:
    """Someone terminated yesterday is in the read, TERMINATED. `via`: the documented way to
    list leavers when the default does not, as a path the read must request (the emulators
    that hide leavers behind a body or query flag prove the flag by the leaver being there)."""

    via: str | None = None


@dataclass(frozen=True)
class EndDate:
    """A termination dated in the past ends the employment. `last_day`: the doc says the date
    is the last day employed, so on that day the person is still ACTIVE."""

    last_day: bool


@dataclass(frozen=True)
class FutureTermination:
    """A termination dated tomorrow leaves the person ACTIVE today; yesterday, TERMINATED."""


@dataclass(frozen=True)
class Notice:
    """`garden_leave`: away from work before the termination date reads ACTIVE with
    `on_garden_leave`; otherwise notice is a termination set for a later day, ACTIVE without
    the garden-leave flag. Once the termination date has passed: TERMINATED."""

    garden_leave: bool


@dataclass(frozen=True)
class Leave:
    """A person on leave of absence is never TERMINATED: `status` where the vendor has a leave
    status (INACTIVE), ACTIVE where leave is only time off."""

    status: EmploymentStatus


@dataclass(frozen=True)
class Rehire:
    """A leaver rehired today is ACTIVE again. `same_id`: the doc says the same profile comes
    back, so the remote id is the one read while they were gone, and only one record holds
    them. `new_start`: the doc says the start date is the new one."""

    same_id: bool
    new_start: bool


@dataclass(frozen=True)
class Contractors:
    """A contractor (not an employee) in the account: `listed` in the people read, or not."""

    listed: bool


@dataclass(frozen=True)
class LegalEntities:
    """One connection reads the people of every entity: someone moved to a site in another
    country keeps their remote id and gets that site's location. `scope`: the doc says one
    connection is one company (the path prefix naming it); the read asks for no other."""

    scope: str | None = None


Cell = Leavers | EndDate | FutureTermination | Notice | Leave | Rehire | Contractors | LegalEntities
CELL_TYPE: Final[dict[Column, type[Any]]] = {
    Column.LEAVERS: Leavers,
    Column.END_DATE: EndDate,
    Column.FUTURE_TERMINATION: FutureTermination,
    Column.NOTICE: Notice,
    Column.LEAVE: Leave,
    Column.REHIRE: Rehire,
    Column.CONTRACTORS: Contractors,
    Column.LEGAL_ENTITIES: LegalEntities,
}

ND = NOT_DOCUMENTED
INACTIVE, ACTIVE = EmploymentStatus.INACTIVE, EmploymentStatus.ACTIVE
GUSTO_COMPANY = "/v1/companies/c0f0e1d2-0000-4000-8000-000000000001/"
EH_ORGANISATION = "/api/v1/organisations/7d1c3a52-90e4-4930-a9d6-2f5a8c1b0e11/"

TABLE: Final[dict[str, dict[Column, Cell | _NotDocumented]]] = {
    "hibob": {
        Column.LEAVERS: Leavers(),  # showInactive: true (the emulator hides leavers without)
        Column.END_DATE: EndDate(last_day=True),
        Column.FUTURE_TERMINATION: FutureTermination(),
        Column.NOTICE: Notice(garden_leave=True),
        Column.LEAVE: Leave(INACTIVE),
        Column.REHIRE: Rehire(same_id=True, new_start=True),
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(),
    },
    "workday": {
        Column.LEAVERS: Leavers(),  # Exclude_Inactive_Workers false / the published report
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: FutureTermination(),  # "most effective as of" today
        Column.NOTICE: ND,
        Column.LEAVE: Leave(INACTIVE),
        Column.REHIRE: Rehire(same_id=False, new_start=False),
        Column.CONTRACTORS: Contractors(listed=True),
        Column.LEGAL_ENTITIES: ND,
    },
    "bamboohr": {
        Column.LEAVERS: Leavers(),
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: FutureTermination(),  # [n4]: from terminationDate on
        Column.NOTICE: ND,
        Column.LEAVE: Leave(INACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "gusto": {
        Column.LEAVERS: Leavers(),
        Column.END_DATE: EndDate(last_day=True),
        Column.FUTURE_TERMINATION: FutureTermination(),
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: Rehire(same_id=True, new_start=False),
        Column.CONTRACTORS: Contractors(listed=False),
        Column.LEGAL_ENTITIES: LegalEntities(scope=GUSTO_COMPANY),
    },
    "personio": {
        Column.LEAVERS: Leavers(),  # v1 returns every status
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(INACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(),
    },
    "rippling": {
        Column.LEAVERS: Leavers(via="/employees/include_terminated"),
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: Contractors(listed=True),
        Column.LEGAL_ENTITIES: ND,
    },
    "sagehr": {
        Column.LEAVERS: Leavers(via="/terminated-employees"),
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "charliehr": {
        Column.LEAVERS: ND,
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "breathehr": {
        Column.LEAVERS: ND,
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: Rehire(same_id=True, new_start=False),  # join date kept or reset
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "humaans": {
        Column.LEAVERS: Leavers(),  # status offboarded
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "factorial": {
        Column.LEAVERS: Leavers(),  # only_active=false
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: FutureTermination(),
        Column.NOTICE: Notice(garden_leave=False),  # is_terminating
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(),
    },
    "deel": {
        Column.LEAVERS: Leavers(),  # every hiring status without a filter
        Column.END_DATE: EndDate(last_day=True),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: Contractors(listed=True),
        Column.LEGAL_ENTITIES: LegalEntities(),
    },
    "namely": {
        Column.LEAVERS: Leavers(),  # "active and inactive"
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
    "zenefits": {
        Column.LEAVERS: Leavers(),  # status terminated
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(INACTIVE),
        Column.REHIRE: Rehire(same_id=True, new_start=True),  # one employment per hire
        Column.CONTRACTORS: Contractors(listed=True),  # employment_type, values unknown
        Column.LEGAL_ENTITIES: LegalEntities(),  # a token is one company
    },
    "employmenthero": {
        Column.LEAVERS: Leavers(),  # status terminated
        Column.END_DATE: EndDate(last_day=False),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: Leave(ACTIVE),
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(scope=EH_ORGANISATION),
    },
    "lucca": {
        Column.LEAVERS: Leavers(),  # formerEmployees=true (the emulator hides them without)
        Column.END_DATE: EndDate(last_day=True),
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: ND,
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(),  # establishments ([n11])
    },
    "oraclehcm": {
        Column.LEAVERS: Leavers(),  # workers as of today include ex-workers
        Column.END_DATE: EndDate(last_day=True),  # assignments inactive after the date
        Column.FUTURE_TERMINATION: FutureTermination(),  # read as of effectiveDate
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: Rehire(same_id=True, new_start=True),  # a new work relationship
        Column.CONTRACTORS: Contractors(listed=True),  # contingent workers are workers
        Column.LEGAL_ENTITIES: LegalEntities(),  # a legal employer per work relationship
    },
    "ukgpro": {
        Column.LEAVERS: Leavers(),  # employment-details lists every employment
        Column.END_DATE: EndDate(last_day=True),  # terminated from the day after
        Column.FUTURE_TERMINATION: ND,
        Column.NOTICE: ND,
        Column.LEAVE: ND,
        Column.REHIRE: Rehire(same_id=True, new_start=True),  # lastHireDate
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: LegalEntities(),  # component companies
    },
    "adpworkforcenow": {
        Column.LEAVERS: Leavers(),  # the unfiltered list holds Terminated workers
        Column.END_DATE: EndDate(last_day=False),  # its meaning is not documented
        Column.FUTURE_TERMINATION: ND,  # [n12]
        Column.NOTICE: ND,
        Column.LEAVE: Leave(INACTIVE),  # workerStatus Inactive, assignment status L
        Column.REHIRE: Rehire(same_id=True, new_start=True),  # same AOID, rehireDate
        Column.CONTRACTORS: ND,
        Column.LEGAL_ENTITIES: ND,
    },
}

# (slug, column) -> the evidence that the code or the emulator disagrees with the doc cell.
DISAGREEMENTS: Final[dict[tuple[str, Column], str]] = {}


# --- the doc ---------------------------------------------------------------------------------


def _split_row(line: str) -> list[str]:
    """A markdown table row's cells: `|` splits, except escaped (`\\|`) or inside backticks."""
    cells, current, in_code = [], "", False
    body = line.strip().removeprefix("|").removesuffix("|")
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and body[index + 1 : index + 2] == "|":
            current += "|"
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
        index += 1
    cells.append(current.strip())
    return cells


def doc_table() -> tuple[list[str], dict[str, list[str]]]:
    """The header and the rows (by vendor display name) of the "Lifecycle semantics" table."""
    section = DOC.read_text().split("\n## Lifecycle semantics\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        _split_row(line)
        for line in section.splitlines()
        if line.startswith("|") and not line.startswith("| ---")
    ]
    header, body = rows[0], rows[1:]
    return header, {row[0]: row[1:] for row in body}


def test_the_table_matches_the_doc() -> None:
    header, rows = doc_table()
    assert header[1:] == [c.value for c in Column]
    by_name = {CONNECTORS[slug].display_name: slug for slug in SLUGS}
    assert sorted(rows) == sorted(by_name), "a vendor in the doc and not registered, or back"
    assert sorted(TABLE) == SLUGS
    mismatches = []
    for name, cells in rows.items():
        slug = by_name[name]
        assert len(cells) == len(Column), name
        for column, text in zip(Column, cells, strict=True):
            expected = TABLE[slug][column]
            documented = NOT_DOCUMENTED_CELL.match(text) is None
            if documented != (expected is not NOT_DOCUMENTED):
                mismatches.append(f"{slug} / {column.name}: doc {text[:60]!r}, test {expected!r}")
            elif documented:
                assert isinstance(expected, CELL_TYPE[column]), (slug, column)
    assert not mismatches, "\n".join(mismatches)


# --- scenarios -------------------------------------------------------------------------------


def _one(vendor: VendorSandbox, person: SyntheticPerson) -> Employee:
    """The one Employee read for `person` (found by work email: remote ids are the vendor's)."""
    found = [e for e in employees(read(vendor)) if e.work_email == person.work_email]
    assert len(found) == 1, f"{len(found)} records for {person.work_email}"
    return found[0]


def _present(vendor: VendorSandbox, person: SyntheticPerson) -> bool:
    return any(e.work_email == person.work_email for e in employees(read(vendor)))


def _employee(company: SyntheticCompany) -> SyntheticPerson:
    """A fresh ACTIVE employee with a work email, in post for almost two years."""
    return company.hire(start_date=LONG_AGO)


def leavers_are_listed(vendor: VendorSandbox, cell: Leavers) -> None:
    leaver = _employee(vendor.company)
    vendor.company.terminate(leaver.id, on=YESTERDAY)
    assert _one(vendor, leaver).employment_status is EmploymentStatus.TERMINATED
    if cell.via is not None:
        assert any(path.endswith(cell.via) for _m, path, _s in vendor.faults.requests())


def end_date_ends_employment(vendor: VendorSandbox, cell: EndDate) -> None:
    person = _employee(vendor.company)
    if cell.last_day:
        vendor.company.terminate(person.id, on=TODAY)
        assert _one(vendor, person).employment_status is EmploymentStatus.ACTIVE
    vendor.company.terminate(person.id, on=YESTERDAY if cell.last_day else TODAY - timedelta(30))
    assert _one(vendor, person).employment_status is EmploymentStatus.TERMINATED


def future_termination_waits_for_its_date(vendor: VendorSandbox, cell: FutureTermination) -> None:
    person = _employee(vendor.company)
    vendor.company.terminate(person.id, on=TOMORROW)
    serving = _one(vendor, person)
    assert (serving.employment_status, serving.on_garden_leave) == (EmploymentStatus.ACTIVE, False)
    vendor.company.terminate(person.id, on=YESTERDAY)
    assert _one(vendor, person).employment_status is EmploymentStatus.TERMINATED


def notice_keeps_the_person_employed(vendor: VendorSandbox, cell: Notice) -> None:
    person = _employee(vendor.company)
    if cell.garden_leave:
        vendor.company.garden_leave(
            person.id, start=TODAY - timedelta(3), last_day=TODAY + timedelta(14)
        )
    else:
        vendor.company.terminate(person.id, on=TODAY + timedelta(14))
    serving = _one(vendor, person)
    assert serving.employment_status is EmploymentStatus.ACTIVE
    assert serving.on_garden_leave is cell.garden_leave
    if cell.garden_leave:
        vendor.company.garden_leave(person.id, start=TODAY - timedelta(20), last_day=YESTERDAY)
    else:
        vendor.company.terminate(person.id, on=YESTERDAY)
    assert _one(vendor, person).employment_status is EmploymentStatus.TERMINATED


def leave_is_not_termination(vendor: VendorSandbox, cell: Leave) -> None:
    person = _employee(vendor.company)
    vendor.company.set_status(person.id, PersonStatus.ON_LEAVE)
    assert _one(vendor, person).employment_status is cell.status
    vendor.company.set_status(person.id, PersonStatus.ACTIVE)
    assert _one(vendor, person).employment_status is EmploymentStatus.ACTIVE


def rehire_brings_them_back(vendor: VendorSandbox, cell: Rehire) -> None:
    person = _employee(vendor.company)
    vendor.company.terminate(person.id, on=TODAY - timedelta(60))
    gone = _one(vendor, person)
    assert gone.employment_status is EmploymentStatus.TERMINATED
    vendor.company.rehire(person.id, start_date=TODAY)
    back = _one(vendor, person)
    assert back.employment_status is EmploymentStatus.ACTIVE
    if cell.same_id:
        assert back.remote_id == gone.remote_id
    if cell.new_start:
        assert back.start_date == TODAY


def contractors_are_where_documented(vendor: VendorSandbox, cell: Contractors) -> None:
    employee = _employee(vendor.company)
    contractor = _employee(vendor.company)
    vendor.company.set_contractor(contractor.id)
    assert _present(vendor, employee)
    assert _present(vendor, contractor) is cell.listed
    if cell.listed:
        assert _one(vendor, contractor).employment_status is EmploymentStatus.ACTIVE


def every_entity_is_read(vendor: VendorSandbox, cell: LegalEntities) -> None:
    company = vendor.company
    person = _employee(company)
    before = _one(vendor, person)
    here = company.site(person.site_id).country_code
    elsewhere = next(s for s in company.sites if s.country_code != here)
    company.move(person.id, site_id=elsewhere.id)
    after = _one(vendor, person)
    assert after.remote_id == before.remote_id
    # Before the move the person may have no location (Gusto: no work address for people
    # working from home); after it, the new site's.
    assert after.location_id is not None
    assert after.location_id != before.location_id
    if cell.scope is not None:
        # Every request that names a company names the connection's own; none lists them.
        collection = cell.scope.rstrip("/").rsplit("/", 1)[0]  # /v1/companies
        paths = {p for _m, p, _s in vendor.faults.requests()}
        assert any(p.startswith(cell.scope) for p in paths)
        assert {p for p in paths if p.startswith(collection)} == {
            p for p in paths if p.startswith(cell.scope)
        }


SCENARIOS: Final[dict[Column, Callable[[VendorSandbox, Any], None]]] = {
    Column.LEAVERS: leavers_are_listed,
    Column.END_DATE: end_date_ends_employment,
    Column.FUTURE_TERMINATION: future_termination_waits_for_its_date,
    Column.NOTICE: notice_keeps_the_person_employed,
    Column.LEAVE: leave_is_not_termination,
    Column.REHIRE: rehire_brings_them_back,
    Column.CONTRACTORS: contractors_are_where_documented,
    Column.LEGAL_ENTITIES: every_entity_is_read,
}


def _documented_cells() -> list[Any]:
    params = []
    for slug in SLUGS:
        for column in Column:
            if TABLE[slug][column] is NOT_DOCUMENTED:
                continue
            reason = DISAGREEMENTS.get((slug, column))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(slug, column, id=f"{slug}-{column.name}", marks=marks))
    return params


@pytest.fixture(scope="module")
def conformance_company() -> SyntheticCompany:
    """This module's own small company (the suite's shared one must not be mutated). Each
    scenario hires the people it changes, so scenarios never see each other's changes."""
    return SyntheticCompany(seed=12, size=12, today=TODAY)


@pytest.mark.parametrize(("vendor", "column"), _documented_cells(), indirect=["vendor"])
def test_documented_cell(vendor: VendorSandbox, column: Column) -> None:
    SCENARIOS[column](vendor, TABLE[vendor.slug][column])
