"""The host guard: which URLs outbound calls may reach (SSRF defence).

A customer types a Workday tenant host, an operator types a webhook URL; either could aim
our credentials or our network position at something internal. ``HostGuard.check`` runs
before every request (redirects included) and ``HostGuard.addresses`` again at connect
time, so a name that resolves differently the second time (DNS rebinding) is still caught.
Both times, plain http:// may reach loopback addresses only.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, ip_address
from urllib.parse import urlsplit

import httpx

from rostersync.net import addresses
from rostersync.net.addresses import PORTS
from rostersync.net.errors import BlockedDestination, NetError, TransportFailure
from rostersync.net.redact import safe_url

Resolver = Callable[[str, int], list[str]]

DEV_MODE_HINT = "set ROSTERSYNC_ALLOW_LOOPBACK=1 for development"

_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# Names that reach instance metadata without DNS telling us so (search domains, /etc/hosts).
_METADATA_NAMES = frozenset(
    {"metadata", "metadata.google.internal", "metadata.goog", "instance-data"}
)
_DEFAULT_PORTS = {"https": 443, "http": 80}


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order, deduplicated."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class HostGuard:
    """Policy for outbound targets.

    ``allowed_hosts`` holds exact hosts or ``*.suffix`` patterns (a pattern does not match
    the bare suffix); empty means any public host. ``allow_loopback`` is development mode:
    plain http:// and loopback targets become reachable. Private ranges never are.
    """

    allowed_hosts: tuple[str, ...] = ()
    allow_loopback: bool = False
    resolver: Resolver = field(default=system_resolver, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = tuple(_normalise_pattern(p) for p in self.allowed_hosts)
        # Frozen for callers; normalising once here keeps every later match a plain compare.
        object.__setattr__(self, "allowed_hosts", patterns)

    def check(self, url: str | httpx.URL) -> None:
        """Raise BlockedDestination unless ``url`` is a target this policy allows."""
        parsed = parse_url(url)
        if parsed.scheme == "http" and not self.allow_loopback:
            raise BlockedDestination(f"plain http:// is refused; {DEV_MODE_HINT}", url=parsed)
        if parsed.scheme not in _DEFAULT_PORTS:
            raise BlockedDestination(
                f"only https:// URLs are allowed, not {parsed.scheme}://", url=parsed
            )
        if parsed.userinfo:
            raise BlockedDestination("credentials inside the URL are refused", url=parsed)
        host = _host(parsed)
        if not self._host_allowed(host):
            raise BlockedDestination(
                f"{host} is not an allowed host (allowed: {', '.join(self.allowed_hosts)})",
                url=parsed,
            )
        port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
        self._addresses(host, port, parsed, plain_http=parsed.scheme == "http")

    def addresses(self, host: str, port: int, *, plain_http: bool) -> list[str]:
        """The addresses ``host`` stands for, each one checked; connect only to these.

        ``plain_http`` says the connection will carry http:// in clear: then every address
        must be loopback, or a name that passed ``check`` could rebind to a public one.
        """
        return self._addresses(host, port, None, plain_http=plain_http)

    def _addresses(
        self, host: str, port: int, url: httpx.URL | None, *, plain_http: bool
    ) -> list[str]:
        try:
            found = self._checked_addresses(host, port)
            if plain_http and not all(ip_address(a).is_loopback for a in found):
                # Development mode is for local emulators: nothing goes elsewhere in clear.
                raise BlockedDestination(
                    "plain http:// is allowed only to loopback addresses, even in development mode"
                )
            return found
        except NetError as exc:
            # The connect-time path has only a host; check() knows the URL worth showing.
            exc.url = exc.url or (safe_url(url) if url is not None else None)
            raise

    def _checked_addresses(self, host: str, port: int) -> list[str]:
        name = _strip_dot(host.lower())
        literal = _literal(name)
        if literal is not None:
            found = addresses.problem(literal, allow_loopback=self.allow_loopback)
            if found is not None:
                raise BlockedDestination(f"{name} is {found}")
            return [str(literal)]
        self._check_name(name)
        try:
            resolved = self.resolver(name, port)
        except OSError as exc:
            raise TransportFailure(f"{name} could not be resolved") from exc
        if not resolved:
            raise BlockedDestination(f"{name} resolves to no address")
        for text in resolved:
            try:
                ip = ip_address(text)
            except ValueError:
                raise BlockedDestination(f"{name} resolves to something not an address") from None
            found = addresses.problem(ip, allow_loopback=self.allow_loopback)
            if found is not None:
                raise BlockedDestination(f"{name} resolves to {found} ({ip})")
        return resolved

    def _check_name(self, name: str) -> None:
        if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
            raise BlockedDestination(f"{name!r} is not a valid host name")
        if _is_localhost(name) and not self.allow_loopback:
            raise BlockedDestination(f"{name} is a loopback name; {DEV_MODE_HINT}")
        if name in _METADATA_NAMES or name.endswith(".ec2.internal"):
            raise BlockedDestination(f"{name} is a cloud metadata host")

    def _host_allowed(self, host: str) -> bool:
        if not self.allowed_hosts:
            return True
        if self.allow_loopback and _is_loopback_literal(host):
            return True
        return any(_matches(pattern, host) for pattern in self.allowed_hosts)


def parse_url(url: str | httpx.URL, *, name: str = "URL") -> httpx.URL:
    """``url`` parsed, or BlockedDestination("not a valid <name>") without echoing it.

    The standard library must read it too: connectors split URLs with urllib, and a URL two
    parsers read differently is how host checks get bypassed. The port is checked here
    because httpx accepts any integer and the failure would otherwise come at connect time.
    """
    if isinstance(url, httpx.URL):
        parsed = url
    else:
        try:
            urlsplit(url)
            parsed = httpx.URL(url)
        except (ValueError, httpx.InvalidURL):
            # The text may hold a token (a webhook's query): never repeat it.
            raise BlockedDestination(f"not a valid {name}") from None
    if parsed.port is not None and parsed.port not in PORTS:
        raise BlockedDestination(f"port {parsed.port} is out of range (1-{PORTS[-1]})", url=parsed)
    return parsed


def _host(url: httpx.URL) -> str:
    host = _strip_dot(url.raw_host.decode("ascii"))
    if not host:
        raise BlockedDestination("the URL has no host", url=url)
    return host


def _strip_dot(host: str) -> str:
    # One trailing dot is the fully qualified spelling of the same name ("localhost.").
    return host[:-1] if host.endswith(".") else host


def _literal(host: str) -> addresses.IPAddress | None:
    """The address a host spells, if it is one; refuses spellings that hide an address."""
    if ":" in host:
        if "%" in host:
            raise BlockedDestination(f"{host} carries an IPv6 zone, which is refused")
        try:
            return ip_address(host)
        except ValueError:
            raise BlockedDestination(f"{host} is not a valid IPv6 address") from None
    if not addresses.ends_in_number(host):
        return None
    try:
        return IPv4Address(host)
    except ValueError:
        pass
    legacy = addresses.legacy_ipv4(host)
    if legacy is None:
        raise BlockedDestination(f"{host} looks like an IPv4 address but is not a valid one")
    raise BlockedDestination(f"{host} is {legacy} written in a non-standard form")


def _is_localhost(name: str) -> bool:
    # RFC 6761: localhost and every name under it mean this machine.
    return name == "localhost" or name.endswith(".localhost")


def _is_loopback_literal(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        ip = ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback and (ip.version == 4 or host == "::1")


def _matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return host == pattern


def _normalise_pattern(pattern: str) -> str:
    normal = _strip_dot(pattern.strip().lower())
    body = normal[2:] if normal.startswith("*.") else normal
    if not body or "*" in body or not all(_LABEL.fullmatch(part) for part in body.split(".")):
        raise ValueError(f"not a host pattern: {pattern!r}")
    return normal
