"""Which IP addresses outbound calls may reach, and how hosts hide them.

Python's ``is_global`` is the base test, but it has gaps that matter for SSRF: it calls
multicast and NAT64 addresses global, and older patch releases judge IPv4-mapped addresses
by their IPv6 form. So embedded IPv4 addresses are unwrapped and judged on their own, and
the remaining kinds are named one by one so the refusal can say which rule applied.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

IPAddress = IPv4Address | IPv6Address

PORTS = range(1, 65536)
"""The TCP ports a URL (or a listening socket) may name."""

# Instance metadata and host-agent endpoints hand out cloud credentials. Most sit in ranges
# refused anyway; Azure's wire server (168.63.129.16) is a public address, hence the list.
CLOUD_METADATA = frozenset(
    ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "168.63.129.16")
)

_SHARED = IPv4Network("100.64.0.0/10")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = IPv6Network("::/96")
_LOOPBACK_V6 = IPv6Address("::1")

_DECIMAL = re.compile(r"[0-9]+")
_HEX = re.compile(r"0x[0-9a-f]*")


def problem(ip: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why ``ip`` is off-limits, as a phrase ("a private address"); None if reachable."""
    if ip in CLOUD_METADATA:
        return "a cloud metadata address"
    if isinstance(ip, IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) address"
        if ip in _NAT64_LOCAL:
            return "a local NAT64 address"
        for inner in _embedded(ip):
            # Loopback is allowed in development only in its plain form: nobody writes
            # ::ffff:127.0.0.1 by accident, so that spelling is treated as an evasion.
            found = problem(inner, allow_loopback=False)
            if found is not None:
                return f"{found} inside an IPv6 address"
        if _is_wrapper(ip):
            return None
    if ip.is_loopback or ip == _LOOPBACK_V6:
        return None if allow_loopback else "a loopback address"
    return _kind(ip)


def _kind(ip: IPAddress) -> str | None:
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, IPv4Address) and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if isinstance(ip, IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "a non-public address"
    return None


def _embedded(ip: IPv6Address) -> tuple[IPv4Address, ...]:
    if ip.ipv4_mapped is not None:
        return (ip.ipv4_mapped,)
    if ip in _NAT64 or _is_ipv4_compatible(ip):
        return (IPv4Address(int(ip) & 0xFFFF_FFFF),)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo
    return ()


def _is_wrapper(ip: IPv6Address) -> bool:
    """True when the address only carries an IPv4 one, so the IPv4 verdict is the verdict."""
    return (
        ip.ipv4_mapped is not None
        or ip in _NAT64
        or _is_ipv4_compatible(ip)
        or ip.sixtofour is not None
    )


def _is_ipv4_compatible(ip: IPv6Address) -> bool:
    return ip in _IPV4_COMPATIBLE and int(ip) > 1


def ends_in_number(host: str) -> bool:
    """The URL standard's test for "this host is meant as an IPv4 address".

    Resolvers (inet_aton) accept 2130706433, 0x7f.1 and 017700000001 as 127.0.0.1, so a
    host whose last label is numeric must be judged as an address, never as a name.
    """
    last = host.rsplit(".", 1)[-1]
    return bool(_DECIMAL.fullmatch(last) or _HEX.fullmatch(last))


def legacy_ipv4(host: str) -> IPv4Address | None:
    """Parse the inet_aton forms: 1 to 4 parts, each decimal, 0-octal or 0x-hex."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values: list[int] = []
    for part in parts:
        value = _legacy_part(part)
        if value is None:
            return None
        values.append(value)
    *head, last = values
    if any(v > 0xFF for v in head) or last >= 1 << (8 * (5 - len(values))):
        return None
    number = last
    for index, value in enumerate(head):
        number |= value << (8 * (3 - index))
    return IPv4Address(number)


def _legacy_part(part: str) -> int | None:
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if not _DECIMAL.fullmatch(part):
        return None
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8) if set(part) <= set("01234567") else None
    return int(part)
