"""What a saved plan was computed from, and naming what moved."""

from __future__ import annotations

from pathlib import Path

from reconciler.plan.basis import PARTS, moved

from .support import Server, load, plan

GK = ("GK Per: {RA: 52.799, Dec: 43.9047, targ: '00030842', "
      "LightCurve: {binMeth: snapshot}}\n")


def test_the_basis_moves_with_the_history_of_planned_names_only(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    first = plan(sources, server)
    assert set(first.basis) == set(PARTS)
    server.add(1, "Unrelated", sources["GK Per"].request)
    assert moved(first.basis, plan(sources, server).basis) == []
    server.add(2, "GK Per", sources["GK Per"].request)
    assert moved(first.basis, plan(sources, server).basis) == ["history", "statuses"]
