"""One suite for every registered connector, run against its emulator over real HTTP.

Adding a vendor adds no test code here: a connector in the registry, an emulator in the
sandbox registry and `fixtures/<slug>/sandbox.json` are enough for all of it to run.
"""

from __future__ import annotations

from collections import Counter

import pytest

from rostersync.connectors import (
    CONNECTORS,
    AuthRevoked,
    BadPayload,
    PermissionDenied,
    ReadContext,
    Record,
    VendorUnavailable,
)
from rostersync.model import Employee, EmploymentStatus
from rostersync.sandbox import PersonStatus
from tests.conftest import TODAY
from tests.connectors.conftest import VendorSandbox


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def read(vendor: VendorSandbox, sleeps: Sleeps | None = None) -> list[Record]:
    context = ReadContext(
        credentials=vendor.config["credentials"],
        as_of=TODAY,
        base_url=vendor.base_url,
        allow_loopback=True,
        sleep=sleeps if sleeps is not None else Sleeps(),
    )
    return list(CONNECTORS[vendor.slug].read(context))


def employees(records: list[Record]) -> list[Employee]:
    return [r for r in records if isinstance(r, Employee)]


def test_everyone_is_read_once_with_unique_string_ids(vendor: VendorSandbox) -> None:
    people = vendor.company.people()
    read_back = employees(read(vendor))
    ids = [e.remote_id for e in read_back]
    assert len(ids) == len(people)
    assert len(set(ids)) == len(ids)
    assert {e.work_email for e in read_back if e.work_email} == {
        p.work_email for p in people if p.work_email
    }


def test_leavers_and_future_hires_are_present(vendor: VendorSandbox) -> None:
    expected = Counter(p.status for p in vendor.company.people())
    got = Counter(e.employment_status for e in employees(read(vendor)))
    assert got[EmploymentStatus.TERMINATED] == expected[PersonStatus.TERMINATED] > 0
    assert got[EmploymentStatus.PENDING] == expected[PersonStatus.HIRED] > 0
    if vendor.config["represents_leave"]:
        assert got[EmploymentStatus.INACTIVE] == expected[PersonStatus.ON_LEAVE] > 0


def test_ids_are_stable_across_reads(vendor: VendorSandbox) -> None:
    first = {(r.type, r.remote_id) for r in read(vendor)}
    assert first == {(r.type, r.remote_id) for r in read(vendor)}


def test_every_page_is_read(vendor: VendorSandbox) -> None:
    read(vendor)
    path = vendor.config["people_path"]
    people_requests = [r for r in vendor.faults.requests() if r[1].endswith(path)]
    assert len(people_requests) >= vendor.config["min_people_requests"]


def test_output_stays_within_the_allowlist(vendor: VendorSandbox) -> None:
    vendor.faults.leak_sensitive_fields = True
    serialised = "\n".join(r.model_dump_json() for r in read(vendor))
    for person in vendor.company.people()[:50]:
        sensitive = person.to_dict(include_sensitive=True)
        for name in ("bank_account", "personal_email", "personal_phone", "performance_note"):
            value = sensitive.get(name)
            if value:
                assert str(value) not in serialised, name


def test_401_is_auth_revoked(vendor: VendorSandbox) -> None:
    vendor.faults.revoke_credentials()
    with pytest.raises(AuthRevoked) as revoked:
        read(vendor)
    # The error carries its context for code (httpx-style), not only in its message.
    assert revoked.value.status in (400, 401)
    assert revoked.value.endpoint is not None
    assert revoked.value.endpoint.split(" ", 1)[0] in ("GET", "POST")
    assert "?" not in revoked.value.endpoint


def test_403_is_a_permission_error_naming_the_endpoint(vendor: VendorSandbox) -> None:
    vendor.faults.forbid()
    with pytest.raises(PermissionDenied, match=r"HTTP 403 to (GET|POST) /"):
        read(vendor)


def test_429_retry_after_is_honoured(vendor: VendorSandbox) -> None:
    vendor.faults.rate_limit_next(retry_after=3, path=vendor.config["people_path"])
    sleeps = Sleeps()
    assert employees(read(vendor, sleeps))
    assert 3 in sleeps


def test_a_vendor_that_stays_down_fails_the_read(vendor: VendorSandbox) -> None:
    vendor.faults.fail_next(503, times=50, path=vendor.config["people_path"])
    with pytest.raises(VendorUnavailable):
        read(vendor)


def test_a_truncated_page_fails_the_read(vendor: VendorSandbox) -> None:
    vendor.faults.truncate_next(path=vendor.config["people_path"])
    with pytest.raises(BadPayload):
        read(vendor)


@pytest.mark.parametrize("page", [0, 1])
def test_a_short_page_never_ends_the_read_early(vendor: VendorSandbox, page: int) -> None:
    """Issue 10, point 2: a page that comes back with fewer records than it should (valid
    JSON, no error) must either be read past or fail the read, never drop the people after it.

    Where the client cannot see it (one response holds everyone, or the vendor's own cursor
    moves past what it sent), sandbox.json says so in `short_pages`; there the engine's rule
    (an absence needs a second read to count) is the guard, tested in tests/engine."""
    if reason := vendor.config.get("short_pages"):
        pytest.skip(f"a short page is invisible to the client here ({reason})")
    everyone = {e.remote_id for e in employees(read(vendor))}
    vendor.faults.short_page(keep=0.2, after=page, path=vendor.config["people_path"])
    try:
        after_fault = {e.remote_id for e in employees(read(vendor))}
    except BadPayload:
        return
    assert after_fault == everyone
