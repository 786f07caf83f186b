"""Rippling's documented staging server is a root the connector accepts, path included."""

from __future__ import annotations

import pytest

from rostersync.connectors import CONNECTORS
from rostersync.net import BlockedDestination, HostGuard

STAGING = "https://stage-api.rippling.com/api"


def _guard() -> HostGuard:
    # A public address stands in for DNS, which this machine has none of.
    rippling = CONNECTORS["rippling"]
    return HostGuard(allowed_hosts=rippling.allowed_hosts, resolver=lambda _h, _p: ["104.18.1.1"])


def test_the_documented_staging_server_is_reached_by_its_base_url() -> None:
    root = CONNECTORS["rippling"].root({"api_key": "k"}, STAGING)
    # OpenAPI servers: https://stage-api.rippling.com/api/platform/api (Staging).
    assert root == f"{STAGING}/platform/api"
    _guard().check(root + "/employees")


def test_another_rippling_looking_host_is_still_refused() -> None:
    with pytest.raises(BlockedDestination):
        _guard().check("https://stage-api.rippling.com.evil.example/api/platform/api/")
