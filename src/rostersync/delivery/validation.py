"""Checks on a destination before it is stored."""

from __future__ import annotations

from rostersync.net import HostGuard


def check_webhook_url(url: str, *, allow_loopback: bool) -> None:
    """Raise BlockedDestination now for a URL that every delivery would refuse later."""
    HostGuard(allow_loopback=allow_loopback).check(url)
