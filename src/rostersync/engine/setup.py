"""Every set-up input checked before anything is stored: environments, time zones,
credentials against a connector's fields, lifecycle policies.

The services that create tenants, connections and links call these, and so do the preflight
and `extract` (which store nothing), so a bad input gets the same clear error everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from rostersync.connectors import BadInput, ReadContext, get_connector, read_records
from rostersync.engine.policy import Policy
from rostersync.model import Environment


def check_environment(environment: str) -> None:
    if environment not in tuple(Environment):
        raise BadInput(f"environment must be one of {', '.join(Environment)}")


def check_timezone(timezone: str) -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"unknown time zone {timezone!r}; use an IANA name like Europe/London"
        ) from None


def validate_credentials(provider: str, credentials: dict[str, str]) -> None:
    connector = get_connector(provider)
    declared = {f.name for f in connector.credential_fields}
    unknown = sorted(credentials.keys() - declared)
    if unknown:
        raise BadInput(
            f"{connector.display_name} has no credential field {unknown[0]!r}; "
            f"its fields are: {', '.join(sorted(declared))}"
        )
    missing = [
        f.name for f in connector.credential_fields if f.required and not credentials.get(f.name)
    ]
    if missing:
        raise BadInput(f"{connector.display_name} needs the credential field {missing[0]!r}")


def check_credentials(
    provider: str,
    credentials: Mapping[str, str],
    *,
    base_url: str | None,
    allow_loopback: bool,
    as_of: date,
) -> dict[str, str]:
    """Read until the vendor sends one record, so refused credentials fail now (AuthRevoked,
    PermissionDenied, ...) rather than at the first sync. Nothing read is kept.

    Returns the credentials to store: the vendor may have rotated a refresh token on use, and
    then the submitted one is spent."""
    current = dict(credentials)

    def keep_rotated(values: Mapping[str, str]) -> None:
        current.update(values)

    context = ReadContext(
        credentials=credentials,
        as_of=as_of,
        base_url=base_url,
        allow_loopback=allow_loopback,
        save_credentials=keep_rotated,
    )
    # The first record, or none from an empty company: either way the vendor took them. The
    # read stops there; its generator is closed (and its client with it) when dropped here.
    next(iter(read_records(get_connector(provider), context)), None)
    return current


def validate_policy(policy: dict[str, Any]) -> Policy:
    try:
        return Policy.model_validate(policy)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}" for e in exc.errors()
        )
        raise BadInput(f"invalid policy: {problems}") from None
