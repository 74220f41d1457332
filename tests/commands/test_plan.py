"""``plan`` through the command line: its errors, selections and outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.state import planfile

from .support import run, spec_text

pytestmark = pytest.mark.usefixtures("isolated")


def test_a_broken_spec_is_reported_like_validate_does(sim: Any, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    Path("broken.yaml").write_text("version: 1\nuser: a@b.org\nsources:\n"
                                   "  A: {RA: 1.0, Dec: 2.0, targ: 00030842, centroid: false, "
                                   "useSXPS: false, LightCurve: {binMeth: snapshot}}\n")
    code, out, err = run(capsys, "plan", "broken.yaml", "--server", sim.base_url)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "broken.yaml:4:32: source 'A': targ must be text, but YAML reads 00030842 as the number "
        "30842 — quote it: targ: \"00030842\"",
        "1 error",
    ]
    assert sim.stats()["requests"] == {}  # nothing asked of the server


def test_an_unknown_target_suggests_the_nearest_source(sim: Any, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    Path("spec.yaml").write_text(spec_text(2))
    code, _, err = run(capsys, "plan", "spec.yaml", "--server", sim.base_url,
                       "--target", "SRC 01")
    assert code == 1 and "--target 'SRC 01' is not a source of spec.yaml; did you mean" in err
    code, out, _ = run(capsys, "plan", "spec.yaml", "--server", sim.base_url,
                       "--target", "SRC 001", "--json")
    assert {a["source"] for a in json.loads(out)["actions"]} == {"SRC 001"}


def test_no_user_anywhere_is_an_error(sim: Any, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    Path("spec.yaml").write_text(spec_text(1).replace("user: commands@example.org\n", ""))
    code, _, err = run(capsys, "plan", "spec.yaml", "--server", sim.base_url)
    assert code == 1 and "no UKSSDC user known" in err and "XRT_USER" in err


def test_a_saved_plan_file_holds_the_shown_plan(sim: Any, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    Path("spec.yaml").write_text(spec_text(2))
    code, out, _ = run(capsys, "plan", "spec.yaml", "--server", sim.base_url, "--out", "p.json")
    assert code == 0 and "apply it with: xrt-reconcile apply p.json" in out
    saved = planfile.load("p.json")
    assert [s.source for s in saved.plan.submissions] == ["SRC 000", "SRC 001"]
    shown = json.loads(Path("p.json").read_text())["shown"]
    assert shown["summary"]["create"] == 4
    assert planfile.is_plan_file("p.json") and not planfile.is_plan_file("spec.yaml")


def test_colour_only_on_request_of_a_terminal(sim: Any, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    Path("spec.yaml").write_text(spec_text(1))
    code, out, _ = run(capsys, "plan", "spec.yaml", "--server", sim.base_url)
    assert code == 0 and "\x1b[" not in out  # not a terminal
    assert "+   LightCurve" in out
