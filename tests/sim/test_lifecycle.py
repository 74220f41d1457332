"""Product status timelines: 1 -> 2 -> 3 -> 4, waiting, failures and cancellation."""

from __future__ import annotations

import pytest

from reconciler.sim.lifecycle import Schedule, finished_at, statuses, with_cancellations

T0, STAGE = 1000.0, 10.0


def codes(s: Schedule, at: float) -> dict[str, int]:
    return {k: v[0] for k, v in statuses(s, at).items()}


def test_each_product_moves_one_status_per_stage() -> None:
    s = Schedule(T0, STAGE, ("lc", "spec"))
    assert codes(s, T0) == {"lc": 1, "spec": 1}
    assert codes(s, T0 + 9.99) == {"lc": 1, "spec": 1}
    assert codes(s, T0 + 10) == {"lc": 2, "spec": 2}
    assert codes(s, T0 + 25) == {"lc": 3, "spec": 3}
    assert codes(s, T0 + 30) == {"lc": 4, "spec": 4}
    assert finished_at(s) == T0 + 30


def test_running_since_is_reported() -> None:
    s = Schedule(T0, STAGE, ("lc",))
    assert statuses(s, T0 + 27)["lc"] == (3, T0 + 20)


def test_fractional_stages() -> None:
    s = Schedule(T0, 0.25, ("image",))
    assert codes(s, T0 + 0.6) == {"image": 3}
    assert codes(s, T0 + 0.75) == {"image": 4}


def test_astrometry_waits_for_the_standard_position() -> None:
    s = Schedule(T0, STAGE, ("psf", "xastrom"))
    assert codes(s, T0 + 5) == {"psf": 1, "xastrom": 1}
    assert codes(s, T0 + 15) == {"psf": 2, "xastrom": 5}
    assert codes(s, T0 + 25) == {"psf": 3, "xastrom": 5}
    assert codes(s, T0 + 35) == {"psf": 4, "xastrom": 3}
    assert codes(s, T0 + 40) == {"psf": 4, "xastrom": 4}
    assert finished_at(s) == T0 + 40


def test_configured_failures_end_at_minus_three() -> None:
    s = Schedule(T0, STAGE, ("lc", "spec"), fails=frozenset({"spec"}))
    assert codes(s, T0 + 30) == {"lc": 4, "spec": -3}


def test_astrometry_fails_when_the_standard_position_fails() -> None:
    s = Schedule(T0, STAGE, ("psf", "xastrom"), fails=frozenset({"psf"}))
    assert codes(s, T0 + 29) == {"psf": 3, "xastrom": 5}
    assert codes(s, T0 + 30) == {"psf": -3, "xastrom": -3}


def test_cancel_codes_and_effect() -> None:
    s = Schedule(T0, STAGE, ("lc", "spec"), fails=frozenset())
    s1, result = with_cancellations(s, ["lc", "image"], T0 + 12)
    assert result == {"lc": 0, "image": 2}
    assert codes(s1, T0 + 12) == {"lc": -4, "spec": 2}
    assert codes(s1, T0 + 100) == {"lc": -4, "spec": 4}
    # Cancelling again, or cancelling what has finished, is code 1.
    _, again = with_cancellations(s1, ["lc", "spec"], T0 + 100)
    assert again == {"lc": 1, "spec": 1}
    assert finished_at(s1) == T0 + 30


def test_cancelling_everything_ends_the_job_at_once() -> None:
    s = Schedule(T0, STAGE, ("lc", "spec"))
    s1, result = with_cancellations(s, ["lc", "spec"], T0 + 3)
    assert result == {"lc": 0, "spec": 0}
    assert finished_at(s1) == T0 + 3


def test_cancelling_the_standard_position_fails_the_waiting_astrometry() -> None:
    s = Schedule(T0, STAGE, ("psf", "xastrom"))
    s1, result = with_cancellations(s, ["psf"], T0 + 15)
    assert result == {"psf": 0}
    assert codes(s1, T0 + 15) == {"psf": -4, "xastrom": -3}
    assert finished_at(s1) == T0 + 15


@pytest.mark.parametrize("at", [T0 - 5, T0])
def test_before_or_at_submission_everything_is_requested(at: float) -> None:
    assert set(codes(Schedule(T0, STAGE, ("lc", "xastrom", "psf")), at).values()) == {1}
