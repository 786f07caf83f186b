"""Checks on a destination before it is stored."""

from __future__ import annotations

from rostersync.net import BlockedDestination, HostGuard, TransportFailure


def check_webhook_url(url: str, *, allow_loopback: bool) -> None:
    """Raise BlockedDestination now for a URL that every delivery would refuse later.

    A host that does not resolve is refused too: at creation it is a typo, not an outage.
    """
    try:
        HostGuard(allow_loopback=allow_loopback).check(url)
    except TransportFailure as exc:
        raise BlockedDestination(f"{exc}: check the URL", url=exc.url) from exc
