"""Small, strict helpers that vendor mappers share: paths, text, dates, countries, statuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pycountry

from rostersync.connectors.errors import BadPayload
from rostersync.model import EmploymentStatus


def dig(value: Any, path: str) -> Any:
    """`a.b.c` into nested mappings; None as soon as a step is missing."""
    for step in path.split(".") if path else ():
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def text(value: Any) -> str | None:
    """Vendor ids and names as strings: ids stay exact even past 2^53; blanks become None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    return result or None


def day(value: Any, *, vendor: str) -> date | None:
    """ISO dates and datetimes (the formats every vendor here documents); '0000-00-00' is none."""
    raw = text(value)
    if raw is None or raw.startswith("0000-00-00"):
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        try:
            return datetime.fromisoformat(raw).date()
        except ValueError as exc:
            raise BadPayload(f"{vendor} sent a date that is not ISO 8601") from exc


def country_code(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 from an alpha-2, alpha-3 or English country name; None if unknown."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return str(pycountry.countries.lookup(raw).alpha_2)
    except LookupError:
        return None


def status_from_dates(
    *,
    as_of: date,
    start: date | None,
    end: date | None,
    on_leave: bool = False,
    active: bool | None = None,
) -> EmploymentStatus:
    """The common rule when a vendor gives dates and flags: dates are read against `as_of`.

    Ended before today: TERMINATED. Starting after today: PENDING. On leave: INACTIVE.
    Otherwise ACTIVE, unless the vendor's own active flag says no (INACTIVE).
    """
    if end is not None and end < as_of:
        return EmploymentStatus.TERMINATED
    if start is not None and start > as_of:
        return EmploymentStatus.PENDING
    if on_leave:
        return EmploymentStatus.INACTIVE
    if active is False:
        return EmploymentStatus.INACTIVE
    return EmploymentStatus.ACTIVE
