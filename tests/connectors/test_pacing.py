"""A vendor's documented limits hold on the schedule of one read's requests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostersync.connectors.errors import InvalidSpec
from rostersync.connectors.pacing import Pacer, RateLimit


class Clock:
    """A clock that only the pacer's sleeps (and the test) move."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _schedule(limits: list[RateLimit], gaps: list[float]) -> list[float]:
    clock = Clock()
    pacer = Pacer(limits, clock.sleep, clock=lambda: clock.now)
    sent = []
    for gap in gaps:
        clock.now += gap
        pacer.wait()
        sent.append(clock.now)
    return sent


@given(
    st.lists(st.floats(min_value=0, max_value=2, allow_nan=False), min_size=1, max_size=120),
    st.integers(min_value=1, max_value=20),
    st.floats(min_value=0.5, max_value=30, allow_nan=False),
)
def test_no_window_ever_holds_more_requests_than_its_limit(
    gaps: list[float], requests: int, per_seconds: float
) -> None:
    limits = [RateLimit(requests, per_seconds), RateLimit(requests * 3, per_seconds * 5)]
    sent = _schedule(limits, gaps)
    for limit in limits:
        for i, start in enumerate(sent):
            within = [t for t in sent[i:] if t < start + limit.per_seconds - 1e-9]
            assert len(within) <= limit.requests


def test_requests_within_the_limit_wait_for_nothing() -> None:
    clock = Clock()
    pacer = Pacer([RateLimit(15, 1), RateLimit(300, 60)], clock.sleep, clock=lambda: clock.now)
    for _ in range(15):
        pacer.wait()
    assert clock.slept == []
    pacer.wait()  # the 16th in the same second waits out the burst limit
    assert clock.slept == [pytest.approx(1.0)]


def test_a_limit_that_is_not_positive_is_refused() -> None:
    with pytest.raises(InvalidSpec, match="not positive"):
        RateLimit(0, 60)
