"""The limits made effective: a minute's polling against a real server, any pace on loopback,
the embedded simulator's minute in a second; and the per-minute window."""

from __future__ import annotations

from datetime import timedelta

from reconciler.apply.pace import MIN_REMOTE_POLL, Pace, RateWindow
from reconciler.spec.models import Limits


def test_a_remote_server_is_never_polled_faster_than_once_a_minute() -> None:
    fast = Limits(poll_interval=timedelta(seconds=0.2))
    assert Pace.of(fast, loopback=False).poll == MIN_REMOTE_POLL == 60.0
    assert Pace.of(Limits(poll_interval=timedelta(minutes=5)), loopback=False).poll == 300.0
    assert Pace.of(fast, loopback=True).poll == 0.2


def test_the_embedded_simulator_runs_the_limits_sixty_times_faster() -> None:
    pace = Pace.of(Limits(), loopback=True, time_scale=60.0)
    assert (pace.poll, pace.per_minute, pace.max_active) == (1.0, 360.0, 5)
    assert pace.max_per_run == 100


def test_the_window_allows_so_many_a_minute_and_no_more() -> None:
    now = [0.0]
    window = RateWindow(3, clock=lambda: now[0])
    for _ in range(3):
        assert window.delay() == 0.0
        window.record()
    assert window.delay() == 60.0
    now[0] = 59.0
    assert window.delay() == 1.0
    now[0] = 60.0
    assert window.delay() == 0.0


def test_a_fractional_rate_stretches_the_window() -> None:
    now = [0.0]
    window = RateWindow(0.5, clock=lambda: now[0])  # one every two minutes
    window.record()
    assert window.delay() == 120.0
