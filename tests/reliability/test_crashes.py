"""Issue 9 item 2: ``kill -9`` at random moments of apply, 30 times, then a final apply: the lock
always parses, every job on the server is in the lock (or covered by the pending record of the
submission that made it), no source ever has two jobs, and the final apply leaves exactly one
job per source, each recorded.

Each trial adds three sources to the spec, so every run has submissions to be killed in. Half
the kills come at a random time after start (while starting, planning, submitting or waiting);
the other half right after the server has accepted a random number of this run's submissions,
which is when a lost record would lose a job. Seeded; about a minute.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

from commands.support import USER, cli, jobs_per_name, popen, spec_text

from reconciler.state import lockfile
from reconciler.state.lock import Lock

TRIALS = 30
ADDED = 3  # sources added to the spec by each trial
SECONDS = 20.0  # the longest one trial may wait for its moment


def submissions(sim: Any) -> int:
    return sim.stats()["submissions"].get(USER, 0)


def unrecorded(sim: Any, lock: Lock | None) -> list[tuple[int, str]]:
    """Jobs on the server that the lock neither records nor holds a pending record for (a
    pending record covers the jobs of its name above its mark: recovery looks there)."""
    missing = []
    for row in sim.store.listing(USER):
        if lock is not None and row.id in lock.jobs:
            continue
        if lock is not None and any(p.name == row.name and p.mark < row.id for p in lock.pending):
            continue
        missing.append((row.id, row.name))
    return missing


def test_kill_9_at_random_moments_never_loses_or_duplicates_a_job(
        sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = tmp_path / "spec.yaml"
    path = lockfile.lock_path(spec)
    rng = random.Random(2026)
    killed_submitting = left_pending = 0
    for trial in range(TRIALS):
        spec.write_text(spec_text(ADDED * (trial + 1), max_active=4, poll="0.05s"))
        before = submissions(sim)
        argv = ["apply", str(spec), "--server", sim.base_url, "--auto-approve"]
        process = popen(*argv, *(["--wait"] if rng.random() < 0.3 else []), cwd=tmp_path)
        try:
            if rng.random() < 0.5:
                time.sleep(rng.uniform(0.2, 3.0))
            else:
                wanted = before + rng.randint(1, ADDED)
                deadline = time.monotonic() + SECONDS
                while submissions(sim) < wanted and process.poll() is None \
                        and time.monotonic() < deadline:
                    time.sleep(0.001)
                time.sleep(rng.uniform(0.0, 0.01))
            process.send_signal(signal.SIGKILL)
        finally:
            process.communicate(timeout=30)
        lock = lockfile.read(path)  # parses (with its journal) after every kill
        assert set(jobs_per_name(sim).values()) <= {1}, (trial, jobs_per_name(sim))
        assert unrecorded(sim, lock) == [], trial
        killed_submitting += submissions(sim) > before and process.returncode == -signal.SIGKILL
        left_pending += bool(lock and lock.pending)
    # the kills did land where they matter
    assert killed_submitting >= 5 and left_pending >= 1, (killed_submitting, left_pending)

    final = cli("apply", str(spec), "--server", sim.base_url, "--auto-approve", "--wait",
                cwd=tmp_path)
    assert final.returncode == 0, final.stderr
    names = {f"SRC {i:03d}" for i in range(ADDED * TRIALS)}
    assert jobs_per_name(sim) == dict.fromkeys(names, 1)
    lock = lockfile.read(path)
    assert lock is not None and lock.pending == [] and set(lock.sources) == names
    assert {j: r.name for j, r in lock.jobs.items()} == {
        row.id: row.name for row in sim.store.listing(USER)}
    again = cli("plan", str(spec), "--server", sim.base_url, "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0, again.stdout
