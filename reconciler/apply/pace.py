"""How hard apply may drive the server: the spec's ``limits`` made effective for this server,
and the sliding window that keeps submissions under the per-minute rate.

Against a server that is not this machine the poll interval is never below a minute, whatever
the spec says (the UKSSDC asks for about one); against a loopback server any value goes, so
tests can poll every 0.2 s. The embedded simulator runs its minute in a second, and the limits
are scaled to match.
"""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass
from typing import Callable

from ..spec.models import Limits

#: the UKSSDC asks for no more than one poll a minute
MIN_REMOTE_POLL = 60.0


@dataclass(frozen=True)
class Pace:
    max_active: int
    per_minute: float
    #: seconds between status or count polls
    poll: float
    max_per_run: int

    @classmethod
    def of(cls, limits: Limits, *, loopback: bool, time_scale: float = 1.0) -> Pace:
        poll = limits.poll_interval.total_seconds() / time_scale
        if not loopback:
            poll = max(poll, MIN_REMOTE_POLL)
        return cls(limits.max_active_jobs, limits.submissions_per_minute * time_scale, poll,
                   limits.max_submissions_per_run)


class RateWindow:
    """At most ``per_minute`` events in any 60 seconds."""

    def __init__(self, per_minute: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = max(1, int(per_minute))
        self.window = 60.0 * self.capacity / per_minute  # fractional rates stretch the window
        self.clock = clock
        self.times: collections.deque[float] = collections.deque()

    def delay(self) -> float:
        """Seconds to wait before the next event may happen (0 if it may now)."""
        now = self.clock()
        while self.times and now - self.times[0] >= self.window:
            self.times.popleft()
        if len(self.times) < self.capacity:
            return 0.0
        return self.window - (now - self.times[0])

    def record(self) -> None:
        self.times.append(self.clock())
