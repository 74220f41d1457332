"""Benchmark (issue 8, target 4): apply of 200 sources under ``max_active_jobs: 5`` against
jobs of fixed length T finishes within 1.15x the ideal ``ceil(200/5) x T``, never has more than
5 jobs active, and makes at most ``200 + makespan/poll_interval + 20`` HTTP requests.

Each run starts a fresh simulator on 127.0.0.1 (stages of ``--stage`` seconds: a light curve
and a standard position each take three stages, so T = 3 x stage), writes a spec of
``--sources`` sources with explicit positions, and runs ``python -m reconciler apply`` in a
process of its own (without ``--wait``: apply ends after its last submission). Then it reads
the simulator: the makespan runs from the first job's submission to the last job's end on the
simulator's clock, so process start-up and planning are not counted; requests are every
request the simulator served (the plan's included); peak active is the simulator's own count.
It also checks that each source has exactly one job and that the lock records each.

Bounded: ``--repeat`` runs, each apply killed after ``--timeout`` seconds; the simulator stops
by itself. Exit 1 when a run is wrong (a duplicate, a job missing from the lock, apply failed);
exit 2 when a target is missed.

    .venv/bin/python bench/apply_makespan.py [--sources 200] [--max-active 5] [--stage 1.0]
        [--poll 1.0] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from reconciler.sim import run_simulator
from reconciler.sim.lifecycle import finished_at
from reconciler.state import lockfile

USER = "bench@example.org"
ROOT = Path(__file__).resolve().parents[1]
#: products each source asks for: both run three stages, so every job lasts 3 x stage
STAGES_PER_JOB = 3


def spec_text(sources: int, max_active: int, poll: float) -> str:
    """``sources`` sources with explicit positions; the submission rate is set high enough
    never to be what limits the run (5 jobs per T), so the active limit is measured."""
    lines = [
        "version: 1", f"user: {USER}", "limits:", f"  max_active_jobs: {max_active}",
        "  submissions_per_minute: 6000", f"  poll_interval: {poll:g}s",
        f"  max_submissions_per_run: {max(sources, 100)}",
        "defaults: {centroid: false, useSXPS: false}", "sources:",
    ]
    for i in range(sources):
        lines.append(f"  SRC {i:04d}: {{RA: {(i * 1.7) % 360:.2f}, Dec: {(i % 170) - 85}.5, "
                     f"targ: '{i:08d}', LightCurve: {{binMeth: snapshot}}, StandardPos: {{}}}}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Run:
    """One apply, as the simulator saw it."""

    sources: int
    max_active: int
    job_seconds: float
    poll: float
    makespan: float
    requests: dict[str, int]
    peak_active: int
    wall: float
    problems: tuple[str, ...]

    @property
    def ideal(self) -> float:
        return math.ceil(self.sources / self.max_active) * self.job_seconds

    @property
    def ratio(self) -> float:
        return self.makespan / self.ideal

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def request_budget(self) -> float:
        return self.sources + self.makespan / self.poll + 20

    def misses(self) -> list[str]:
        """The targets this run missed (none: [])."""
        out = []
        if self.ratio > 1.15:
            out.append(f"makespan {self.ratio:.3f}x the ideal (target 1.15x)")
        if self.peak_active > self.max_active:
            out.append(f"peak active {self.peak_active} > {self.max_active}")
        if self.total_requests > self.request_budget:
            out.append(f"{self.total_requests} requests > budget {self.request_budget:.0f}")
        return out


def measure(sources: int = 200, max_active: int = 5, stage: float = 1.0, poll: float = 1.0,
            timeout: float = 900.0, latency: float = 0.0) -> Run:
    """One run in a temporary folder against a fresh simulator."""
    with tempfile.TemporaryDirectory() as tmp, run_simulator(
            Path(tmp) / "sim.sqlite3", job_seconds=stage, latency=latency,
            max_queued=max_active + 5, max_seconds=timeout + 60) as sim:
        spec = Path(tmp) / "spec.yaml"
        spec.write_text(spec_text(sources, max_active, poll))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("XRT_USER", None)
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "reconciler", "apply", str(spec), "--server", sim.base_url,
             "--auto-approve"], cwd=tmp, env=env, capture_output=True, text=True,
            timeout=timeout)
        wall = time.monotonic() - started
        stats = sim.stats()
        listing = sim.store.listing(USER)
        problems = check(done, listing, spec, sources)
        jobs = [sim.store.job(row.id) for row in listing]
        starts = [job.submitted_at for job in jobs if job]
        ends = [finished_at(job.schedule) for job in jobs if job]
        makespan = max(ends) - min(starts) if jobs else math.inf
        return Run(sources, max_active, STAGES_PER_JOB * stage, poll, makespan,
                   dict(stats["requests"]), stats["peak_active"].get(USER, 0), wall,
                   tuple(problems))


def check(done: subprocess.CompletedProcess[str], listing: list, spec: Path,
          sources: int) -> list[str]:
    """What is wrong with a run's outcome (nothing: [])."""
    problems = []
    if done.returncode != 0:
        problems.append(f"apply exited {done.returncode}: {done.stderr.strip()[-500:]}")
    names = [row.name for row in listing]
    if sorted(names) != [f"SRC {i:04d}" for i in range(sources)]:
        problems.append(f"{len(names)} jobs for {len(set(names))} names, want one per source")
    lock = lockfile.read(lockfile.lock_path(spec))
    recorded = set(lock.jobs) if lock else set()
    missing = sorted({row.id for row in listing} - recorded)
    if missing:
        problems.append(f"jobs not in the lock: {missing[:10]}")
    return problems


def row(index: str, run: Run) -> str:
    return (f"| {index} | {run.makespan:.1f} s | {run.ratio:.3f} | {run.total_requests} "
            f"(budget {run.request_budget:.0f}) | {run.peak_active} | "
            f"{run.requests.get('getNumJobs.php', 0)} | "
            f"{run.requests.get('listOldJobs.php', 0)} | {run.wall:.1f} s |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--max-active", type=int, default=5)
    parser.add_argument("--stage", type=float, default=1.0,
                        help="seconds per job stage; T = 3 x stage (default 1.0: T = 3 s)")
    parser.add_argument("--poll", type=float, default=1.0, help="poll_interval in seconds")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the simulator adds to each request")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0,
                        help="seconds one apply may take before it is killed")
    args = parser.parse_args(argv)
    runs = []
    print(f"{args.sources} sources, max_active_jobs {args.max_active}, T = "
          f"{STAGES_PER_JOB * args.stage:g} s, poll_interval {args.poll:g} s, latency "
          f"{args.latency:g} s; ideal makespan "
          f"{math.ceil(args.sources / args.max_active) * STAGES_PER_JOB * args.stage:g} s")
    print("| run | makespan | / ideal | requests | peak active | getNumJobs | listOldJobs "
          "| apply wall time |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for i in range(args.repeat):
        run = measure(args.sources, args.max_active, args.stage, args.poll, args.timeout,
                      args.latency)
        runs.append(run)
        print(row(str(i + 1), run), flush=True)
        if run.problems:
            print("wrong:", *run.problems, sep="\n  ", file=sys.stderr)
            return 1
    median = statistics.median(r.ratio for r in runs)
    print(f"median makespan / ideal {median:.3f}; median requests "
          f"{statistics.median(r.total_requests for r in runs):g}; max peak active "
          f"{max(r.peak_active for r in runs)}")
    missed = [f"run {i + 1}: {m}" for i, r in enumerate(runs) for m in r.misses()]
    if missed:
        print("targets missed:", *missed, sep="\n  ")
        return 2
    print("targets met in every run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
