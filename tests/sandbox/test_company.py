"""SyntheticCompany: deterministic, realistic mix, and mutations that behave."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest

from rostersync.sandbox import SENSITIVE_FIELDS, PersonStatus, SyntheticCompany

TODAY = date(2025, 6, 2)


@pytest.fixture(scope="module")
def big() -> SyntheticCompany:
    return SyntheticCompany(seed=3, size=4000, today=TODAY)


def test_same_seed_same_people_different_seed_different_people() -> None:
    a = SyntheticCompany(seed=11, size=120, today=TODAY)
    b = SyntheticCompany(seed=11, size=120, today=TODAY)
    c = SyntheticCompany(seed=12, size=120, today=TODAY)

    def dump(company: SyntheticCompany) -> list[dict[str, object]]:
        return [p.to_dict(include_sensitive=True) for p in company.people()]

    assert dump(a) == dump(b)
    assert dump(a) != dump(c)
    assert a.departments == b.departments
    assert a.sites == b.sites
    assert a.hire().to_dict() == b.hire().to_dict()


def test_status_mix_matches_the_defaults(big: SyntheticCompany) -> None:
    people = big.people()
    share = {s: n / len(people) for s, n in Counter(p.status for p in people).items()}
    no_email = sum(p.work_email is None for p in people) / len(people)

    assert share[PersonStatus.ACTIVE] == pytest.approx(0.85, abs=0.03)
    assert share[PersonStatus.ON_LEAVE] == pytest.approx(0.05, abs=0.02)
    assert share[PersonStatus.TERMINATED] == pytest.approx(0.06, abs=0.02)
    assert share[PersonStatus.HIRED] == pytest.approx(0.04, abs=0.02)
    assert no_email == pytest.approx(0.03, abs=0.015)


def test_dates_agree_with_statuses(big: SyntheticCompany) -> None:
    for person in big.people():
        if person.status is PersonStatus.HIRED:
            assert TODAY + timedelta(days=1) <= person.start_date <= TODAY + timedelta(days=60)
        else:
            assert person.start_date <= TODAY
        if person.status is PersonStatus.TERMINATED:
            assert person.termination_date is not None
            assert person.start_date < person.termination_date < TODAY
        elif person.termination_date is not None:
            assert person.status is PersonStatus.ACTIVE
            assert person.termination_date > TODAY  # serving notice


def test_ids_and_emails_are_unique_and_well_formed(big: SyntheticCompany) -> None:
    people = big.people()
    ids = [p.id for p in people]
    emails = [p.work_email for p in people if p.work_email]

    assert len(set(ids)) == len(ids)
    assert all(i.isdigit() and len(i) == 19 and int(i) > 2**53 for i in ids)
    assert len({e.lower() for e in emails}) == len(emails)
    assert all(e.endswith("@" + big.domain) and e.isascii() for e in emails)
    assert sorted(p.employee_number for p in people) == list(range(1, len(people) + 1))


def test_org_shape(big: SyntheticCompany) -> None:
    people = {p.id: p for p in big.people()}
    ceo = next(p for p in people.values() if p.employee_number == 1)
    archived = [d for d in big.departments if d.archived]

    assert ceo.manager_id is None
    assert ceo.status is PersonStatus.ACTIVE
    assert all(p.manager_id in people for p in people.values() if p.manager_id)
    assert sum(p.manager_id is None for p in people.values()) > 1
    stale = [
        p
        for p in people.values()
        if p.manager_id and people[p.manager_id].status is PersonStatus.TERMINATED
    ]
    assert stale  # a few still point at a manager who left
    assert len(archived) == 1
    in_archived = [p for p in people.values() if p.department_id == archived[0].id]
    assert in_archived
    assert {p.status for p in in_archived} == {PersonStatus.TERMINATED}
    assert {s.country_code for s in big.sites} == {"GB", "DE", "US", "FR", "ES"}
    for person in people.values():
        big.site(person.site_id)
        if person.team_id:
            assert big.team(person.team_id).department_id == person.department_id


def test_sensitive_fields_are_filled(big: SyntheticCompany) -> None:
    person = big.people()[5]
    data = person.to_dict(include_sensitive=True)

    assert set(data) >= SENSITIVE_FIELDS
    assert not SENSITIVE_FIELDS & set(person.to_dict())
    assert person.bank_account[:2] == big.site(person.site_id).country_code
    assert person.home_address is not None
    assert person.personal_email != person.work_email


def test_hire_terminate_rehire_move_rename_remove() -> None:
    company = SyntheticCompany(seed=5, size=80, today=TODAY)
    size = len(company)

    joiner = company.hire(first_name="Ada", last_name="Lovelace")
    future = company.hire(start_date=TODAY + timedelta(days=10))
    assert joiner.status is PersonStatus.ACTIVE
    assert joiner.start_date == TODAY
    assert joiner.work_email == f"ada.lovelace@{company.domain}"
    assert joiner.manager_id is not None
    assert future.status is PersonStatus.HIRED
    assert len(company) == size + 2

    notice = company.terminate(joiner.id, on=TODAY + timedelta(days=30))
    assert notice.status is PersonStatus.ACTIVE
    still_employed = company.terminate(joiner.id, on=TODAY)
    assert still_employed.status is PersonStatus.ACTIVE  # the last day is still employed
    gone = company.terminate(joiner.id, on=TODAY - timedelta(days=1))
    assert gone.status is PersonStatus.TERMINATED
    back = company.rehire(joiner.id)
    assert back.status is PersonStatus.ACTIVE
    assert back.termination_date is None
    assert back.past_employments == ((TODAY, TODAY - timedelta(days=1)),)

    target = next(d for d in company.departments if d.id != joiner.department_id)
    moved = company.move(joiner.id, department_id=target.id, site_id=company.sites[2].id)
    assert moved.department_id == target.id
    assert moved.site_id == company.sites[2].id

    renamed = company.rename(joiner.id, last_name="King", work_email="ada.king@example.test")
    assert renamed.display_name == "Ada King"
    company.rename(future.id, work_email=f"ada.lovelace@{company.domain}")  # freed by the rename

    company.remove(joiner.id)
    assert len(company) == size + 1
    with pytest.raises(KeyError):
        company.get(joiner.id)


def test_mutations_validate_their_input() -> None:
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    person, other = company.people()[3:5]

    with pytest.raises(KeyError):
        company.terminate("404", on=TODAY)
    with pytest.raises(KeyError):
        company.move(person.id, department_id="nope")
    with pytest.raises(ValueError, match="manage themselves"):
        company.move(person.id, manager_id=person.id)
    with pytest.raises(ValueError, match="already in use"):
        company.rename(person.id, work_email=other.work_email)
    with pytest.raises(ValueError, match="size"):
        SyntheticCompany(size=0)


def test_reads_are_copies() -> None:
    company = SyntheticCompany(seed=5, size=20, today=TODAY)
    person = company.people()[2]
    person.first_name = "Mallory"

    assert company.get(person.id).first_name != "Mallory"


def test_concurrent_hires_stay_unique() -> None:
    company = SyntheticCompany(seed=9, size=20, today=TODAY)

    def hire_many() -> None:
        for _ in range(50):
            company.hire()

    threads = [threading.Thread(target=hire_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    people = company.people()
    assert len(people) == 220
    assert len({p.id for p in people}) == 220
    emails = [p.work_email for p in people if p.work_email]
    assert len(set(emails)) == len(emails)


def test_garden_leave_keeps_the_person_employed_until_the_last_day() -> None:
    company = SyntheticCompany(seed=5, size=40, today=TODAY)
    person = next(p for p in company if p.status is PersonStatus.ACTIVE)
    start, last_day = TODAY - timedelta(days=3), TODAY + timedelta(days=20)
    away = company.garden_leave(person.id, start=start, last_day=last_day)
    assert away.status is PersonStatus.ACTIVE
    assert away.garden_leave_start == start
    assert away.termination_date == last_day
    assert away.to_dict()["garden_leave_start"] == start.isoformat()
    ended = company.garden_leave(person.id, start=start, last_day=TODAY - timedelta(days=1))
    assert ended.status is PersonStatus.TERMINATED
    with pytest.raises(ValueError):
        company.garden_leave(person.id, start=TODAY, last_day=TODAY - timedelta(days=1))
    back = company.rehire(person.id)
    assert back.garden_leave_start is None
