"""Small, strict helpers that vendor mappers share: paths, text, dates, countries, statuses.

Also the factories for the mappers most vendors write the same way: a group (id + name) and a
location (id + country).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pycountry

from rostersync.connectors.errors import BadPayload
from rostersync.model import EmploymentStatus, Group, GroupType, Location

if TYPE_CHECKING:
    # Only for annotations: spec imports paging, which imports this module.
    from rostersync.connectors.spec import MapContext


def dig(value: Any, path: str) -> Any:
    """`a.b.c` into nested mappings; None as soon as a step is missing."""
    for step in path.split(".") if path else ():
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def text(value: Any) -> str | None:
    """A vendor's text (a name, an email, a label, a date): blanks become None.

    Only a string is text: a number, list or object where text is documented is the wrong
    shape, and reading it as text would make "5" someone's name (TypeError -> BadPayload).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"text expected, got {type(value).__name__}")
    return value.strip() or None


def ident(value: Any) -> str | None:
    """A vendor id as a string: text or a whole number, exact even past 2^53; blanks are None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(value)


def ref(value: Any, key: str = "id") -> str | None:
    """The id of an embedded reference object (`{"id": 7, "name": ...}`); None when absent.

    Anything but an object (or null) is the wrong shape, not a missing reference: treating it
    as none would silently move everyone out of their team.
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"reference object expected, got {type(value).__name__}")
    return ident(value.get(key))


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


def required_id(raw: Mapping[str, Any], context: MapContext, *, what: str, path: str = "id") -> str:
    """The id as text, or BadPayload naming the vendor ("Gusto sent a location without uuid")."""
    remote_id = ident(dig(raw, path))
    if remote_id is None:
        article = "an" if what[:1].lower() in ("a", "e", "i", "o", "u") else "a"
        missing = "an id" if path == "id" else path
        raise BadPayload(f"{context.vendor} sent {article} {what} without {missing}")
    return remote_id


def group_mapper(
    group_type: GroupType,
    *,
    what: str | None = None,
    id_path: str = "id",
    name_path: str = "name",
    active: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Callable[[Mapping[str, Any], MapContext], Group | None]:
    """A mapper for a plain group list: a required id, a name ("" when blank).

    `what` names the record in the error (default: the group type, e.g. "department");
    `active`, when given, is asked after the id check and a False answer skips the record.
    """
    label = what or group_type.value.lower().replace("_", " ")

    def map_group(raw: Mapping[str, Any], context: MapContext) -> Group | None:
        remote_id = required_id(raw, context, what=label, path=id_path)
        if active is not None and not active(raw):
            return None
        return Group(
            remote_id=remote_id, group_type=group_type, name=text(dig(raw, name_path)) or ""
        )

    return map_group


def location_mapper(
    *,
    what: str = "location",
    id_path: str = "id",
    country_paths: tuple[str, ...] = ("country",),
) -> Callable[[Mapping[str, Any], MapContext], Location]:
    """A mapper for a plain location list: a required id, the first country the paths resolve."""

    def map_location(raw: Mapping[str, Any], context: MapContext) -> Location:
        remote_id = required_id(raw, context, what=what, path=id_path)
        country = None
        for path in country_paths:
            country = country_code(dig(raw, path))
            if country:
                break
        return Location(remote_id=remote_id, country=country)

    return map_location
