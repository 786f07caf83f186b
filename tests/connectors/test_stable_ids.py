"""Issue 12: ids that never move. A person's remote_id is the vendor's immutable id, never
the employee number HR gives them, which can be blank, reused or changed.

Every registered connector is read from its emulator over real HTTP (the `vendor` fixture)
while the synthetic company's employee numbers are blanked, reused and renumbered; the
emulators show the number only in the vendor's own field for it (HiBob
``work.employeeIdInCompany``, BambooHR ``employeeNumber``, Workday ``Employee_ID``...).
People are matched across reads by work email, which these scenarios leave alone.
"""

from __future__ import annotations

import pytest

from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox import PersonStatus, SyntheticCompany, SyntheticPerson
from tests.conftest import TODAY
from tests.connectors.conftest import VendorSandbox
from tests.connectors.test_conformance import employees, read

# Far from any id an emulator derives from its own sequence, so a coincidence is impossible.
DISTINCT_NUMBERS = 7_300_001


@pytest.fixture
def conformance_company() -> SyntheticCompany:
    """Overrides the session-wide company: these tests change it."""
    return SyntheticCompany(seed=11, size=150, today=TODAY)


def read_people(vendor: VendorSandbox) -> list[Employee]:
    people = employees(read(vendor))
    ids = [e.remote_id for e in people]
    assert all(isinstance(i, str) and i.strip() for i in ids), "a blank remote_id"
    assert len(set(ids)) == len(ids), "two people read under one remote_id"
    assert len(people) == len(vendor.company), "someone was not read, or was read twice"
    return people


def by_email(people: list[Employee]) -> dict[str, Employee]:
    found = {e.work_email.lower(): e for e in people if e.work_email}
    assert len(found) == len([e for e in people if e.work_email])
    return found


def emailed(company: SyntheticCompany, status: PersonStatus) -> list[SyntheticPerson]:
    return [p for p in company.people() if p.status is status and p.work_email]


def test_blank_employee_numbers_still_read_everyone(vendor: VendorSandbox) -> None:
    company = vendor.company
    people = company.people()
    # A third of them, across every status: leavers and future hires included.
    blanked = people[::3]
    assert {p.status for p in blanked} == set(PersonStatus)
    for person in blanked:
        company.renumber(person.id, None)

    read_back = by_email(read_people(vendor))
    for person in blanked:
        if person.work_email:
            assert person.work_email.lower() in read_back


def test_a_reused_employee_number_is_two_people(vendor: VendorSandbox) -> None:
    company = vendor.company
    before = by_email(read_people(vendor))
    leaver = emailed(company, PersonStatus.TERMINATED)[0]
    first, second = emailed(company, PersonStatus.ACTIVE)[5:7]
    assert leaver.employee_number is not None
    assert first.employee_number is not None
    new_hire = company.hire(first_name="Reuse", last_name="Number")
    company.renumber(new_hire.id, leaver.employee_number)
    company.renumber(second.id, first.employee_number)

    after = by_email(read_people(vendor))
    assert new_hire.work_email
    pairs = ((leaver, new_hire), (first, second))
    for a, b in pairs:
        assert a.work_email
        assert b.work_email
        got_a, got_b = after[a.work_email.lower()], after[b.work_email.lower()]
        assert got_a.remote_id != got_b.remote_id
    # The leaver is still the same (terminated) person, the hire someone new and active.
    assert after[leaver.work_email.lower()].remote_id == before[leaver.work_email.lower()].remote_id
    assert after[leaver.work_email.lower()].employment_status is EmploymentStatus.TERMINATED
    hired = after[new_hire.work_email.lower()]
    assert hired.employment_status is EmploymentStatus.ACTIVE
    assert hired.remote_id not in {e.remote_id for e in before.values()}
    for person in (first, second):
        assert person.work_email
        key = person.work_email.lower()
        assert after[key].remote_id == before[key].remote_id


def test_renumbering_moves_no_id(vendor: VendorSandbox) -> None:
    company = vendor.company
    first = read_people(vendor)
    people = company.people()
    # Everyone takes someone else's number (the list reversed) and a few lose theirs: an id
    # built from the number would land on another person, not just change.
    numbers = [p.employee_number for p in people][::-1]
    for index, (person, number) in enumerate(zip(people, numbers, strict=True)):
        company.renumber(person.id, None if index % 10 == 0 else number)

    second = read_people(vendor)
    assert {e.remote_id for e in second} == {e.remote_id for e in first}
    before, after = by_email(first), by_email(second)
    assert after.keys() == before.keys()
    moved = [k for k in before if before[k].remote_id != after[k].remote_id]
    assert not moved, f"{len(moved)} people changed remote_id when renumbered"


def test_the_remote_id_is_not_the_employee_number(vendor: VendorSandbox) -> None:
    company = vendor.company
    # Numbers no vendor sequence produces: a remote_id equal to (or built from) one of them
    # can only come from the employee number field.
    for index, person in enumerate(company.people()):
        company.renumber(person.id, DISTINCT_NUMBERS + 7 * index)
    people = company.people()
    read_back = read_people(vendor)
    numbers = {str(p.employee_number) for p in people}
    assert not numbers & {e.remote_id for e in read_back}

    found = by_email(read_back)
    for person in people:
        if person.work_email:
            remote_id = found[person.work_email.lower()].remote_id
            number = person.employee_number
            assert number is not None
            assert str(number) not in remote_id, (remote_id, number)
            assert f"{number:x}" not in remote_id, (remote_id, number)
