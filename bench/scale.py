"""Large specs and matching histories for the plan benchmarks (issue 8, targets 2, 3, 5, 6).

A spec of N sources, 7 lines a source and 3 products each (a light curve, a spectrum and the
standard position, with parameters varying from source to source), and the history that makes
it current: one finished job per source, submitted over the past year with exactly what the
spec asks for, plus a few jobs under names the spec does not manage. The history is recorded
with the simulator's bulk seeding (``reconciler.sim.seed``), not over HTTP; ``bench/plan_scale.py``
then builds the current lock as a user without one would: an apply that adopts every job.

    .venv/bin/python bench/scale.py OUT_DIR [--sources 10000] [--others 500]

writes ``OUT_DIR/sources.yaml`` and prints its size; the benchmarks import the functions.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from reconciler.protocol.request import Request, build
from reconciler.protocol.wire import to_payload
from reconciler.sim import Seed, Simulator, seed

USER = "bench@example.org"
YEAR = 365 * 24 * 3600.0
#: the simulator keeps products this long: the whole history is still held
EXPIRE_SECONDS = 2 * YEAR
PRODUCTS = ("LightCurve", "Spectrum", "StandardPos")

HEAD = f"""\
version: 1
user: {USER}
limits: {{max_active_jobs: 5, submissions_per_minute: 6}}
defaults:
  centroid: true
  posErr: 1
  useSXPS: false
  LightCurve: {{wtCounts: 30, dynamic: true}}
sources:
"""


SOURCE_PREFIX = "SRC "


def name(i: int) -> str:
    return f"{SOURCE_PREFIX}{i:05d}"


def other_name(i: int) -> str:
    return f"OTHER {i:04d}"


def _light_curve(i: int) -> dict[str, Any]:
    return {"binMeth": "counts", "pcCounts": 20 + i % 5 * 5} if i % 4 else {"binMeth": "snapshot"}


def _spectrum(i: int) -> dict[str, Any]:
    return {"hasRedshift": True, "redshift": round(0.1 + i % 30 * 0.05, 2)} if i % 7 == 0 \
        else {"hasRedshift": False}


def _flow(table: dict[str, Any]) -> str:
    """A product table as one YAML flow mapping."""
    words = {True: "true", False: "false"}
    return "{" + ", ".join(f"{k}: {words.get(v, v) if isinstance(v, bool) else v}"
                           for k, v in table.items()) + "}"


def _position(i: int) -> tuple[float, float, str]:
    return round(i * 0.036 % 360, 4), round((i * 0.0089) % 170 - 85.0, 4), f"{i + 1:08d}"


def source_lines(i: int) -> list[str]:
    """The 7 lines of source ``i``: its name, RA, Dec, targ and its three products."""
    ra, dec, targ = _position(i)
    return [f"  {name(i)}:", f"    RA: {ra}", f"    Dec: {dec}", f'    targ: "{targ}"',
            f"    LightCurve: {_flow(_light_curve(i))}",
            f"    Spectrum: {_flow(_spectrum(i))}",
            "    StandardPos: {}"]


def spec_text(sources: int) -> str:
    return HEAD + "".join(line + "\n" for i in range(sources) for line in source_lines(i))


def write_spec(folder: Path, sources: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sources.yaml"
    path.write_text(spec_text(sources), encoding="utf-8")
    return path


def request(i: int) -> Request:
    """Source ``i``'s request as the spec's loader builds it (defaults merged)."""
    ra, dec, targ = _position(i)
    built, problems = build(
        name(i), {"RA": ra, "Dec": dec, "targ": targ, "centroid": True, "posErr": 1,
                  "useSXPS": False},
        {"LightCurve": {"wtCounts": 30, "dynamic": True, **_light_curve(i)},
         "Spectrum": _spectrum(i), "StandardPos": {}})
    assert problems == [], problems
    return built


def _other(i: int) -> Request:
    built, problems = build(other_name(i), {"RA": 10.0, "Dec": 20.0, "targ": "00099999",
                                              "centroid": True, "posErr": 1, "useSXPS": False},
                            {"LightCurve": {"binMeth": "snapshot"}})
    assert problems == [], problems
    return built


def _order(sources: int, others: int) -> list[tuple[bool, int]]:
    """(in the spec?, index) of each job, oldest first: the others spread among the sources'."""
    every = (sources + others) // others if others else 0
    order: list[tuple[bool, int]] = []
    done = [0, 0]
    for n in range(sources + others):
        other = others > 0 and done[1] < others and (n % every == 0 or done[0] == sources)
        order.append((not other, done[other]))
        done[other] += 1
    return order


def names(sources: int, others: int) -> list[str]:
    """The job names of the history, oldest first (the order :func:`seeds` records them in)."""
    return [name(i) if mine else other_name(i) for mine, i in _order(sources, others)]


def seeds(sources: int, others: int, now: float) -> list[Seed]:
    """One finished job per source, over the past year, and ``others`` under names not in the
    spec among them; oldest first."""
    order = _order(sources, others)
    return [Seed(to_payload(request(i) if mine else _other(i), USER),
                 submitted_at=now - YEAR * (len(order) - n) / len(order), finished=True)
            for n, (mine, i) in enumerate(order)]


def seed_history(sim: Simulator, sources: int, others: int) -> list[int]:
    """Record the history in ``sim`` (one transaction); the job ids, oldest first."""
    return seed(sim, seeds(sources, others, sim.clock.now()))


def simulator_options() -> dict[str, Any]:
    """What the benchmarks' simulator is started with: a manual clock (the history does not
    age while they run) and products kept for the whole history."""
    return {"manual_clock": True, "expire_seconds": EXPIRE_SECONDS, "max_seconds": 3600.0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write sources.yaml into")
    parser.add_argument("--sources", type=int, default=10_000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    path = write_spec(args.out, args.sources)
    text = path.read_text(encoding="utf-8")
    print(f"{path}: {args.sources} sources, {text.count(chr(10))} lines, {len(text)} bytes "
          f"({time.perf_counter() - started:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
