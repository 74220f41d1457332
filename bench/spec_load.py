"""Benchmark (issue 8, target 1): loading and validating a 10,000-source spec takes at most 2x
the time PyYAML's C ``CSafeLoader`` needs just to parse the same file.

It writes a spec as a new user would (7 lines a source: the name, RA, Dec, targ and three
product blocks, with defaults), then, ``--repeat`` times and in the same run, times:

- ``csafe``: reading the file and ``yaml.load(..., Loader=yaml.CSafeLoader)``, nothing else;
- ``load``: ``reconciler.spec.load(path)`` in this process (read, check, merge, request rules);
- ``validate``: ``xrt-reconcile validate SPEC`` as its own process (interpreter start and
  imports included), checking its exit code and its one line of output.

Each repetition runs the three back to back, so its ratios compare times measured moments
apart on a noisy machine; the medians of the times and of the ratios are printed. It also
checks the result: as many sources as written, each request as the generator meant it, and
(``--located``, once, slow) the same LoadedSpec from the located reader alone. Exit 1 if a
check fails.

    .venv/bin/python bench/spec_load.py [--sources 10000] [--repeat 5] [--located]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from reconciler import spec
from reconciler.protocol.request import Request, build

USER = "bench@example.org"
HEAD = f"""\
# yaml-language-server: $schema=../schemas/spec.schema.json
version: 1
user: {USER}
defaults:
  centroid: true
  posErr: 1
  useSXPS: false
  LightCurve: {{binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}}
  Spectrum: {{hasRedshift: false}}
sources:
"""
#: the product blocks the sources cycle through, as written and as dictionaries
LIGHT_CURVES = (("{}", {}), ("{pcCounts: 25}", {"pcCounts": 25}),
                ("{binMeth: snapshot}", {"binMeth": "snapshot"}),
                ("{binMeth: counts, pcCounts: 40}", {"binMeth": "counts", "pcCounts": 40}))
SPECTRA = (("{}", {}), ("{hasRedshift: true, redshift: 0.5}", {"hasRedshift": True,
                                                               "redshift": 0.5}),
           ('{grades: "0"}', {"grades": "0"}))
DEFAULT_GLOBALS = {"centroid": True, "posErr": 1, "useSXPS": False}
DEFAULT_LIGHT_CURVE = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}
DEFAULT_SPECTRUM = {"hasRedshift": False}


def _position(i: int) -> tuple[float, float, str]:
    return round(i * 0.036 % 360, 4), round(i * 0.0089 % 170 - 85, 4), f"{i + 1:08d}"


def source_lines(i: int) -> list[str]:
    """Source ``i`` in 7 lines, its position, target and product blocks varying with ``i``."""
    ra, dec, targ = _position(i)
    return [
        f"  SRC {i:05d}:",
        f"    RA: {ra}",
        f"    Dec: {dec}",
        f'    targ: "{targ}"',
        f"    LightCurve: {LIGHT_CURVES[i % len(LIGHT_CURVES)][0]}",
        f"    Spectrum: {SPECTRA[i % len(SPECTRA)][0]}",
        "    StandardPos: {}",
    ]


def spec_text(sources: int) -> str:
    return HEAD + "".join(line + "\n" for i in range(sources) for line in source_lines(i))


def expected(i: int) -> Request:
    """Source ``i``'s request, merged here by hand and judged by the request rules alone."""
    ra, dec, targ = _position(i)
    request, problems = build(
        f"SRC {i:05d}", {**DEFAULT_GLOBALS, "RA": ra, "Dec": dec, "targ": targ},
        {"LightCurve": {**DEFAULT_LIGHT_CURVE, **LIGHT_CURVES[i % len(LIGHT_CURVES)][1]},
         "Spectrum": {**DEFAULT_SPECTRUM, **SPECTRA[i % len(SPECTRA)][1]},
         "StandardPos": {}})
    assert problems == [], problems
    return request


def problems_in(loaded: spec.LoadedSpec, sources: int) -> list[str]:
    """What is wrong with the loaded spec, checked against the generator."""
    found = []
    if len(loaded.sources) != sources:
        found.append(f"{len(loaded.sources)} sources loaded, {sources} written")
    for i, source in enumerate(loaded.sources.values()):
        if source.request != expected(i):
            found.append(f"source {i}: {source.request} instead of {expected(i)}")
        if len(found) > 5:
            break
    return found


def csafe_seconds(path: Path) -> float:
    started = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        yaml.load(handle, Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def load_seconds(path: Path) -> tuple[float, spec.LoadedSpec]:
    started = time.perf_counter()
    loaded = spec.load(path)
    return time.perf_counter() - started, loaded


def validate_seconds(path: Path, sources: int) -> tuple[float, str | None]:
    """The command as a user runs it; the time, and what is wrong with its answer (or None)."""
    command = [sys.executable, "-m", "reconciler", "validate", str(path)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    seconds = time.perf_counter() - started
    wanted = f"{path}: valid ({sources} sources)\n"
    if done.returncode != 0 or done.stdout != wanted or done.stderr:
        return seconds, f"validate exited {done.returncode}: {done.stdout!r} {done.stderr!r}"
    return seconds, None


def run(sources: int, repeat: int, located: bool, folder: Path) -> tuple[list[str], list[str]]:
    """Printed lines, and problems found."""
    path = folder / "sources.yaml"
    path.write_text(spec_text(sources), encoding="utf-8")
    size = path.stat().st_size
    head = spec_text(0).count("\n")
    lines = [f"{sources} sources, {size:,} bytes, {head} lines of head + 7 a source; "
             f"{repeat} repetitions"]
    problems: list[str] = []
    rows = []
    for n in range(repeat):
        csafe = csafe_seconds(path)
        load, loaded = load_seconds(path)
        validate, wrong = validate_seconds(path, sources)
        problems += problems_in(loaded, sources) + ([wrong] if wrong else [])
        rows.append((csafe, load, validate))
        lines.append(f"  run {n + 1}: csafe {csafe:.3f} s, load {load:.3f} s "
                     f"({load / csafe:.2f}x), validate {validate:.3f} s "
                     f"({validate / csafe:.2f}x)")
    csafe, load, validate = (statistics.median(column) for column in zip(*rows))
    load_ratio = statistics.median(row[1] / row[0] for row in rows)
    validate_ratio = statistics.median(row[2] / row[0] for row in rows)
    lines.append(f"median: csafe {csafe:.3f} s, load {load:.3f} s, validate {validate:.3f} s; "
                 f"median ratios: load {load_ratio:.2f}x, validate {validate_ratio:.2f}x "
                 "(target: at most 2x)")
    if located:
        started = time.perf_counter()
        slow, diagnostics = spec.check_located(path)
        seconds = time.perf_counter() - started
        lines.append(f"located reader alone (the path before the fast one): {seconds:.3f} s "
                     f"({seconds / csafe:.2f}x the median csafe)")
        if slow is None or diagnostics or slow != loaded:
            problems.append("the located reader gives another LoadedSpec than the fast path")
    return lines, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--located", action="store_true",
                        help="also time the located reader alone, once, and compare its result")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spec-load-") as folder:
        lines, problems = run(args.sources, args.repeat, args.located, Path(folder))
    print("\n".join(lines))
    for problem in problems:
        print(f"WRONG: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
