"""Any internal IPv4 address, however it is written, stays blocked."""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostersync.net import BlockedDestination, HostGuard


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host} is an address literal and must not be looked up")


INTERNAL = [
    IPv4Network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
    )
]
LOOPBACK = IPv4Network("127.0.0.0/8")


@st.composite
def internal_ipv4(draw: st.DrawFn) -> IPv4Address:
    network = draw(st.sampled_from(INTERNAL))
    first, last = int(network.network_address), int(network.broadcast_address)
    return IPv4Address(draw(st.integers(first, last)))


def _mapped_hex(ip: IPv4Address) -> str:
    return f"[::ffff:{int(ip) >> 16:x}:{int(ip) & 0xFFFF:x}]"


FORMS: dict[str, Callable[[IPv4Address], str]] = {
    "dotted": str,
    "integer": lambda ip: str(int(ip)),
    "hex": lambda ip: f"0x{int(ip):x}",
    "octal": lambda ip: f"0{int(ip):o}",
    "dotted-hex": lambda ip: ".".join(f"0x{b:x}" for b in ip.packed),
    "mapped": lambda ip: f"[::ffff:{ip}]",
    "mapped-hex": _mapped_hex,
    "nat64": lambda ip: f"[64:ff9b::{ip}]",
}


@given(ip=internal_ipv4(), form=st.sampled_from(sorted(FORMS)))
def test_internal_ipv4_is_blocked_in_any_spelling(ip: IPv4Address, form: str) -> None:
    with pytest.raises(BlockedDestination):
        HostGuard(resolver=no_dns).check(f"https://{FORMS[form](ip)}/")


@given(ip=internal_ipv4(), form=st.sampled_from(sorted(FORMS)))
def test_development_mode_opens_only_plain_loopback(ip: IPv4Address, form: str) -> None:
    guard = HostGuard(allow_loopback=True, resolver=no_dns)
    url = f"http://{FORMS[form](ip)}/"
    if form == "dotted" and ip in LOOPBACK:
        guard.check(url)
    else:
        with pytest.raises(BlockedDestination):
            guard.check(url)


@given(ip=internal_ipv4())
def test_names_resolving_to_internal_ipv4_are_blocked(ip: IPv4Address) -> None:
    guard = HostGuard(resolver=lambda host, port: ["93.184.216.34", str(ip)])
    with pytest.raises(BlockedDestination):
        guard.check("https://api.example/")
