"""A vendor's documented request limits, kept by spacing one read's requests.

Waiting before a request is cheaper than a 429: some vendors answer it without Retry-After
(Personio, Deel), and a read of a thousand people that trips the limit on every page waits
longer than one that keeps under it. Limits are per read; a vendor's per-IP limit shared by
every tenant behind one egress address is beyond what one read can see.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rostersync.connectors.errors import InvalidSpec


@dataclass(frozen=True)
class RateLimit:
    requests: int
    per_seconds: float

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per_seconds <= 0:
            raise InvalidSpec(f"rate limit {self.requests}/{self.per_seconds}s is not positive")


class Pacer:
    """Sleeps before a request that would exceed any of the limits within its window.

    Times are the clock's, or the time a request was let go when that is later: with a sleep
    that does not pass real time (tests), the spacing still holds on the schedule.
    """

    def __init__(
        self,
        limits: Sequence[RateLimit],
        sleep: Callable[[float], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = tuple(limits)
        self._horizon = max((limit.per_seconds for limit in self._limits), default=0.0)
        self._sent: deque[float] = deque()
        self._sleep = sleep
        self._clock = clock

    def wait(self) -> None:
        if not self._limits:
            return
        now = max(self._clock(), self._sent[-1] if self._sent else 0.0)
        while self._sent and self._sent[0] <= now - self._horizon:
            self._sent.popleft()
        delay = 0.0
        for limit in self._limits:
            recent = [sent for sent in self._sent if sent > now - limit.per_seconds]
            if len(recent) >= limit.requests:
                delay = max(delay, recent[-limit.requests] + limit.per_seconds - now)
        if delay > 0:
            self._sleep(delay)
        self._sent.append(now + delay)
