from __future__ import annotations

from collections.abc import Callable

import pytest

from rostersync.errors import Retryable, Terminal
from rostersync.net import BlockedDestination, HostGuard, TransportFailure


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host} is an address literal and must not be looked up")


def resolves_to(*addresses: str) -> Callable[[str, int], list[str]]:
    def resolver(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolver


PUBLIC = resolves_to("93.184.216.34")
STRICT = HostGuard(resolver=no_dns)
DEV = HostGuard(allow_loopback=True, resolver=no_dns)

# Each one reaches an internal service on a naive client.
BYPASSES = [
    "https://127.0.0.1/",
    "https://2130706433/",  # decimal
    "https://017700000001/",  # octal, one part
    "https://0x7f000001/",  # hex, one part
    "https://0x7f.1/",  # hex and short form
    "https://0177.0.0.1/",  # octal first octet
    "https://127.1/",
    "https://0/",
    "https://0.0.0.0/",
    "https://[::]/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::ffff:a9fe:a9fe]/",  # 169.254.169.254
    "https://[::ffff:10.0.0.1]/",
    "https://[64:ff9b::a9fe:a9fe]/",  # NAT64
    "https://[2002:a9fe:a9fe::]/",  # 6to4
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",  # Teredo
    "https://[::127.0.0.1]/",  # IPv4-compatible
    "https://[fe80::1%25eth0]/",
    "https://api.hibob.com@127.0.0.1/",
    "https://api.hibob.com\\@127.0.0.1/",
    "https://127.0.0.1%2f@api.hibob.com/",
    "https://127\u30020\u30020\u30021/",  # ideographic full stops
    "https://0X7F.1/",
    "https://[0:0:0:0:0:ffff:7f00:1]/",
    "https://api.hibob.com:secret@10.0.0.1/",
    "https://localhost/",
    "https://localhost./",
    "https://LOCALHOST/",
    "https://app.localhost/",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/",
    "https://100.100.100.200/",
    "https://168.63.129.16/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://metadata.google.internal./",
    "https://10.1.2.3/",
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",  # shared address space
    "https://224.0.0.1/",
    "https://[ff02::1]/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://[fc00::1]/",
    "https://[fec0::1]/",
    "https://198.18.0.1/",  # benchmarking
    "https://1.2.3.4.5/",
    "https://999.0.0.1/",
    "https://a..example.com/",
    "https://ex%61mple.com/",
    "https:///path-only",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL",
]


@pytest.mark.parametrize("url", BYPASSES)
def test_classic_bypasses_are_blocked(url: str) -> None:
    with pytest.raises(BlockedDestination):
        STRICT.check(url)


# Development mode opens plain loopback, never a disguised one or anything else internal.
STILL_BLOCKED_IN_DEV = [
    "http://2130706433/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://api.hibob.com@127.0.0.1/",
    "http://169.254.169.254/",
    "http://10.0.0.1/",
    "http://0.0.0.0/",
    "http://[::]/",
]


@pytest.mark.parametrize("url", STILL_BLOCKED_IN_DEV)
def test_development_mode_still_blocks_everything_but_plain_loopback(url: str) -> None:
    with pytest.raises(BlockedDestination):
        DEV.check(url)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/api", "http://127.9.9.9/", "http://[::1]:8080/", "https://[::1]/"],
)
def test_development_mode_allows_loopback_literals(url: str) -> None:
    DEV.check(url)


def test_development_mode_allows_localhost_when_it_resolves_to_loopback() -> None:
    HostGuard(allow_loopback=True, resolver=resolves_to("127.0.0.1", "::1")).check(
        "http://localhost:8000/"
    )


def test_plain_http_is_refused_with_a_hint_for_development() -> None:
    with pytest.raises(BlockedDestination, match="ROSTERSYNC_ALLOW_LOOPBACK=1") as caught:
        HostGuard(resolver=PUBLIC).check("http://api.hibob.com/v1/people")
    assert caught.value.code == "blocked_destination"


def test_dns_name_resolving_to_loopback_is_blocked() -> None:
    guard = HostGuard(resolver=resolves_to("127.0.0.1"))
    with pytest.raises(BlockedDestination, match=r"evil\.example resolves to a loopback"):
        guard.check("https://evil.example/")


def test_every_resolved_address_is_checked() -> None:
    guard = HostGuard(resolver=resolves_to("93.184.216.34", "2606:2800::1", "10.0.0.7"))
    with pytest.raises(BlockedDestination, match=r"private address \(10\.0\.0\.7\)"):
        guard.check("https://api.example/")


@pytest.mark.parametrize(
    "answer", ["169.254.169.254", "::ffff:169.254.169.254", "fd00:ec2::254", "100.64.1.1"]
)
def test_names_resolving_to_metadata_or_shared_addresses_are_blocked(answer: str) -> None:
    with pytest.raises(BlockedDestination):
        HostGuard(resolver=resolves_to(answer)).check("https://api.example/")


def test_private_resolution_is_blocked_even_in_development_mode() -> None:
    guard = HostGuard(allow_loopback=True, resolver=resolves_to("192.168.0.10"))
    with pytest.raises(BlockedDestination, match="private"):
        guard.check("http://vendor.test/")


def test_development_mode_allows_names_resolving_to_loopback() -> None:
    HostGuard(allow_loopback=True, resolver=resolves_to("127.0.0.1")).check("http://vendor.test/")


def test_public_names_and_addresses_pass() -> None:
    HostGuard(resolver=PUBLIC).check("https://api.hibob.com/v1/people?limit=5")
    STRICT.check("https://93.184.216.34/")
    STRICT.check("https://[2606:4700:4700::1111]/")
    STRICT.check("https://[::ffff:93.184.216.34]/")


def test_unresolvable_host_is_a_retryable_transport_failure() -> None:
    def broken(host: str, port: int) -> list[str]:
        raise OSError("temporary failure in name resolution")

    with pytest.raises(TransportFailure, match="could not be resolved") as caught:
        HostGuard(resolver=broken).check("https://api.example/")
    assert isinstance(caught.value, Retryable)


def test_empty_or_garbage_resolution_is_blocked() -> None:
    with pytest.raises(BlockedDestination, match="no address"):
        HostGuard(resolver=resolves_to()).check("https://api.example/")
    with pytest.raises(BlockedDestination, match="not an address"):
        HostGuard(resolver=resolves_to("not-an-ip")).check("https://api.example/")


def test_resolver_gets_host_without_trailing_dot_and_the_effective_port() -> None:
    calls: list[tuple[str, int]] = []

    def recording(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["93.184.216.34"]

    guard = HostGuard(resolver=recording)
    guard.check("https://API.Example.com./")
    guard.check("https://api.example.com:8443/")
    assert calls == [("api.example.com", 443), ("api.example.com", 8443)]


WORKDAY = HostGuard(allowed_hosts=("*.myworkday.com", "api.hibob.com"), resolver=PUBLIC)


@pytest.mark.parametrize(
    "url",
    [
        "https://wd3-impl-services1.myworkday.com/ccx/service/acme",
        "https://WD5-Services1.MyWorkday.com/",
        "https://wd3.myworkday.com./",
        "https://a.b.myworkday.com/",
        "https://api.hibob.com/v1/people",
        "https://api.hibob.com:443/",
    ],
)
def test_allowed_host_patterns_match(url: str) -> None:
    WORKDAY.check(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://myworkday.com.evil.io/",
        "https://evilmyworkday.com/",
        "https://myworkday.com/",
        "https://www.hibob.com/",
        "https://api.hibob.com.evil.io/",
        "https://myworkday.com@evil.io/",
        "https://127.0.0.1/",
    ],
)
def test_hosts_outside_the_patterns_are_blocked(url: str) -> None:
    with pytest.raises(BlockedDestination):
        WORKDAY.check(url)


def test_allowed_host_that_resolves_privately_is_still_blocked() -> None:
    guard = HostGuard(allowed_hosts=("*.myworkday.com",), resolver=resolves_to("10.0.0.1"))
    with pytest.raises(BlockedDestination, match="private"):
        guard.check("https://wd3.myworkday.com/")


def test_loopback_literals_bypass_the_patterns_only_in_development_mode() -> None:
    dev = HostGuard(
        allowed_hosts=("*.myworkday.com",),
        allow_loopback=True,
        resolver=resolves_to("127.0.0.1"),
    )
    dev.check("http://127.0.0.1:8123/ccx/service/acme")
    dev.check("http://[::1]:8123/")
    dev.check("http://localhost:8123/")
    with pytest.raises(BlockedDestination, match="not an allowed host"):
        dev.check("http://vendor.test/")


def test_patterns_are_normalised() -> None:
    guard = HostGuard(allowed_hosts=(" *.MyWorkday.com. ", "API.hibob.com"))
    assert guard.allowed_hosts == ("*.myworkday.com", "api.hibob.com")


@pytest.mark.parametrize(
    "pattern", ["", "*", "*.", "a.*.com", "**.x.com", "http://x.com", "x..com"]
)
def test_bad_patterns_are_rejected(pattern: str) -> None:
    with pytest.raises(ValueError, match="not a host pattern"):
        HostGuard(allowed_hosts=(pattern,))


def test_refusals_never_show_credentials_or_query_strings() -> None:
    url = "https://svc-user:s3cret-pw@10.0.0.1/v1/people?api_key=TOPSECRET#frag"
    for guard in (STRICT, DEV, WORKDAY):
        with pytest.raises(BlockedDestination) as caught:
            guard.check(url)
        shown = f"{caught.value} {caught.value.url}"
        for secret in ("s3cret-pw", "svc-user", "TOPSECRET", "api_key", "frag"):
            assert secret not in shown


def test_refusal_carries_the_safe_url() -> None:
    with pytest.raises(BlockedDestination) as caught:
        STRICT.check("https://[::ffff:127.0.0.1]:8443/admin?x=1")
    assert caught.value.url == "https://[::ffff:127.0.0.1]:8443/admin"
    assert isinstance(caught.value, Terminal)


def test_addresses_returns_only_checked_addresses() -> None:
    guard = HostGuard(resolver=resolves_to("93.184.216.34", "2606:2800::1"))
    assert guard.addresses("api.example", 443, plain_http=False) == [
        "93.184.216.34",
        "2606:2800::1",
    ]
    assert STRICT.addresses("93.184.216.34", 443, plain_http=False) == ["93.184.216.34"]
    with pytest.raises(BlockedDestination):
        STRICT.addresses("2130706433", 443, plain_http=False)


def test_addresses_for_plain_http_must_all_be_loopback_even_in_development_mode() -> None:
    guard = HostGuard(allow_loopback=True, resolver=resolves_to("127.0.0.1", "93.184.216.34"))
    assert guard.addresses("vendor.test", 80, plain_http=False) == ["127.0.0.1", "93.184.216.34"]
    with pytest.raises(BlockedDestination, match="only to loopback"):
        guard.addresses("vendor.test", 80, plain_http=True)


@pytest.mark.parametrize("port", ["0", "65536", "99999", "99999999999999999999"])
def test_ports_outside_1_to_65535_are_refused(port: str) -> None:
    with pytest.raises(BlockedDestination, match=f"port {port} is out of range"):
        HostGuard(resolver=PUBLIC).check(f"https://hooks.example:{port}/h?token=s3cr3t")


def test_the_last_port_is_allowed() -> None:
    HostGuard(resolver=PUBLIC).check("https://hooks.example:65535/h")


@pytest.mark.parametrize(
    "url",
    ["http://[::1", "https://[::1]x/", "https://a]b/", "https://[1.2.3.4]/", "https://x\uff03y/"],
)
def test_malformed_urls_are_refused_without_being_echoed(url: str) -> None:
    with pytest.raises(BlockedDestination) as caught:
        DEV.check(url + "?token=s3cr3t")
    assert str(caught.value) == "not a valid URL"
    assert caught.value.url is None
