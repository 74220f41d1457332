"""The Python API: the same operations as the command line, returning data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import reconciler.api as xrt
from reconciler.plan.model import Action

from commands.support import spec_text


def test_load_plan_apply_status_download(sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=0.02)
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(2))
    spec = xrt.load(path)
    plan = xrt.plan(spec, server=sim.base_url)
    assert {p.action for s in plan.sources for p in s.products} == {Action.CREATE}
    assert len(plan.submissions) == 2
    notes: list[str] = []

    class Report:
        def note(self, text: str) -> None:
            notes.append(text)

        def counts(self, done: int, active: int, queued: int) -> None:
            pass

    result = xrt.apply(spec, server=sim.base_url, wait=True, report=Report())
    assert [job for _, job in result.outcome.submitted] == [1, 2]
    assert result.failed == [] and any("job 1" in n for n in notes)
    assert not xrt.plan(spec, server=sim.base_url).has_changes
    rows = xrt.status(spec, server=sim.base_url)
    assert {(r.source, r.product, r.serving, r.status) for r in rows} == {
        ("SRC 000", "LightCurve", 1, "complete"), ("SRC 000", "StandardPos", 1, "complete"),
        ("SRC 001", "LightCurve", 2, "complete"), ("SRC 001", "StandardPos", 2, "complete")}
    fetched = xrt.download(spec, tmp_path / "out", server=sim.base_url)
    assert {f.outcome for f in fetched} == {"saved"} and all(f.path.is_file() for f in fetched)
