"""Wall and manual clocks."""

from __future__ import annotations

import time

import pytest

from reconciler.sim.clock import ManualClock, WallClock


def test_wall_clock_is_the_real_time() -> None:
    assert abs(WallClock().now() - time.time()) < 1.0


def test_manual_clock_moves_only_when_advanced() -> None:
    clock = ManualClock(1000.0)
    assert clock.now() == 1000.0
    assert clock.advance(2.5) == 1002.5
    assert clock.now() == 1002.5


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf")])
def test_manual_clock_only_moves_forward_by_a_finite_time(seconds: float) -> None:
    clock = ManualClock(10.0)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(seconds)
    assert clock.now() == 10.0


def test_manual_clock_starts_at_the_real_time_by_default() -> None:
    assert abs(ManualClock().now() - time.time()) < 1.0
