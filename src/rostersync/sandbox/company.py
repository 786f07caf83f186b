"""A vendor-neutral synthetic company: deterministic people, departments, teams and sites.

Every vendor emulator renders the same :class:`SyntheticCompany` in its own API shape, so a
test can compare what a connector read against what the company holds. Nothing here knows
any vendor's vocabulary.

Determinism: the same ``seed``, ``size`` and ``today`` give the same company, person for
person, and the same sequence of mutations gives the same result. Faker is used only to fill
small pools of names, streets and sentences once; people are then drawn from the pools with
one seeded :class:`random.Random`, which keeps 100 000 people to a couple of seconds.

Sensitive fields (``salary`` ... ``performance_note``, see :data:`SENSITIVE_FIELDS`) exist so
an emulator can leak them on purpose; the product must never read them.
"""

from __future__ import annotations

import copy
import functools
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from random import Random
from typing import Any

from faker import Faker

__all__ = [
    "SENSITIVE_FIELDS",
    "Department",
    "HomeAddress",
    "PersonStatus",
    "Site",
    "SyntheticCompany",
    "SyntheticPerson",
    "Team",
]


class PersonStatus(StrEnum):
    """Neutral employment status; each emulator maps it to its vendor's vocabulary."""

    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    TERMINATED = "terminated"
    HIRED = "hired"  # hired, start date still in the future


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str
    archived: bool = False


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    department_id: str


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    city: str
    country_code: str  # ISO 3166-1 alpha-2
    country_name: str  # English short name, as vendors that give names spell it


@dataclass(frozen=True, slots=True)
class HomeAddress:
    line1: str
    city: str
    postcode: str
    country_name: str


SENSITIVE_FIELDS: frozenset[str] = frozenset(
    {
        "salary",
        "salary_currency",
        "bank_account",
        "home_address",
        "personal_email",
        "personal_phone",
        "date_of_birth",
        "gender",
        "ethnicity",
        "time_off_balance",
        "performance_note",
    }
)


@dataclass(eq=False, slots=True)
class SyntheticPerson:
    """One person. Mutable: the company's mutation methods change it in place."""

    id: str
    # The number HR gives the person: mutable, may be blank (None) or reused, as in real
    # HRIS data. Never an id: emulators derive their vendors' own ids from ``id`` or
    # ``serial``, and show this only in the vendor's employee number field.
    employee_number: int | None
    first_name: str
    last_name: str
    work_email: str | None
    status: PersonStatus
    start_date: date
    termination_date: date | None
    department_id: str
    team_id: str | None
    manager_id: str | None
    site_id: str
    created_at: datetime
    # Garden leave: the first day away from work; ``termination_date`` is then the last day
    # employed (still employed, and still paid, in between). None when not on garden leave.
    garden_leave_start: date | None = None
    # Earlier employment spells, oldest first, as (start_date, termination_date): a rehire
    # closes the current spell here before starting a new one.
    past_employments: tuple[tuple[date, date], ...] = ()
    # Engaged as a contractor, not employed: vendors that list contractors apart from
    # employees (or mark them) show it; the others render them as everyone else.
    contractor: bool = False
    # Sensitive: present only so emulators can leak them; never read by the product.
    salary: int = 0
    salary_currency: str = "EUR"
    bank_account: str = ""
    home_address: HomeAddress | None = None
    personal_email: str = ""
    personal_phone: str = ""
    date_of_birth: date | None = None
    gender: str = ""
    ethnicity: str = ""
    time_off_balance: float = 0.0
    performance_note: str = ""
    # The backend's creation sequence: never changes, never reused. Emulators derive their
    # vendors' sequential integer ids from it. Starts equal to the employee number.
    serial: int = 0

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def to_dict(self, *, include_sensitive: bool = False) -> dict[str, Any]:
        """JSON-ready view, for control endpoints and test assertions."""
        out: dict[str, Any] = {
            "id": self.id,
            "employee_number": self.employee_number,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "display_name": self.display_name,
            "work_email": self.work_email,
            "status": self.status.value,
            "start_date": self.start_date.isoformat(),
            "termination_date": (
                self.termination_date.isoformat() if self.termination_date else None
            ),
            "department_id": self.department_id,
            "team_id": self.team_id,
            "manager_id": self.manager_id,
            "site_id": self.site_id,
            "created_at": self.created_at.isoformat(),
            "garden_leave_start": _iso(self.garden_leave_start),
            "past_employments": [
                {"start_date": s.isoformat(), "termination_date": t.isoformat()}
                for s, t in self.past_employments
            ],
        }
        if include_sensitive:
            out.update(
                salary=self.salary,
                salary_currency=self.salary_currency,
                bank_account=self.bank_account,
                home_address=(
                    {
                        "line1": self.home_address.line1,
                        "city": self.home_address.city,
                        "postcode": self.home_address.postcode,
                        "country_name": self.home_address.country_name,
                    }
                    if self.home_address
                    else None
                ),
                personal_email=self.personal_email,
                personal_phone=self.personal_phone,
                date_of_birth=self.date_of_birth.isoformat() if self.date_of_birth else None,
                gender=self.gender,
                ethnicity=self.ethnicity,
                time_off_balance=self.time_off_balance,
                performance_note=self.performance_note,
            )
        return out


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- static company shape ---------------------------------------------------------------

# (name, archived, teams, weight): the weight is the share of people drawn into it.
_DEPARTMENTS: tuple[tuple[str, bool, tuple[str, ...], int], ...] = (
    ("Engineering", False, ("Platform", "Mobile", "Data"), 30),
    ("Product", False, ("Design", "Product Management"), 10),
    ("Sales", False, ("EMEA Sales", "Americas Sales"), 18),
    ("Marketing", False, (), 9),
    ("Customer Success", False, ("Support", "Onboarding"), 15),
    ("Finance", False, (), 6),
    ("People", False, (), 6),
    ("Legacy Operations", True, (), 0),  # archived; only old leavers still point at it
)
_LEADERSHIP = ("Leadership", False, (), 0)  # the CEO's department; nobody else is drawn into it

# (name, city, ISO code, English country name, Faker locale, currency, phone prefix)
_SITES: tuple[tuple[str, str, str, str, str, str, str], ...] = (
    ("London", "London", "GB", "United Kingdom", "en_GB", "GBP", "+44 7700 9"),
    ("Berlin", "Berlin", "DE", "Germany", "de_DE", "EUR", "+49 151 2"),
    ("New York", "New York", "US", "United States", "en_US", "USD", "+1 212 555"),
    ("Paris", "Paris", "FR", "France", "fr_FR", "EUR", "+33 6 12"),
    ("Madrid", "Madrid", "ES", "Spain", "es_ES", "EUR", "+34 612"),
)
_SITE_WEIGHTS = (35, 20, 25, 12, 8)

_GENDERS = ("female", "male", "non-binary", "undisclosed")
_ETHNICITIES = (
    "Asian",
    "Black",
    "Hispanic or Latino",
    "White",
    "Two or more",
    "Prefer not to say",
)
_PERSONAL_DOMAINS = ("mail.example", "inbox.example", "post.example")

# Share of each status in a default company (future hires take the remainder).
_P_ACTIVE = 0.85
_P_LEAVE = 0.05
_P_TERMINATED = 0.06
_P_NO_EMAIL = 0.03


def _ascii_slug(text: str) -> str:
    """'José Müller' -> 'josemuller': work emails are ASCII even when names are not."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _iban(rng: Random, country: str) -> str:
    """IBAN-shaped string with valid ISO 7064 check digits, so a leak looks real."""
    bban = "".join(str(rng.randrange(10)) for _ in range(18))
    letters = "".join(str(ord(c) - 55) for c in country)
    check = 98 - int(bban + letters + "00") % 97
    return f"{country}{check:02d}{bban}"


@dataclass(frozen=True, slots=True)
class _Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    postcodes: tuple[str, ...]


# Faker is slow to set up (seconds for a suite that builds hundreds of companies) and its
# output depends on the seed only: the text pools are built once per seed and shared, which
# is safe because they are immutable.
@functools.cache
def _company_text(seed: int) -> tuple[str, tuple[str, ...]]:
    """The company's name and the pool of performance notes."""
    faker = Faker("en_US")
    faker.seed_instance(seed)
    name = faker.company()
    return name, tuple(faker.sentence(nb_words=9) for _ in range(40))


@functools.cache
def _build_pools(seed: int) -> tuple[_Pools, ...]:
    pools = []
    for index, site in enumerate(_SITES):
        faker = Faker(site[4])
        faker.seed_instance(seed * 31 + index)
        pools.append(
            _Pools(
                first_names=tuple(faker.first_name() for _ in range(200)),
                last_names=tuple(faker.last_name() for _ in range(300)),
                streets=tuple(faker.street_name() for _ in range(60)),
                cities=tuple(faker.city() for _ in range(40)),
                postcodes=tuple(faker.postcode() for _ in range(100)),
            )
        )
    return tuple(pools)


class SyntheticCompany:
    """A deterministic company of ``size`` people, with mutations for tests and demos.

    Reads return copies, so a caller never holds a person while another thread mutates it.
    All methods take the company's lock; emulators served from a thread can share one
    company with the test that mutates it.

    Every mutation moves :attr:`version` (first thing under the lock, so a mutation that
    fails costs readers no more than a rebuild); change people only through these methods,
    or emulators keep serving what they derived before.
    """

    def __init__(self, seed: int = 42, size: int = 300, today: date | None = None) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.seed = seed
        self.size = size
        self._lock = threading.RLock()
        self._today = today if today is not None else datetime.now(UTC).date()
        self._rng = Random(seed)
        self._used_ids: set[str] = set()
        self._used_emails: set[str] = set()
        self._people: dict[str, SyntheticPerson] = {}
        self._next_number = 1
        self._heads: dict[str, str] = {}
        self._version = 0

        company_name, self._notes = _company_text(seed)
        self.name = company_name
        self.domain = f"{_ascii_slug(company_name.split()[0]) or 'company'}.example"

        self._pools = _build_pools(seed)
        self.departments: tuple[Department, ...] = self._build_departments()
        self.teams: tuple[Team, ...] = self._build_teams()
        self.sites: tuple[Site, ...] = tuple(
            Site(id=self._numeric_id(7), name=n, city=c, country_code=cc, country_name=cn)
            for (n, c, cc, cn, _loc, _cur, _ph) in _SITES
        )
        self._generate(size)

    # --- reads ----------------------------------------------------------------------------

    @property
    def today(self) -> date:
        """The company's clock: statuses and the emulators' as-of dates are read against it."""
        with self._lock:
            return self._today

    @today.setter
    def today(self, day: date) -> None:
        # Moving the clock changes what every emulator derives (statuses, as-of answers).
        with self._lock:
            self._version += 1
            self._today = day

    @property
    def version(self) -> int:
        """A counter every mutation bumps: emulators cache what they derive from the people
        and rebuild it only when this moves, so serving a page does not cost a full rebuild."""
        with self._lock:
            return self._version

    def __len__(self) -> int:
        with self._lock:
            return len(self._people)

    def __iter__(self) -> Iterator[SyntheticPerson]:
        return iter(self.people())

    def people(self) -> list[SyntheticPerson]:
        """Copies of every person not removed, in creation order."""
        with self._lock:
            return [copy.copy(p) for p in self._people.values()]

    def get(self, person_id: str) -> SyntheticPerson:
        with self._lock:
            return copy.copy(self._person(person_id))

    def department(self, department_id: str) -> Department:
        for d in self.departments:
            if d.id == department_id:
                return d
        raise KeyError(department_id)

    def site(self, site_id: str) -> Site:
        for s in self.sites:
            if s.id == site_id:
                return s
        raise KeyError(site_id)

    def team(self, team_id: str) -> Team:
        for t in self.teams:
            if t.id == team_id:
                return t
        raise KeyError(team_id)

    # --- mutations ------------------------------------------------------------------------

    def hire(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        work_email: str | None = None,
        department_id: str | None = None,
        site_id: str | None = None,
        manager_id: str | None = None,
        start_date: date | None = None,
    ) -> SyntheticPerson:
        """A new person; HIRED if ``start_date`` is after ``today``, else ACTIVE.

        Left out, the department is drawn at random and the manager is that department's
        head; the start date defaults to ``today``.
        """
        with self._lock:
            self._version += 1
            rng = self._rng
            live = self._live_depts
            dept = self.department(department_id) if department_id else rng.choice(live[1:] or live)
            site_index = (
                self._site_index(site_id)
                if site_id
                else rng.choices(range(len(self.sites)), _SITE_WEIGHTS)[0]
            )
            if manager_id is not None:
                self._person(manager_id)
            else:
                head = self._heads.get(dept.id)
                manager_id = head if head in self._people else None
            start = start_date or self.today
            status = PersonStatus.HIRED if start > self.today else PersonStatus.ACTIVE
            if work_email is not None:
                # An explicit address may repeat one in use: real HRIS data does (rehires under
                # a new id, typos), and tests need to reproduce it. Generated ones stay unique.
                self._used_emails.add(work_email.lower())
            person = self._new_person(
                rng,
                site_index=site_index,
                department_id=dept.id,
                status=status,
                start=start,
                first_name=first_name,
                last_name=last_name,
                with_email=work_email is None,
            )
            if work_email is not None:
                person.work_email = work_email
            person.manager_id = manager_id
            self._people[person.id] = person
            return copy.copy(person)

    def terminate(self, person_id: str, on: date) -> SyntheticPerson:
        """Set a termination date; the person is TERMINATED once ``on`` is not in the future."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.termination_date = on
            # The termination date is the last day employed: access ends after it.
            if on < self.today:
                person.status = PersonStatus.TERMINATED
            return copy.copy(person)

    def garden_leave(self, person_id: str, start: date, last_day: date) -> SyntheticPerson:
        """Put someone on garden leave: away from work from ``start``, employed through
        ``last_day`` (which becomes their termination date).

        The neutral status stays ACTIVE until ``last_day`` has passed, then TERMINATED, as for
        :meth:`terminate`; how each vendor shows the time in between is the emulators' job.
        """
        if last_day < start:
            raise ValueError("the last day cannot come before the garden leave starts")
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.garden_leave_start = start
            person.termination_date = last_day
            person.status = (
                PersonStatus.TERMINATED if last_day < self.today else PersonStatus.ACTIVE
            )
            return copy.copy(person)

    def rehire(self, person_id: str, start_date: date | None = None) -> SyntheticPerson:
        """Bring a leaver back with a new start date (ACTIVE, or HIRED if it is ahead).

        Same id; the spell that ended is kept in ``past_employments``, so an emulator can show
        what the vendor still shows of it (an old termination date, a history row).
        """
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            start = start_date or self.today
            if person.termination_date is not None:
                person.past_employments += ((person.start_date, person.termination_date),)
            person.start_date = start
            person.termination_date = None
            person.garden_leave_start = None
            person.status = PersonStatus.HIRED if start > self.today else PersonStatus.ACTIVE
            return copy.copy(person)

    def reschedule(self, person_id: str, start_date: date) -> SyntheticPerson:
        """Move a hire's start date (a slip, or an early start); HIRED while it is ahead."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.start_date = start_date
            if person.status in (PersonStatus.HIRED, PersonStatus.ACTIVE):
                person.status = (
                    PersonStatus.HIRED if start_date > self.today else PersonStatus.ACTIVE
                )
            return copy.copy(person)

    def set_contractor(self, person_id: str, contractor: bool = True) -> SyntheticPerson:
        """Make the person a contractor (or, with False, an employee again)."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.contractor = contractor
            return copy.copy(person)

    def set_status(self, person_id: str, status: PersonStatus) -> SyntheticPerson:
        """Change the status directly, e.g. to put someone on leave and back."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.status = PersonStatus(status)
            return copy.copy(person)

    def renumber(self, person_id: str, number: int | None) -> SyntheticPerson:
        """Set (or, with None, clear) the person's employee number. Numbers may repeat: HR
        reuses a leaver's number, and typos give two people the same one. Ids do not move."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            person.employee_number = number
            return copy.copy(person)

    def move(
        self,
        person_id: str,
        department_id: str | None = None,
        manager_id: str | None = None,
        site_id: str | None = None,
        team_id: str | None = None,
    ) -> SyntheticPerson:
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            if department_id is not None:
                self.department(department_id)
                person.department_id = department_id
                if person.team_id and self.team(person.team_id).department_id != department_id:
                    person.team_id = None
            if team_id is not None:
                person.team_id = self.team(team_id).id
            if manager_id is not None:
                if manager_id == person_id:
                    raise ValueError("a person cannot manage themselves")
                self._person(manager_id)
                person.manager_id = manager_id
            if site_id is not None:
                person.site_id = self.site(site_id).id
            return copy.copy(person)

    def rename(
        self,
        person_id: str,
        first_name: str | None = None,
        last_name: str | None = None,
        work_email: str | None = None,
    ) -> SyntheticPerson:
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            if first_name is not None:
                person.first_name = first_name
            if last_name is not None:
                person.last_name = last_name
            if work_email is not None and work_email != person.work_email:
                self._claim_email(work_email)
                if person.work_email:
                    self._used_emails.discard(person.work_email.lower())
                person.work_email = work_email
            return copy.copy(person)

    def remove(self, person_id: str) -> SyntheticPerson:
        """Delete the person outright: they vanish from every read (a hard delete upstream,
        or a vendor that briefly loses them); the removed record is handed back."""
        with self._lock:
            self._version += 1
            person = self._person(person_id)
            del self._people[person_id]
            return person

    def restore(self, person: SyntheticPerson) -> None:
        """Bring back a removed person exactly as they were (a vendor glitch that ends)."""
        with self._lock:
            self._version += 1
            self._people[person.id] = person

    # --- generation -----------------------------------------------------------------------

    def _build_departments(self) -> tuple[Department, ...]:
        rows = (_LEADERSHIP, *_DEPARTMENTS)
        return tuple(Department(id=self._numeric_id(9), name=n, archived=a) for n, a, _, _ in rows)

    def _build_teams(self) -> tuple[Team, ...]:
        teams: list[Team] = []
        for dept, (_, _, names, _) in zip(
            self.departments, (_LEADERSHIP, *_DEPARTMENTS), strict=True
        ):
            teams.extend(Team(id=self._numeric_id(9), name=n, department_id=dept.id) for n in names)
        return tuple(teams)

    @property
    def _live_depts(self) -> list[Department]:
        return [d for d in self.departments if not d.archived]

    def _numeric_id(self, digits: int) -> str:
        low = 10 ** (digits - 1) * 2  # leading digit 2..9, as real backend ids look
        while True:
            candidate = str(self._rng.randrange(low, 10**digits))
            if candidate not in self._used_ids:
                self._used_ids.add(candidate)
                return candidate

    def _site_index(self, site_id: str) -> int:
        for index, site in enumerate(self.sites):
            if site.id == site_id:
                return index
        raise KeyError(site_id)

    def _claim_email(self, email: str) -> None:
        key = email.lower()
        if key in self._used_emails:
            raise ValueError(f"work email already in use: {email}")
        self._used_emails.add(key)

    def _unique_email(self, first: str, last: str) -> str:
        base = f"{_ascii_slug(first) or 'x'}.{_ascii_slug(last) or 'x'}"
        candidate, n = base, 1
        while f"{candidate}@{self.domain}" in self._used_emails:
            n += 1
            candidate = f"{base}{n}"
        email = f"{candidate}@{self.domain}"
        self._used_emails.add(email)
        return email

    def _new_person(
        self,
        rng: Random,
        *,
        site_index: int,
        department_id: str,
        status: PersonStatus,
        start: date,
        first_name: str | None = None,
        last_name: str | None = None,
        with_email: bool,
        termination: date | None = None,
    ) -> SyntheticPerson:
        pools = self._pools[site_index]
        _, _, _, country_name, _, currency, phone_prefix = _SITES[site_index]
        first = first_name or rng.choice(pools.first_names)
        last = last_name or rng.choice(pools.last_names)
        created = datetime.combine(
            start - timedelta(days=rng.randrange(1, 45)),
            time(rng.randrange(7, 19), rng.randrange(60), rng.randrange(60), rng.randrange(10**6)),
            tzinfo=UTC,
        )
        teams = [t for t in self.teams if t.department_id == department_id]
        number = self._next_number
        self._next_number += 1
        person = SyntheticPerson(
            id=self._numeric_id(19),
            employee_number=number,
            serial=number,
            first_name=first,
            last_name=last,
            work_email=self._unique_email(first, last) if with_email else None,
            status=status,
            start_date=start,
            termination_date=termination,
            department_id=department_id,
            team_id=rng.choice(teams).id if teams else None,
            manager_id=None,
            site_id=self.sites[site_index].id,
            created_at=created,
            salary=rng.randrange(28, 180) * 1000,
            salary_currency=currency,
            bank_account=_iban(rng, _SITES[site_index][2]),
            home_address=HomeAddress(
                line1=f"{rng.randrange(1, 200)} {rng.choice(pools.streets)}",
                city=rng.choice(pools.cities),
                postcode=rng.choice(pools.postcodes),
                country_name=country_name,
            ),
            personal_email=(
                f"{_ascii_slug(first)}{rng.randrange(10, 99)}@{rng.choice(_PERSONAL_DOMAINS)}"
            ),
            personal_phone=f"{phone_prefix}{rng.randrange(10**4, 10**5)}",
            date_of_birth=self.today - timedelta(days=rng.randrange(20 * 365, 64 * 365)),
            gender=rng.choice(_GENDERS),
            ethnicity=rng.choice(_ETHNICITIES),
            time_off_balance=round(rng.uniform(0, 30), 1),
            performance_note=rng.choice(self._notes),
        )
        return person

    def _generate(self, size: int) -> None:
        rng = self._rng
        today = self.today
        live = self._live_depts
        leadership, others = live[0], live[1:]
        dept_weights = [w for (_, a, _, w) in _DEPARTMENTS if not a]
        archived = [d for d in self.departments if d.archived]
        site_range = range(len(self.sites))

        def past_start(max_years: int = 10, min_days: int = 1) -> date:
            return today - timedelta(days=rng.randrange(min_days, max_years * 365))

        # Leaders first: the CEO, then one head per department, so every later person has
        # someone to report to.
        leaders: dict[str, list[str]] = {d.id: [] for d in live}
        ceo = self._new_person(
            rng,
            site_index=0,
            department_id=leadership.id,
            status=PersonStatus.ACTIVE,
            start=past_start(min_days=3 * 365),
            with_email=True,
        )
        self._people[ceo.id] = ceo
        leaders[leadership.id].append(ceo.id)
        for dept in others[: max(0, size - 1)]:
            head = self._new_person(
                rng,
                site_index=rng.choices(site_range, _SITE_WEIGHTS)[0],
                department_id=dept.id,
                status=PersonStatus.ACTIVE,
                start=past_start(min_days=365),
                with_email=True,
            )
            head.manager_id = ceo.id
            self._people[head.id] = head
            leaders[dept.id].append(head.id)

        terminated: list[SyntheticPerson] = []
        while len(self._people) < size:
            roll = rng.random()
            termination: date | None = None
            if roll < _P_ACTIVE:
                status, start = PersonStatus.ACTIVE, past_start()
                if rng.random() < 0.01:  # serving notice: leaves soon, still active
                    termination = today + timedelta(days=rng.randrange(1, 45))
            elif roll < _P_ACTIVE + _P_LEAVE:
                status, start = PersonStatus.ON_LEAVE, past_start(min_days=60)
            elif roll < _P_ACTIVE + _P_LEAVE + _P_TERMINATED:
                status, start = PersonStatus.TERMINATED, past_start(min_days=90)
                span = (today - start).days
                termination = start + timedelta(days=rng.randrange(30, max(31, span)))
                termination = min(termination, today - timedelta(days=1))
            else:
                status = PersonStatus.HIRED
                start = today + timedelta(days=rng.randrange(1, 61))

            if status is PersonStatus.TERMINATED and archived and rng.random() < 0.15:
                dept = archived[0]
            else:
                dept = rng.choices(others, dept_weights)[0] if others else leadership
            person = self._new_person(
                rng,
                site_index=rng.choices(site_range, _SITE_WEIGHTS)[0],
                department_id=dept.id,
                status=status,
                start=start,
                with_email=rng.random() >= _P_NO_EMAIL,
                termination=termination,
            )
            pool = leaders.get(dept.id) or leaders[leadership.id]
            person.manager_id = rng.choice(pool)
            if status is PersonStatus.ACTIVE and termination is None and rng.random() < 0.12:
                pool.append(person.id)  # becomes a team lead others can report to
            if status is PersonStatus.TERMINATED:
                terminated.append(person)
            self._people[person.id] = person

        # Real data is messy: a few people still point at a manager who has left, and a
        # few besides the CEO have no manager at all.
        heads = {ids[0] for ids in leaders.values() if ids}
        actives = [
            p
            for p in self._people.values()
            if p.status is PersonStatus.ACTIVE and p.id not in heads
        ]
        n_stale = max(1, size // 400) if terminated and len(actives) > 20 else 0
        n_orphan = max(1, size // 200) if len(actives) > 20 else 0
        picked = rng.sample(actives, n_stale + n_orphan)
        for person in picked[:n_stale]:
            person.manager_id = rng.choice(terminated).id
        for person in picked[n_stale:]:
            person.manager_id = None
        self._heads = {dept_id: ids[0] for dept_id, ids in leaders.items() if ids}

    def _person(self, person_id: str) -> SyntheticPerson:
        try:
            return self._people[person_id]
        except KeyError:
            raise KeyError(f"no person with id {person_id!r}") from None
