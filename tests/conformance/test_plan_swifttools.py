"""Issue 6, done when: a simulator holding jobs that the real swifttools client submitted for
the same parameters as a spec; ``plan`` on a fresh clone adopts them all; one edited
light-curve parameter is exactly one replace of that light curve; ``plan --json`` payloads are
swifttools' ``getJSONDict()``; a moved server default is drift, not a replace."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reconciler import spec as spec_mod
from reconciler.cli import main
from reconciler.sim import Simulator

from .swift_oracle import build_request, quiet, strip_ignored
from .swift_oracle import payload as swift_payload

pytestmark = [
    pytest.mark.conformance,
    pytest.mark.filterwarnings("ignore:distutils Version classes:DeprecationWarning"),
]

USER = "plan-conformance@example.org"
SPEC = f"""\
version: 1
user: {USER}
defaults:
  centroid: true
  posErr: 1
  useSXPS: false
sources:
  GRB 200416A:
    getCoords: true
    getTargs: true
    getT0: true
    LightCurve: {{binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}}
    Spectrum: {{hasRedshift: false}}
    StandardPos: {{}}
  GK Per:
    RA: 52.7990
    Dec: 43.9047
    targ: "00030842"
    LightCurve: {{binMeth: time, pcBinTime: 500, wtBinTime: 20, minEnergy: 0.5}}
    Spectrum: {{hasRedshift: true, redshift: 0.5, timeslice: snapshot}}
  Sgr A*:
    targ: "00035063"
    SourceDet: {{whichData: all, whichBands: all}}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XRT_USER", raising=False)
    (tmp_path / "spec.yaml").write_text(SPEC)
    return tmp_path / "spec.yaml"


def submit_with_swifttools(sim: Simulator, path: Path) -> None:
    """Every source of the spec submitted by the unmodified swifttools client."""
    for name, source in spec_mod.load(path).sources.items():
        globals_ = {k: v for k, v in source.request.globals.items() if k != "name"}
        req = build_request(name, globals_, source.request.products, USER)
        req._baseURL = sim.base_url
        with quiet():
            assert req.submit(), req.submitError


def test_a_fresh_clone_adopts_swifttools_jobs_then_one_edit_is_one_replace(
        sim_factory: Any, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(manual_clock=True, job_seconds=10.0)
    submit_with_swifttools(sim, workspace)
    sim.advance(100)
    code, out, _ = run(capsys, "plan", str(workspace), "--server", sim.base_url, "--json",
                       "--detailed-exitcode")
    data = json.loads(out)
    assert code == 2
    assert {a["action"] for a in data["actions"]} == {"adopt"}
    assert data["summary"]["adopt"] == 6 and data["foreign"] == []

    code, out, err = run(capsys, "apply", str(workspace), "--server", sim.base_url,
                         "--auto-approve")
    assert code == 0, err
    assert "0 jobs submitted" in out
    code, out, _ = run(capsys, "plan", str(workspace), "--server", sim.base_url,
                       "--detailed-exitcode")
    assert (code, out.splitlines()[-1]) == (0, "No changes.")

    workspace.write_text(SPEC.replace("minEnergy: 0.5", "minEnergy: 0.6"))
    code, out, _ = run(capsys, "plan", str(workspace), "--server", sim.base_url, "--json",
                       "--detailed-exitcode")
    data = json.loads(out)
    changes = [a for a in data["actions"] if a["action"] not in ("noop",)]
    assert code == 2
    assert [(a["source"], a["action"], a["products"]) for a in changes] == \
        [("GK Per", "replace", ["LightCurve"])]
    assert [(d["parameter"], d["old"], d["new"]) for d in changes[0]["diff"]] == \
        [("minEnergy", 0.5, 0.6)]


def test_json_payloads_are_what_swifttools_would_send(
        sim_factory: Any, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=10.0)
    code, out, _ = run(capsys, "plan", str(workspace), "--server", sim.base_url, "--json")
    assert code == 0
    sources = spec_mod.load(workspace).sources
    creates = [a for a in json.loads(out)["actions"] if a["action"] == "create"]
    assert len(creates) == 3
    for action in creates:
        request = sources[action["source"]].request
        globals_ = {k: v for k, v in request.globals.items() if k != "name"}
        expected = swift_payload(action["source"], globals_, request.products, USER)
        assert strip_ignored(action["payload"]) == strip_ignored(expected)


def test_a_moved_server_default_is_drift_not_a_replace(
        sim_factory: Any, workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.01, defaults={"minsnr": 1.5})
    workspace.write_text(SPEC.replace("binMeth: time, pcBinTime: 500, wtBinTime: 20, "
                                      "minEnergy: 0.5", "binMeth: counts, pcCounts: 20, "
                                      "wtCounts: 30, dynamic: true"))
    code, _, err = run(capsys, "apply", str(workspace), "--server", sim.base_url,
                       "--auto-approve", "--wait")
    assert code == 0, err
    code, out, _ = run(capsys, "plan", str(workspace), "--server", sim.base_url,
                       "--detailed-exitcode")
    assert code == 0
    assert out.splitlines()[-1] == "No changes."
    assert ("LightCurve.minSNR: catalogue default 2.4; the server filled 1.5 (job"
            in textwrap.dedent(out))
    code, _, err = run(capsys, "plan", str(workspace), "--server", sim.base_url,
                       "--fail-on-drift")
    assert code == 1 and "server default" in err
