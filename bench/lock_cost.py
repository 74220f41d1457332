"""Benchmark (issue 8, target 6): what recording one submission in the lock costs, by lock size.

Apply records each submission twice before it goes on: a pending record before the submit and
the attempt right after (``Ledger.pending`` and ``Ledger.accepted``), each on disk (journalled
and fsynced; the whole lock is rewritten only when the journal has grown as large as it). For
each size N it builds the current lock of N sources x 3 products (``bench/scale.py``'s spec,
every product served by an adopted job), then records one submission for every source, as an
apply that rebuilds them all would, timing each pending + accepted pair. If the cost per
submission does not grow with N, an apply of N submissions is linear, not quadratic.

Bounded: files in a temporary folder, no network. Exit 1 if the lock read back afterwards does
not hold every attempt.

    .venv/bin/python bench/lock_cost.py [--sizes 100 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # bench/ is not a package

from reconciler.plan.desired import wanted
from reconciler.plan.model import Submission
from reconciler.protocol.wire import to_payload
from reconciler.sim.directives import resolve
from reconciler.sim.jobpars import build_job_pars
from reconciler.state import lockfile
from reconciler.state.ledger import Accepted, Ledger
from reconciler.state.lock import JobRecord, JobRef, Lock, ProductRecord, SourceRecord

SERVER = "https://www.swift.ac.uk/user_objects"
SUBMITTED = "2026-12-01 12:00:00"


def current_lock(sources: int) -> Lock:
    """The lock of ``sources`` sources whose products are each served by an adopted job."""
    records, jobs = {}, {}
    for i in range(sources):
        request = scale.request(i)
        job = i + 1
        records[request.name] = SourceRecord(products={
            p: ProductRecord(serving=JobRef(job=job, fingerprint=wanted(request, p).fingerprint))
            for p in request.products})
        jobs[job] = JobRecord(name=request.name, submitted=SUBMITTED,
                              url=f"{SERVER}/tprods/USERPROD_{job}",
                              status={p: "complete" for p in request.products})
    return Lock(server=SERVER, user=scale.USER, sources=records, jobs=jobs)


def submission(i: int, job: int) -> tuple[Submission, Accepted]:
    """Source ``i``'s submission (all three products) and the server's answer to it."""
    request = scale.request(i)
    payload = to_payload(request, scale.USER)
    resolved, failure = resolve(request)
    assert failure is None, failure
    sent = Submission(request.name, tuple(request.products), payload,
                      {p: wanted(request, p).fingerprint for p in request.products})
    answer = Accepted(job, f"{SERVER}/tprods/USERPROD_{job}",
                      build_job_pars(payload, resolved, job), SUBMITTED)
    return sent, answer


def _time_scans(ledger: Ledger) -> list[float]:
    """Times of the ledger's search of all its jobs for the ones a new entry no longer uses
    (``Ledger._unreferenced``, called once per accepted submission), to show its part."""
    times: list[float] = []
    scan = ledger._unreferenced

    def timed(name: str, entry: Any) -> dict[int, None]:
        started = time.perf_counter()
        try:
            return scan(name, entry)
        finally:
            times.append(time.perf_counter() - started)

    ledger._unreferenced = timed  # type: ignore[method-assign]
    return times


def measure(sources: int, folder: Path) -> dict[str, Any]:
    """Record one submission per source into the current lock of ``sources`` sources."""
    path = folder / f"n{sources}.lock.yaml"
    lock = current_lock(sources)
    ledger = Ledger(path, lock)
    ledger.save(lock)
    scans = _time_scans(ledger)
    work = [submission(i, sources + 1 + i) for i in range(sources)]  # prepared, not timed
    costs = []
    for n, (sent, answer) in enumerate(work):
        started = time.perf_counter()
        ledger.pending(sent, sources + n)
        ledger.accepted(sent, answer)
        costs.append(time.perf_counter() - started)
    started = time.perf_counter()
    ledger.close()
    final = time.perf_counter() - started
    back = lockfile.read(path)
    missing = sum(1 for sent, answer in work
                  if back is None or any(back.sources[sent.source].products[p].attempt
                                         != JobRef(job=answer.job_id, fingerprint=f)
                                         for p, f in sent.fingerprints.items()))
    ordered = sorted(costs)
    return {
        "sources": sources, "submissions": len(costs),
        "lock_bytes": path.stat().st_size,
        "median_ms": statistics.median(costs) * 1e3,
        "mean_ms": statistics.fmean(costs) * 1e3,
        "p99_ms": ordered[int(0.99 * (len(ordered) - 1))] * 1e3,
        "max_ms": ordered[-1] * 1e3,
        "scan_mean_ms": sum(scans) / len(costs) * 1e3,
        "total_s": sum(costs), "final_fold_s": final,
        "missing": missing,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="xrt-lock-cost-") as tmp:
        for size in args.sizes:
            results.append(measure(size, Path(tmp)))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for r in results:
            print(f"{r['sources']:>6} sources ({r['lock_bytes']} bytes at the end): "
                  f"{r['submissions']} submissions, per submission median {r['median_ms']:.2f} "
                  f"ms, mean {r['mean_ms']:.2f} ms (folds included), p99 {r['p99_ms']:.2f} ms, "
                  f"max {r['max_ms']:.1f} ms; of which the scan of the lock's jobs for "
                  f"superseded ones {r['scan_mean_ms']:.2f} ms; total {r['total_s']:.2f} s, "
                  f"final fold {r['final_fold_s']:.3f} s")
        first, last = results[0], results[-1]
        rest = [r["mean_ms"] - r["scan_mean_ms"] for r in (first, last)]
        print(f"mean per submission at {last['sources']} vs {first['sources']} sources: "
              f"x{last['mean_ms'] / first['mean_ms']:.2f}; without the scan "
              f"x{rest[1] / rest[0]:.2f}")
    bad = [r for r in results if r["missing"]]
    for r in bad:
        print(f"PROBLEM: {r['missing']} of {r['submissions']} attempts missing from the lock "
              f"of {r['sources']} sources", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
