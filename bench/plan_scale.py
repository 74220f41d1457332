"""Benchmark (issue 8, targets 2, 3 and 5): plan at scale against the simulator.

One run, on one simulator (127.0.0.1, a free port, stops by itself):

1. writes the spec of ``bench/scale.py`` (N sources, 7 lines and 3 products each) and seeds
   its history (one finished job per source, plus jobs under other names);
2. **cold plan** (target 3): ``xrt-reconcile plan`` without a lock or a cache, counting the
   requests per endpoint and checking that per-job requests went only to jobs whose names are
   in the spec; then the same again, now warm from the cache: one request;
3. builds the current lock the way a user would: ``xrt-reconcile apply --auto-approve``, which
   adopts every job and submits nothing; then removes the cache, as a fresh clone has none;
4. **warm plan** (targets 2 and 5), ``--repeat`` times: the command as a user runs it, in a
   new process (interpreter start, imports, spec load and lock read included), its wall time,
   requests and peak RSS; beside it in the same round, the bare PyYAML ``CSafeLoader`` parse of
   the same spec (read included), and a second process that times the phases (spec load, lock
   read, listOldJobs, plan, render).

Prints one line per round, the medians, and whether each target is met; ``--json`` prints the
whole result. Exit 1 if any check of correctness fails (the timing targets are reported, not
enforced: the machines are shared and noisy).

    .venv/bin/python bench/plan_scale.py [--sources 10000] [--others 500] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # bench/ is not a package

from reconciler.sim import Simulator, run_simulator
from reconciler.state.history import READ_CONCURRENCY

#: ratio targets of issue 8: warm plan at most 3x the CSafeLoader parse; RSS under 400 MB
WARM_RATIO, RSS_MB = 3.0, 400.0


@dataclass
class Cli:
    """One ``xrt-reconcile`` process: its wall time, exit code, peak RSS and output."""

    seconds: float
    code: int
    rss_mb: float
    requests: dict[str, int]
    out: str = field(repr=False)


def cli(sim: Simulator, folder: Path, *args: str) -> Cli:
    """Run ``xrt-reconcile ARGS --server <sim>`` in a new process, as a user would."""
    before = dict(sim.stats()["requests"])
    command = [sys.executable, "-m", "reconciler", *args, "--server", sim.base_url]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=folder, stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "NO_COLOR": "1"})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    after = sim.stats()["requests"]
    delta = {k: after[k] - before.get(k, 0) for k in after if after[k] != before.get(k, 0)}
    return Cli(seconds, process.returncode, usage.ru_maxrss / 1024, delta, text)


class InFlight:
    """The most requests the simulator was answering at once: wraps its ``dispatch`` (the
    instance attribute its request handler calls). A request stops counting just before its
    answer is written, since a client may send its next one as soon as it has read it."""

    def __init__(self, sim: Simulator) -> None:
        self._answer = sim.dispatch
        self._lock = threading.Lock()
        self.now = self.peak = 0
        sim.dispatch = self  # type: ignore[method-assign]

    def __call__(self, handler: Any, method: str) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        counted = [True]
        send = handler.send

        def done() -> None:
            with self._lock:
                if counted[0]:
                    counted[0] = False
                    self.now -= 1

        def answer(*args: Any, **kwargs: Any) -> None:
            done()
            send(*args, **kwargs)

        handler.send = answer
        try:
            self._answer(handler, method)
        finally:
            done()


def csafe_seconds(spec: Path) -> float:
    """The bare PyYAML C parse of the spec, reading the file included."""
    import yaml
    started = time.perf_counter()
    with open(spec, encoding="utf-8") as handle:
        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


PHASES_CODE = """
import json, sys, time
started = time.perf_counter()
from reconciler import api
from reconciler.plan.render_text import render
import reconciler.api as module
spec_path, server = sys.argv[1], sys.argv[2]
times = {"imports": time.perf_counter() - started}
t = time.perf_counter(); spec = api.load(spec_path); times["spec load"] = time.perf_counter() - t
listing = [0.0]
def timed_history(client, _real=module.history):
    t = time.perf_counter()
    try:
        return _real(client)
    finally:
        listing[0] += time.perf_counter() - t
module.history = timed_history
with api.open_session(spec, server) as session:
    t = time.perf_counter(); lock = api.read_lock(spec, session)
    times["lock read"] = time.perf_counter() - t
    t = time.perf_counter()
    plan = api.plan_in(spec, session, api.options(spec, None, False, False), lock)
    whole = time.perf_counter() - t
times["listOldJobs"] = listing[0]
times["plan"] = whole - listing[0]
t = time.perf_counter(); text = "\\n".join(line.plain for line in render(plan))
times["render"] = time.perf_counter() - t
print(json.dumps({"times": times, "changes": plan.has_changes}))
"""


def phases(spec: Path, server: str) -> dict[str, float]:
    """The warm plan's phases, timed inside a fresh process (the same calls the command
    makes; render builds the text without printing it)."""
    done = subprocess.run([sys.executable, "-c", PHASES_CODE, str(spec), server],
                          capture_output=True, text=True, check=True)
    answer = json.loads(done.stdout)
    if answer["changes"]:
        raise AssertionError("the warm plan in the phases run found changes")
    return answer["times"]


def _cached_jobs(folder: Path) -> set[int]:
    """Jobs whose parameters or statuses are in the job cache."""
    return {int(p.stem) for p in (folder / ".xrt-reconcile" / "cache").glob("*/*/*.json")}


def run(sources: int, others: int, repeat: int, folder: Path) -> dict[str, Any]:
    """The benchmark in ``folder``; the result, with ``problems`` listing failed checks."""
    problems: list[str] = []
    spec = scale.write_spec(folder, sources)
    result: dict[str, Any] = {"sources": sources, "others": others,
                              "spec_lines": spec.read_text(encoding="utf-8").count("\n")}
    with run_simulator(folder / "sim.sqlite3", **scale.simulator_options()) as sim:
        started = time.perf_counter()
        ids = scale.seed_history(sim, sources, others)
        result["history_jobs"] = len(ids)
        result["seeding_seconds"] = time.perf_counter() - started
        managed = {job for job, name in zip(ids, scale.names(sources, others))
                   if name.startswith(scale.SOURCE_PREFIX)}

        flight = InFlight(sim)
        cold = cli(sim, folder, "plan", str(spec), "--detailed-exitcode")
        result["cold"] = {"seconds": cold.seconds, "requests": cold.requests,
                          "rss_mb": cold.rss_mb, "in_flight": flight.peak}
        if flight.peak > READ_CONCURRENCY:
            problems.append(f"cold plan: {flight.peak} requests at once, more than "
                            f"{READ_CONCURRENCY}")
        per_job = {"getOldProduct.php": sources, "checkProductStatus.php": sources}
        if cold.code != 2 or cold.requests != {"listOldJobs.php": 1, **per_job}:
            problems.append(f"cold plan: exit {cold.code}, requests {cold.requests}; expected "
                            f"2 and one listOldJobs plus {per_job}")
        if f"{3 * sources} to adopt" not in cold.out:
            problems.append("cold plan: not every product adopted: " + cold.out[-300:])
        strays = _cached_jobs(folder) - managed
        if strays:
            problems.append(f"cold plan asked about {len(strays)} jobs not named in the spec")

        again = cli(sim, folder, "plan", str(spec))
        result["cold_again"] = {"seconds": again.seconds, "requests": again.requests}
        if again.requests != {"listOldJobs.php": 1} or again.out != cold.out:
            problems.append(f"second cold plan: requests {again.requests}, "
                            f"same plan: {again.out == cold.out}")

        adopt = cli(sim, folder, "apply", str(spec), "--auto-approve")
        lock = folder / "sources.lock.yaml"
        result["adopt"] = {"seconds": adopt.seconds, "requests": adopt.requests,
                           "lock_bytes": lock.stat().st_size if lock.exists() else 0}
        if adopt.code != 0 or "submit" in "".join(adopt.requests) or not lock.exists():
            problems.append(f"adopting apply: exit {adopt.code}, requests {adopt.requests}, "
                            f"lock written: {lock.exists()}: " + adopt.out[-500:])
            result["rounds"], result["problems"] = [], problems
            return result  # no current lock: no warm plan to measure
        shutil.rmtree(folder / ".xrt-reconcile" / "cache", ignore_errors=True)

        rounds = []
        for _ in range(repeat):
            parse = csafe_seconds(spec)
            warm = cli(sim, folder, "plan", str(spec), "--detailed-exitcode")
            split = phases(spec, sim.base_url)
            if warm.code != 0 or warm.requests != {"listOldJobs.php": 1} \
                    or "No changes." not in warm.out:
                problems.append(f"warm plan: exit {warm.code}, requests {warm.requests}: "
                                + warm.out[-300:])
            rounds.append({"csafe": parse, "warm": warm.seconds, "ratio": warm.seconds / parse,
                           "rss_mb": warm.rss_mb, "requests": sum(warm.requests.values()),
                           "phases": split})
        result["rounds"] = rounds
    result["problems"] = problems
    return result


def summary(result: dict[str, Any]) -> list[str]:
    """The result in lines a person reads."""
    rounds = result["rounds"]
    lines = [(f"{result['sources']} sources ({result['spec_lines']} lines), "
              f"{result['history_jobs']} jobs in history ({result['others']} under other "
              f"names), seeded in {result['seeding_seconds']:.2f} s")]
    cold, again = result["cold"], result["cold_again"]
    lines.append(f"cold plan: {cold['seconds']:.1f} s, requests {cold['requests']}, at most "
                 f"{cold['in_flight']} at once, peak RSS {cold['rss_mb']:.0f} MB; again, warm "
                 f"from the cache: "
                 f"{again['seconds']:.2f} s, requests {again['requests']}")
    lines.append(f"adopting apply (writes the lock, {result['adopt']['lock_bytes']} bytes): "
                 f"{result['adopt']['seconds']:.2f} s, requests {result['adopt']['requests']}")
    for n, r in enumerate(rounds, 1):
        split = ", ".join(f"{k} {v:.3f}" for k, v in r["phases"].items())
        lines.append(f"round {n}: csafe {r['csafe']:.3f} s, warm plan {r['warm']:.3f} s "
                     f"(x{r['ratio']:.2f}), {r['requests']} request, RSS {r['rss_mb']:.0f} MB; "
                     f"phases: {split}")
    if rounds:
        median = {k: statistics.median(r[k] for r in rounds)
                  for k in ("csafe", "warm", "ratio", "rss_mb")}
        split = {k: statistics.median(r["phases"][k] for r in rounds) for k in rounds[0]["phases"]}
        lines.append(f"median: csafe {median['csafe']:.3f} s, warm plan {median['warm']:.3f} s, "
                     f"ratio {median['ratio']:.2f} (target {WARM_RATIO}), peak RSS "
                     f"{median['rss_mb']:.0f} MB (target {RSS_MB:.0f}); phases: "
                     + ", ".join(f"{k} {v:.3f}" for k, v in split.items()))
    for problem in result["problems"]:
        lines.append(f"PROBLEM: {problem}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=500,
                        help="jobs in the history under names not in the spec")
    parser.add_argument("--repeat", type=int, default=5, help="warm plan rounds")
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xrt-plan-scale-") as tmp:
        result = run(args.sources, args.others, args.repeat, Path(tmp))
    print(json.dumps(result, indent=2) if args.json else "\n".join(summary(result)))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
