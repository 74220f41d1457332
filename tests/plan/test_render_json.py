"""``plan --json``: the object of DESIGN §4."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.plan.render_json import as_json
from reconciler.protocol.wire import to_payload

from .support import USER, Server, applied, load, plan

GK = ("GK Per: {RA: 52.799, Dec: 43.9047, targ: '00030842', "
      "LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}, "
      "Spectrum: {hasRedshift: false}}\n")


def test_the_json_plan_has_the_documented_keys(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 25"))
    data = as_json(plan(edited, server, lock))
    json.dumps(data)  # it is JSON
    assert {"format_version", "summary", "actions", "drift", "foreign"} <= set(data)
    assert data["summary"]["replace"] == 1 and data["summary"]["noop"] == 1
    replace = next(a for a in data["actions"] if a["action"] == "replace")
    assert replace["source"] == "GK Per" and replace["products"] == ["LightCurve"]
    assert replace["diff"] == [{"product": "LightCurve", "scope": "LightCurve",
                                "parameter": "pcCounts", "old": 20, "new": 25}]
    pinned = edited["GK Per"].request
    from reconciler.plan.desired import pinned_request
    assert replace["payload"] == to_payload(pinned_request(pinned, {}, ["LightCurve"]), USER)


def test_a_create_payload_is_the_validate_payload(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    (create,) = as_json(plan(sources, Server()))["actions"]
    assert create["payload"] == to_payload(sources["GK Per"].request, USER)
