"""Reading the lock and planning run with Python's cycle collector paused, and leave it as they
found it (a notebook that turned it off keeps it off)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from reconciler import api
from reconciler.sim import Simulator
from reconciler.state import lockfile

SPEC = """\
version: 1
user: me@example.org
defaults: {centroid: true, posErr: 1, useSXPS: false}
sources:
  GK Per: {RA: 52.799, Dec: 43.9047, targ: "00030842", LightCurve: {binMeth: snapshot}}
"""


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_while_planning_and_restored(
        tmp_path: Path, sim: Simulator, monkeypatch: pytest.MonkeyPatch, enabled: bool) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(SPEC, encoding="utf-8")
    seen: list[bool] = []
    real_read = lockfile.read

    def read(where: Any) -> Any:
        seen.append(gc.isenabled())
        return real_read(where)

    monkeypatch.setattr(lockfile, "read", read)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        result = api.plan(path, server=sim.base_url)
        assert gc.isenabled() is enabled
        with api.open_session(api.load(path), sim.base_url) as session:
            api.read_lock(api.load(path), session)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False]
    assert [p.action.value for s in result.sources for p in s.products] == ["create"]
