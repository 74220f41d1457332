"""Saved plans: a plan survives the trip through JSON unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.plan.codec import decode, encode

from .support import Server, applied, load, plan

GK = ("GK Per: {RA: 52.799, Dec: 43.9047, targ: '00030842', "
      "LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true, srcrad: 9}}\n")


def test_a_plan_round_trips(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GK.replace(", srcrad: 9", ""))
    result = plan(edited, server, lock)
    assert any(p.diff for s in result.sources for p in s.products)
    assert decode(json.loads(json.dumps(encode(result)))) == result


@pytest.mark.parametrize("broken", [None, [], {"sources": "x"}, {"sources": [], "server": 1}])
def test_what_is_not_a_plan_is_refused(broken: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        decode(broken)
