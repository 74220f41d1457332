"""Pacing of apply's submissions: counts asked when this run's jobs should end, never sooner
than the poll interval, and never more jobs active than allowed.

The forecast alone, then the real scheduler against the real simulator on a clock that moves
only when the scheduler sleeps or a request is in flight: the issue 8 target 4 scenario (200
sources, 5 active, jobs of a fixed length) measured exactly, whatever the machine's load.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import pytest
from commands.support import USER, spec_text

from reconciler import api
from reconciler.apply.forecast import Forecast
from reconciler.apply.pace import Pace
from reconciler.apply.scheduler import Scheduler
from reconciler.client import Client
from reconciler.session import open_at
from reconciler.sim.lifecycle import finished_at
from reconciler.state import lockfile
from reconciler.state.ledger import Ledger

POLL = 1.0


def test_without_jobs_of_its_own_the_count_is_asked_every_interval() -> None:
    forecast = Forecast(POLL)
    assert forecast.next_count(10) is None  # nothing asked yet: ask now
    forecast.counted(5.0, 5.1, 3)  # others' jobs only
    assert forecast.next_count(10) == 6.0
    assert (forecast.low, forecast.high) == (0.0, None)


def test_counts_bound_the_job_length_from_both_sides() -> None:
    forecast = Forecast(POLL)
    forecast.counted(0.0, 0.0, 0)
    for i in range(3):  # a batch of three, sent 0.1 s apart, each answered in 0.05 s
        forecast.submitted(0.1 * i, 0.1 * i + 0.05)
    forecast.counted(1.2, 1.25, 3)  # all three still active at 1.2
    assert forecast.low == pytest.approx(1.2 - 0.05)  # the oldest started by 0.05
    assert forecast.high is None
    assert forecast.next_count(5) == pytest.approx(2.2)  # nothing known: one interval on
    forecast.counted(2.2, 2.25, 1)  # the two oldest ended by 2.25, the newest not at 2.2
    assert forecast.high == pytest.approx(2.25 - 0.1)
    assert forecast.low == pytest.approx(2.2 - 0.25)


def test_the_next_count_waits_for_the_oldest_batch_and_probes_while_it_pays() -> None:
    forecast = Forecast(POLL)
    forecast.counted(0.0, 0.0, 0)
    forecast.submitted(0.0, 0.0)
    forecast.counted(2.0, 2.0, 1)
    forecast.counted(3.0, 3.0, 0)  # 2 < length <= 3
    forecast.submitted(3.0, 3.0)
    forecast.submitted(3.1, 3.2)
    assert forecast.next_count(batches_left=10) == pytest.approx(3.2 + 2.5)  # halfway
    assert forecast.next_count(batches_left=1) == pytest.approx(3.2 + 3.0)  # not worth it
    forecast.counted(5.7, 5.7, 2)  # both still active: 2.5 < length
    assert forecast.low == pytest.approx(2.7)  # the older one started by 3.0
    # never sooner than an interval after the last count, even when the bound says sooner
    assert forecast.next_count(batches_left=1) == pytest.approx(6.7)


def test_a_contradiction_drops_the_older_bound() -> None:
    forecast = Forecast(POLL)
    forecast.counted(0.0, 0.0, 0)
    forecast.submitted(0.0, 0.0)
    forecast.counted(1.0, 1.0, 0)
    assert forecast.high == 1.0
    forecast.submitted(1.0, 1.0)
    forecast.counted(3.0, 3.0, 1)  # this one runs longer than the first took
    assert (forecast.low, forecast.high) == (2.0, None)
    assert forecast.next_count(10) == 4.0  # back to every interval until one ends again


def test_slots_freed_just_before_more_jobs_end_wait_for_them() -> None:
    forecast = Forecast(POLL)
    forecast.counted(0.0, 0.0, 0)
    forecast.submitted(0.0, 0.0)
    forecast.counted(3.0, 3.0, 0)  # length at most 3
    assert not forecast.more_due()  # none of ours left
    for i in range(3):
        forecast.submitted(3.0 + 0.01 * i, 3.0 + 0.01 * i)
    forecast.counted(6.01, 6.01, 1)  # two ended, the third is due by 6.02
    assert forecast.more_due()
    forecast.submitted(6.5, 6.5)  # had the two been filled: a batch of their own...
    forecast.counted(7.01, 7.01, 1)  # ...the third ended, this one is due by 9.5
    assert not forecast.more_due()  # not before the next count: fill the slots now
    forecast.counted(9.6, 9.6, 1)
    assert forecast.high is None  # seen running past the bound: the bound is dropped...
    assert not forecast.more_due()  # ...and nothing waits on a forecast it no longer has


class _Latency:
    """A client whose every call takes ``latency`` seconds of the simulator's clock."""

    def __init__(self, client: Client, advance: Callable[[float], Any], latency: float) -> None:
        self._client, self._advance, self._latency = client, advance, latency

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self._advance(self._latency / 2)
            try:
                return method(*args, **kwargs)
            finally:
                self._advance(self._latency / 2)
        return call


class _Quiet:
    def note(self, text: str) -> None:
        pass

    def counts(self, done: int, active: int, queued: int) -> None:
        pass


def test_200_sources_5_active_finish_near_the_ideal_with_few_counts(
        sim_factory: Any, tmp_path: Path) -> None:
    length = 2.7  # jobs of 2.7 intervals: not a whole number, so polling every interval is late
    sim = sim_factory(manual_clock=True, job_seconds=length / 3, max_queued=10)
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(200))
    spec = api.load(path)
    session = open_at(path, sim.base_url, USER)
    plan = api.plan_in(spec, session, api.options(spec, None, False, False))
    before = dict(sim.stats()["requests"])
    pace = Pace(max_active=5, per_minute=6000, poll=POLL, max_per_run=1000)
    ledger = Ledger(lockfile.lock_path(path), plan.lock)
    with Client(sim.base_url, USER) as client:
        outcome = Scheduler(_Latency(client, sim.advance, 0.01), ledger, None, pace, plan.mark,
                            _Quiet(), clock=sim.clock.now, sleep=sim.advance
                            ).run(list(plan.submissions))
    ledger.close()
    assert len(outcome.submitted) == 200 and not outcome.left and outcome.error is None

    jobs = [sim.store.job(row.id) for row in sim.store.listing(USER)]
    makespan = max(finished_at(j.schedule) for j in jobs) - min(j.submitted_at for j in jobs)
    ideal = math.ceil(200 / 5) * length
    stats = sim.stats()
    requests = {k: v - before.get(k, 0) for k, v in stats["requests"].items()}
    assert stats["peak_active"][USER] == 5
    assert makespan <= 1.15 * ideal, (makespan, ideal)
    assert sum(requests.values()) <= 200 + makespan / POLL + 20, requests
    # about one count a batch once the length is learnt (the first batch asks every interval)
    assert requests["getNumJobs.php"] <= 40 + 10, requests
    assert requests["listOldJobs.php"] == 40, requests  # the history read once a batch
