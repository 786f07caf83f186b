"""The connect flow's preflight: one real read with the submitted credentials, before anything
is stored, turned into checks an HR admin can act on.

A full read is what a sync does, so passing here means the first sync will read the same
people. Nothing read is kept: only counts leave this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from rostersync.connectors import (
    AuthRevoked,
    BadInput,
    ConnectorError,
    PermissionDenied,
    RateLimited,
    ReadContext,
    VendorUnavailable,
    get_connector,
    read_records,
)
from rostersync.engine import coverage
from rostersync.engine.setup import validate_credentials
from rostersync.model import ALLOWLIST, Employee, EmploymentStatus, Group, Location, RecordType


class Outcome(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    NOT_RUN = "not run"


class Message(StrEnum):
    """What a check says: gettext msgids with %(name)s placeholders, so the connect pages can
    show them in the admin's language (web/i18n.py extracts every member)."""

    NONE = ""
    ERROR = "%(error)s"
    NOT_ACCEPTED = (
        "%(vendor)s did not accept these credentials. Check that you copied them exactly, "
        "and that the service user or API key is still active."
    )
    NO_PERMISSION = "%(error)s Fix the permission, then try again."
    UNREACHABLE = (
        "%(vendor)s could not be reached just now (%(error)s). Please try again in a few minutes."
    )
    ACCEPTED = "%(vendor)s accepted the credentials."
    PEOPLE_SEEN = "%(count)s people read."
    NOBODY = "The read worked but returned nobody: the service user probably cannot see anyone."
    LEAVERS_SEEN = "%(count)s terminated people visible."
    NO_LEAVERS = (
        "No terminated people were visible. If your company has had leavers, the access you "
        "granted hides them, and their access could not be removed: allow the service user "
        "to see terminated people."
    )
    FUTURE_SEEN = "%(count)s people who have not started yet are visible."
    NO_FUTURE = (
        "Nobody with a future start date was visible. If you have hires who have not started, "
        "allow the service user to see them, or they will be invited only once they start."
    )
    GROUPS_SEEN = "%(count)s departments and teams read."
    NO_GROUPS = "No departments or teams were readable: people will not be placed in teams."
    LOCATIONS_SEEN = "%(count)s work locations read."
    NO_LOCATIONS = "No work locations were readable: people will have no location."
    ALL_FIELDS = "Every field we read was present for someone."
    FIELDS_MISSING = (
        "%(vendor)s sent no %(fields)s for anyone. The service user is probably not allowed to "
        "see these fields: grant them as the set-up steps say, then check again."
    )


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    message: Message = Message.NONE
    values: tuple[tuple[str, str], ...] = ()
    """The message's placeholders: vendor names, counts, the vendor's own error text."""

    @property
    def detail(self) -> str:
        """The message in English, filled in."""
        return self.message.value % dict(self.values) if self.values else self.message.value


def _check(name: str, outcome: Outcome, message: Message, **values: object) -> Check:
    return Check(name, outcome, message, tuple((k, str(v)) for k, v in values.items()))


@dataclass(frozen=True)
class PreflightResult:
    checks: tuple[Check, ...]
    people_by_status: Mapping[str, int] = field(default_factory=dict)
    groups: int = 0
    locations: int = 0
    rotated_credentials: Mapping[str, str] | None = None
    """A vendor that rotates refresh tokens on use made the submitted ones stale: keep these."""

    @property
    def ok(self) -> bool:
        return all(c.outcome in (Outcome.PASSED, Outcome.WARNING) for c in self.checks)

    @property
    def people(self) -> int:
        return sum(self.people_by_status.values())

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(c.detail for c in self.checks if c.outcome is Outcome.WARNING)


CREDENTIALS = "Credentials accepted"
PEOPLE = "People readable"
TERMINATED = "Leavers (terminated people) visible"
FUTURE = "Future hires visible"
DEPARTMENTS = "Departments and teams readable"
LOCATIONS = "Work locations readable"
FIELDS = "Every field readable"
ORDER = (CREDENTIALS, PEOPLE, TERMINATED, FUTURE, DEPARTMENTS, LOCATIONS, FIELDS)
_LABELS = {f.name: f.label for f in ALLOWLIST if f.record is RecordType.EMPLOYEE}


def _failed(vendor: str, error: ConnectorError) -> tuple[Check, ...]:
    """The first check that failed, and the ones after it marked as not run."""
    failed = Outcome.FAILED
    if isinstance(error, AuthRevoked):
        first = _check(CREDENTIALS, failed, Message.NOT_ACCEPTED, vendor=vendor)
    elif isinstance(error, PermissionDenied):
        first = _check(PEOPLE, failed, Message.NO_PERMISSION, error=error)
    elif isinstance(error, BadInput):
        first = _check(CREDENTIALS, failed, Message.ERROR, error=error)
    elif isinstance(error, VendorUnavailable | RateLimited):
        first = _check(PEOPLE, failed, Message.UNREACHABLE, vendor=vendor, error=error)
    else:
        first = _check(PEOPLE, failed, Message.ERROR, error=error)
    before = ORDER[: ORDER.index(first.name)]
    after = ORDER[ORDER.index(first.name) + 1 :]
    return (
        *(Check(name, Outcome.PASSED) for name in before),
        first,
        *(Check(name, Outcome.NOT_RUN) for name in after),
    )


def _presence(name: str, count: int, seen: Message, missing: Message) -> Check:
    if count:
        return _check(name, Outcome.PASSED, seen, count=count)
    return _check(name, Outcome.WARNING, missing)


def _fields(vendor: str, provided: tuple[str, ...], covered: Counter[str], people: int) -> Check:
    """Fields the vendor provides that nobody has: a permission the service user lacks (HiBob
    and BambooHR leave such a field out without an error)."""
    gaps = coverage.field_warnings(provided, covered, people)
    if not gaps:
        return _check(FIELDS, Outcome.PASSED, Message.ALL_FIELDS)
    names = ", ".join(_LABELS.get(g.field, g.field) for g in gaps)
    return _check(FIELDS, Outcome.WARNING, Message.FIELDS_MISSING, vendor=vendor, fields=names)


def _checks(
    vendor: str,
    by_status: Counter[str],
    groups: int,
    locations: int,
    fields: Check,
) -> tuple[Check, ...]:
    terminated = by_status[EmploymentStatus.TERMINATED.value]
    pending = by_status[EmploymentStatus.PENDING.value]
    return (
        _check(CREDENTIALS, Outcome.PASSED, Message.ACCEPTED, vendor=vendor),
        _presence(PEOPLE, sum(by_status.values()), Message.PEOPLE_SEEN, Message.NOBODY),
        _presence(TERMINATED, terminated, Message.LEAVERS_SEEN, Message.NO_LEAVERS),
        _presence(FUTURE, pending, Message.FUTURE_SEEN, Message.NO_FUTURE),
        _presence(DEPARTMENTS, groups, Message.GROUPS_SEEN, Message.NO_GROUPS),
        _presence(LOCATIONS, locations, Message.LOCATIONS_SEEN, Message.NO_LOCATIONS),
        fields,
    )


def run_preflight(
    provider: str,
    credentials: Mapping[str, str],
    *,
    base_url: str | None,
    allow_loopback: bool,
    as_of: date,
) -> PreflightResult:
    """Read once with these credentials and say what works. Raises BadInput for a bad form."""
    connector = get_connector(provider)
    validate_credentials(provider, dict(credentials))
    rotated: dict[str, str] = {}

    def keep_rotated(values: Mapping[str, str]) -> None:
        rotated.clear()
        rotated.update(values)

    context = ReadContext(
        credentials=credentials,
        as_of=as_of,
        base_url=base_url,
        allow_loopback=allow_loopback,
        save_credentials=keep_rotated,
    )
    by_status: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    groups = locations = 0
    try:
        connector.check_target(credentials, base_url, allow_loopback=allow_loopback)
        for record in read_records(connector, context):
            match record:
                case Employee():
                    by_status[record.employment_status.value] += 1
                    covered.update(coverage.present(record))
                case Group():
                    groups += 1
                case Location():
                    locations += 1
    except ConnectorError as error:
        return PreflightResult(_failed(connector.display_name, error))
    return PreflightResult(
        _checks(
            connector.display_name,
            by_status,
            groups,
            locations,
            _fields(connector.display_name, connector.fields, covered, sum(by_status.values())),
        ),
        people_by_status=dict(by_status),
        groups=groups,
        locations=locations,
        rotated_credentials=dict(rotated) or None,
    )
