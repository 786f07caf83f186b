"""The root of every error rostersync raises on purpose.

    RostersyncError            message is safe to show: never a secret or a personal field
    ├── net.errors.NetError            outbound HTTP (blocked destination, transport failure)
    ├── connectors.errors.ConnectorError   vendor said no, or sent something we cannot read
    ├── store.errors.StoreError        configuration of the database or of the keys
    └── ...                            one tree per layer, each in that layer's errors.py

Retryable and Terminal are markers that say whether trying the same thing later can work.
"""

from __future__ import annotations


class RostersyncError(Exception):
    """An error whose message is safe for logs, events and users."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class Retryable:
    """Marker: the same call may succeed later (timeouts, 5xx, rate limits)."""


class Terminal:
    """Marker: repeating the call cannot help until something is changed by a person."""
