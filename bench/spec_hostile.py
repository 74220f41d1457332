"""Benchmark (issue 9, item 3): hostile spec files are refused quickly and in little memory.

Each case is a file written here and checked by ``xrt-reconcile validate`` in a fresh
process, which reports its own wall time (imports excluded) and peak RSS; a tiny valid spec is
the baseline for both. Every case must exit 1 with one located error of the expected kind
(exit 1 here otherwise). Bounded: one short-lived process per case and repetition.

- ``laughs-7``: 1 KB whose aliases expand to ten million nodes (the case the issue measured:
  25 s at 585 MB before); ``laughs-10``: ten billion;
- ``brackets``: 8 MB of ``[``, nested as deep as a file under the size limit allows;
- ``dense``: 8 MB of one flow list, four million nodes without any alias;
- ``oversized``: one byte over the size limit.

    .venv/bin/python bench/spec_hostile.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from reconciler.spec import bounds

PROBE = """\
import json, resource, sys, time
from reconciler.cli import main
started = time.perf_counter()
code = main(["validate", sys.argv[1]])
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "seconds": seconds, "rss_mb": rss}), file=sys.stderr)
"""

VALID = "version: 1\nsources:\n  A: {targ: '1', SourceDet: {whichData: all}}\n"


def laughs(levels: int) -> str:
    lines = ["version: 1", f"l0: &l0 [{', '.join(['lol'] * 10)}]"]
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, levels)]
    return "\n".join([*lines, "sources: {}"]) + "\n"


def cases() -> dict[str, tuple[str, str]]:
    """name -> (text, what the one error must say)."""
    room = bounds.MAX_BYTES - 100
    return {
        "valid (baseline)": (VALID, ""),
        "laughs-7": (laughs(7), "grows past 1,000,000 values"),
        "laughs-10": (laughs(10), "grows past 1,000,000 values"),
        "brackets": ("version: 1\nsources: " + "[" * room + "\n", "levels deep here"),
        "dense": ("version: 1\nsources: [" + "a," * (room // 2) + "a]\n",
                  "grows past 1,000,000 values"),
        "oversized": ("#" * bounds.MAX_BYTES + "\n", "larger than 8 MiB"),
    }


def probe(path: Path) -> tuple[dict[str, float], str]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                          text=True, timeout=600, check=False)
    *said, measured = done.stderr.strip().splitlines()
    return json.loads(measured), "\n".join(said)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    wrong = []
    print(f"{'case':<18} {'bytes':>10} {'exit':>4} {'median s':>9} {'max s':>7} "
          f"{'peak RSS MB':>11}")
    with tempfile.TemporaryDirectory(prefix="spec-hostile-") as folder:
        for name, (text, expected) in cases().items():
            path = Path(folder) / "spec.yaml"
            path.write_text(text, encoding="utf-8")
            runs = [probe(path) for _ in range(args.repeat)]
            said = runs[0][1]
            code = int(runs[0][0]["code"])
            if expected and (code != 1 or expected not in said or said.count("\n") != 1
                             or not said.startswith(f"{path}:")):
                wrong.append(f"{name}: exit {code}, said {said[:300]!r}")
            if not expected and code != 0:
                wrong.append(f"{name}: the valid spec failed: {said[:300]!r}")
            seconds = [r["seconds"] for r, _ in runs]
            rss = max(r["rss_mb"] for r, _ in runs)
            print(f"{name:<18} {len(text.encode()):>10,} {code:>4} "
                  f"{statistics.median(seconds):>9.3f} {max(seconds):>7.3f} {rss:>11.0f}")
            if expected:
                print(f"{'':<18} {said.split(': ', 1)[0].replace(str(path), 'spec.yaml')}: "
                      f"{said.split(': ', 1)[1][:90]}")
    for problem in wrong:
        print(f"WRONG: {problem}", file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
