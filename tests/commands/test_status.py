"""``status``: the table of jobs behind each product."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .support import run, spec_text

pytestmark = pytest.mark.usefixtures("isolated")


def test_status_before_and_after_apply(sim_factory: Any, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(2))
    code, out, _ = run(capsys, "status", str(spec), "--server", sim.base_url, "--json")
    assert code == 0
    assert {r["status"] for r in json.loads(out)} == {"not submitted"}
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
               "--wait")[0] == 0
    code, out, _ = run(capsys, "status", str(spec), "--server", sim.base_url)
    lines = out.splitlines()
    assert lines[0].split() == ["source", "product", "serving", "job", "attempt", "status", "age"]
    assert len(lines) == 5 and all("complete" in line for line in lines[1:])
    assert lines[1].split()[:4] == ["SRC", "000", "LightCurve", "1"]
