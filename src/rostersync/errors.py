"""The root of every error rostersync raises on purpose.

    RostersyncError            message is safe to show: never a secret or a personal field
    ├── net.errors.NetError            outbound HTTP (blocked destination, transport failure)
    ├── connectors.errors.ConnectorError   vendor said no, or sent something we cannot read
    ├── store.errors.StoreError        configuration of the database or of the keys
    └── ...                            one tree per layer, each in that layer's errors.py

Each class carries what the front-ends answer with: `code` (stable, in JSON bodies and events),
`http_status` (the API) and `exit_code` (the CLI), so no front-end keeps a table of our errors.
Retryable and Terminal are markers that say whether trying the same thing later can work.
"""

from __future__ import annotations

from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """The CLI's exit statuses, part of its public contract (README, "Exit codes")."""

    OK = 0
    ERROR = 1
    BAD_INPUT = 2
    BAD_CREDENTIALS = 3
    VENDOR_UNAVAILABLE = 4
    BAD_PAYLOAD = 5


class RostersyncError(Exception):
    """An error whose message is safe for logs, events and users."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 500
    exit_code: ClassVar[ExitCode] = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Retryable:
    """Marker: the same call may succeed later (timeouts, 5xx, rate limits)."""


class Terminal:
    """Marker: repeating the call cannot help until something is changed by a person."""
