"""Time as the simulator sees it.

Job statuses are computed from timestamps, never stored, so the only thing that moves a job
forward is the clock. Tests use :class:`ManualClock` to step through the lifecycle without
sleeping; ``sim serve`` uses :class:`WallClock`.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Protocol


class Clock(Protocol):
    """Seconds since the Unix epoch (UTC), as a float."""

    def now(self) -> float: ...


class WallClock:
    """The real time."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to; thread-safe because requests read it concurrently."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward (never back: jobs would un-finish) and return the new time.

        NaN or infinity would stick for good (the time is saved across restarts)."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"the clock only moves forward by a finite time, not by {seconds} s")
        with self._lock:
            self._now += seconds
            return self._now
