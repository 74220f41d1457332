"""The apply benchmark (bench/apply_makespan.py, issue 8 target 4) run small: 20 sources, 3
active, jobs of three poll intervals. It checks what the run did (one job per source, each in
the lock), the active limit and the request budget; not time.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "apply_makespan.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("apply_makespan", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_a_small_apply_keeps_the_limit_and_the_request_budget() -> None:
    bench = _bench()
    run = bench.measure(sources=20, max_active=3, stage=0.1, poll=0.1, timeout=120)
    assert run.problems == ()
    assert run.peak_active == 3
    batches = 7  # ceil(20 / 3)
    assert run.requests["run_userobject.php"] == 20
    # the plan reads the history once, then apply once before each batch (batches may split
    # when the machine is slow, never beyond the budget)
    assert run.requests["listOldJobs.php"] >= 1 + batches
    assert run.total_requests <= run.request_budget, (run.requests, run.makespan)
    # counts no faster than the poll interval over the whole apply
    assert run.requests["getNumJobs.php"] <= run.wall / 0.1 + 1, (run.requests, run.wall)


def test_the_benchmark_reports_a_run_that_misses_its_targets() -> None:
    bench = _bench()
    slow = bench.Run(sources=20, max_active=3, job_seconds=0.3, poll=0.1, makespan=3.0,
                     requests={"getNumJobs.php": 80, "run_userobject.php": 20}, peak_active=4,
                     wall=4.0, problems=())
    assert slow.ideal == 7 * 0.3
    assert [m.split(" ")[0] for m in slow.misses()] == ["makespan", "peak", "100"]
