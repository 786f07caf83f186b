"""What every connector is: declared credentials, documented API root and hosts, and read(),
and read_records(): the one way a connector is read, whatever its module does inside."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from rostersync.connectors.errors import BadPayload
from rostersync.connectors.providers import CredentialField
from rostersync.model import Employee, Group, Location

Record = Employee | Group | Location


@dataclass(frozen=True)
class SetupGuide:
    """How the customer's admin creates the API access, kept beside the connector as data."""

    summary: str
    steps: tuple[str, ...]
    grant: tuple[str, ...]
    do_not_grant: tuple[str, ...]
    sources: tuple[str, ...] = ()


class Credentials(Mapping[str, str]):
    """A connection's credential values, readable by name and never shown.

    Its repr and str name the fields and mask every value, so a ReadContext in a log line, an
    exception or a traceback's locals carries no secret (the non-secret fields are masked too:
    which are secret is the connector's knowledge, and a subdomain is of no use in a log).
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Credentials({', '.join(f'{name}=***' for name in self._values)})"

    __str__ = __repr__


@dataclass(frozen=True)
class ReadContext:
    """Everything one read needs; the clock is passed in so statuses derive from `as_of`."""

    credentials: Mapping[str, str]
    """Held as Credentials whatever mapping is passed in: values are never shown."""
    as_of: date
    base_url: str | None = None
    """Replaces the scheme, host and port of the documented API root (a path is a prefix)."""
    allow_loopback: bool = False
    sleep: Callable[[float], None] = field(default=time.sleep)
    save_credentials: Callable[[Mapping[str, str]], None] | None = None
    """Called with the whole credential set when the vendor rotates a token during the read."""

    def __post_init__(self) -> None:
        if not isinstance(self.credentials, Credentials):
            object.__setattr__(self, "credentials", Credentials(self.credentials))


class Connector(Protocol):
    slug: str
    display_name: str
    docs_url: str
    api_root: str
    """The documented API root, e.g. https://api.hibob.com; endpoint paths are appended."""
    allowed_hosts: tuple[str, ...]
    credential_fields: tuple[CredentialField, ...]
    guide: SetupGuide
    fields: tuple[str, ...]
    """The allowlisted employee fields this vendor provides (see ConnectorSpec.fields)."""

    def check_target(
        self, credentials: Mapping[str, str], base_url: str | None, *, allow_loopback: bool
    ) -> None:
        """Raise BadInput now for an API root (base URL, customer host) a read would refuse."""
        ...

    def read(self, context: ReadContext) -> Iterator[Record]:
        """Every group, location and employee the credential can see, cut to the allowlist.

        Raises a ConnectorError on the first failure: a read is complete or it is nothing.
        """
        ...


# What mapping code raises when a response is not the documented shape: a number where a list
# was documented, a string where an object was, a missing key, a value that does not parse.
# pydantic's ValidationError is a ValueError; OverflowError (an absurd date) an ArithmeticError.
_SHAPE_ERRORS = (TypeError, LookupError, ValueError, AttributeError, ArithmeticError)


def read_records(connector: Connector, context: ReadContext) -> Iterator[Record]:
    """`connector.read(context)`, with bad vendor data turned into BadPayload.

    A vendor module may replace the declared read with its own code calling its mappers
    directly; this is the boundary every read crosses, so such code cannot let a raw exception
    out (a ConnectorError is none of these, so it passes as raised). Only the exception's type
    is named: its message may hold a person's values.
    """
    try:
        yield from connector.read(context)
    except _SHAPE_ERRORS as exc:
        raise BadPayload(
            f"{connector.display_name}: a response did not have its documented shape "
            f"({type(exc).__name__})"
        ) from None
