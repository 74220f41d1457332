"""Specs and runs for the command tests: the real CLI against a simulator on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main

USER = "commands@example.org"
ROOT = Path(__file__).resolve().parents[2]


def spec_text(count: int, *, max_active: int = 5, per_minute: float = 600,
              poll: str = "0.1s", extra: str = "", first: int = 0) -> str:
    """``count`` sources with explicit positions (no directives to resolve)."""
    lines = [
        "version: 1",
        f"user: {USER}",
        "limits:",
        f"  max_active_jobs: {max_active}",
        f"  submissions_per_minute: {per_minute}",
        f"  poll_interval: {poll}",
        "  max_submissions_per_run: 1000",
        "defaults: {centroid: false, useSXPS: false}",
        "sources:",
    ]
    for i in range(first, first + count):
        lines.append(f"  SRC {i:03d}: {{RA: {10 + i}.5, Dec: {i % 80}.25, targ: '{i:08d}', "
                     "LightCurve: {binMeth: snapshot}, StandardPos: {}}" + extra)
    return "\n".join(lines) + "\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The command line in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XRT_USER", None)
    return subprocess.run([sys.executable, "-m", "reconciler", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def popen(*argv: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XRT_USER", None)
    return subprocess.Popen([sys.executable, "-m", "reconciler", *argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def jobs_per_name(sim: Any) -> dict[str, int]:
    return dict(sim.stats()["jobs_per_name"].get(USER, {}))


def lock_of(spec: Path) -> dict[str, Any]:
    return json.loads(spec.with_name(spec.stem + ".lock.yaml").read_text())
