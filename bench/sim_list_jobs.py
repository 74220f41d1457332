"""Benchmark (issue 8, target 7): the simulator answers ``listOldJobs`` for a user with 10,000
jobs in under 1 s.

It seeds a history in one transaction (``reconciler.sim.seed``): N jobs of one user, a year of
submissions, four product mixes, most finished and some expired, plus a few jobs of another
user. Then it asks for the list over HTTP on loopback, ``--repeat`` times, checks every
answer is complete and newest first, and prints the median, min and max times. Bounded: one
simulator on 127.0.0.1 that stops by itself, ``--repeat`` requests. Exit 1 if an answer is
wrong.

    .venv/bin/python bench/sim_list_jobs.py [--jobs 10000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from typing import Any

import requests

from reconciler.protocol.catalogue import PRODUCTS, Endpoint
from reconciler.protocol.request import build
from reconciler.protocol.wire import to_payload
from reconciler.sim import Seed, Simulator, run_simulator, seed

USER = "bench@example.org"
OTHER = "someone.else@example.org"
YEAR = 365 * 24 * 3600.0
#: product mixes, cycled through the history
MIXES: list[dict[str, dict[str, Any]]] = [
    {"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True},
     "Spectrum": {"hasRedshift": False}, "StandardPos": {}},
    {"LightCurve": {"binMeth": "snapshot"}},
    {"AstromPos": {}, "Image": {}},
    {"Spectrum": {"hasRedshift": True, "redshift": 1.2}, "EnhancedPos": {}},
]


def payload(i: int, user: str) -> dict[str, Any]:
    """The i-th source's submission: a position and target of its own, one of the mixes."""
    request, problems = build(
        f"SRC {i:05d}",
        {"RA": round(i * 0.036, 4), "Dec": round(i * 0.0089 - 45.0, 4), "targ": f"{i:08d}",
         "centroid": True, "posErr": 1, "useSXPS": False},
        MIXES[i % len(MIXES)])
    assert problems == [], problems
    return to_payload(request, user)


def history(jobs: int, now: float) -> list[Seed]:
    """``jobs`` of USER over the past year, oldest first, the last 20 still running; and 5
    of OTHER's interleaved (they must not show)."""
    seeds = []
    for i in range(jobs):
        at = now - YEAR * (jobs - i) / jobs
        seeds.append(Seed(payload(i, USER), submitted_at=at, finished=i < jobs - 20))
        if i % max(1, jobs // 5) == 0:
            seeds.append(Seed(payload(i, OTHER), submitted_at=at, finished=True))
    return seeds


def check(jobs: list[dict[str, Any]], seeds: list[Seed], ids: list[int]) -> list[str]:
    """What is wrong with a listOldJobs answer for the seeded history (nothing: [])."""
    mine = [(job_id, s) for job_id, s in zip(ids, seeds) if s.payload["UserID"] == USER]
    expected = mine[::-1]  # newest first
    if len(jobs) != len(expected):
        return [f"{len(jobs)} jobs listed, {len(expected)} seeded"]
    wrong = []
    flags = {p.name: p.flag for p in PRODUCTS.values()}
    for entry, (job_id, s) in zip(jobs, expected):
        want = {"JobID": job_id, "Name": s.payload["name"],
                **{name: bool(s.payload.get(flag)) for name, flag in flags.items()}}
        if s.payload.get(PRODUCTS["AstromPos"].flag):
            want["StandardPos"] = True  # astrometry brings the standard position (§3.3)
        got = {k: entry.get(k) for k in want}
        if got != want:
            wrong.append(f"job {job_id}: {got} != {want}")
    expired = sum(not e["hasProd"] for e in jobs)
    if not 0 < expired < len(jobs):
        wrong.append(f"{expired} of {len(jobs)} expired: the history should mix both")
    return wrong[:5]


def old_way_seconds(sim: Simulator) -> float:
    """The listing as the simulator did it before this benchmark: every row read whole and its
    ``jobPars`` JSON-decoded (the rest, building the entries and the reply, is not counted)."""
    started = time.perf_counter()
    conn = sqlite3.connect(sim.store.path)
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM jobs WHERE user = ? ORDER BY id DESC", (USER,))
    decoded = [json.loads(row["job_pars"]) for row in rows]
    conn.close()
    assert decoded
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000, help="jobs in the user's history")
    parser.add_argument("--repeat", type=int, default=9, help="timed listOldJobs requests")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, run_simulator(
            f"{tmp}/sim.sqlite3", manual_clock=True, expire_seconds=YEAR / 2,
            max_seconds=600.0) as sim:
        seeds = history(args.jobs, sim.clock.now())
        started = time.perf_counter()
        ids = seed(sim, seeds)
        seeding = time.perf_counter() - started
        old_way = statistics.median(old_way_seconds(sim) for _ in range(3))
        url = f"{sim.base_url}/{Endpoint.LIST_JOBS}"
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = requests.post(url, json={"UserID": USER}, timeout=60)
            times.append(time.perf_counter() - started)
            problems = check(response.json()["jobs"], seeds, ids)
            if problems:
                print("wrong answer:", *problems, sep="\n  ", file=sys.stderr)
                return 1
    print(f"seeded {len(seeds)} jobs in {seeding:.2f} s; listOldJobs of {args.jobs} jobs, "
          f"{len(times)} requests, answers complete and newest first: median "
          f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}); "
          f"reading and decoding every jobPars, as before, took {old_way:.3f} s alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
