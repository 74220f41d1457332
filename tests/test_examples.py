"""The example specs and the README: they validate, match the schema, and say what is true."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from reconciler import spec
from reconciler.cli import main
from reconciler.protocol import catalogue
from reconciler.spec import reference, yamlsrc

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schemas/spec.schema.json"


def test_the_examples_the_readme_lists_exist_and_are_listed() -> None:
    names = {"grb-followup.yaml", "xrb-monitoring.yaml", "source-detection.yaml",
             "time-binning.yaml", "xrb-spectrum.yaml"}
    assert {p.name for p in EXAMPLES} >= names
    assert {n for n in re.findall(r"`([\w-]+\.yaml)`", README) if n in names} == names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_validates_cleanly(path: Path) -> None:
    loaded, found = spec.check(path)
    assert [d.render() for d in found] == []  # no errors and no warnings
    assert loaded is not None and loaded.sources


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_names_the_schema_and_matches_it(path: Path) -> None:
    assert path.read_text(encoding="utf-8").splitlines()[0] == SCHEMA_COMMENT
    assert (path.parent / SCHEMA_COMMENT.split("=", 1)[1]).resolve() == \
        ROOT / "schemas" / "spec.schema.json"
    committed = (ROOT / "schemas" / "spec.schema.json").read_text(encoding="utf-8")
    validator = jsonschema.Draft202012Validator(json.loads(committed))
    errors = [e.message for e in validator.iter_errors(yamlsrc.read(path).data)]
    assert errors == []


def _load(name: str) -> spec.LoadedSpec:
    return spec.load(ROOT / "examples" / name)


def test_grb_followup_lets_the_server_resolve_and_uses_templates() -> None:
    loaded = _load("grb-followup.yaml")
    raw = yamlsrc.read(ROOT / "examples" / "grb-followup.yaml").data
    assert raw["templates"]
    for source in loaded.sources.values():
        g = source.request.globals
        assert g["getCoords"] and g["getT0"] and g["getTargs"], source.name
        assert "RA" not in g and "targ" not in g
        assert raw["sources"][source.name]["use"]
        assert {"LightCurve", "Spectrum", "StandardPos"} <= set(source.request.products)
    redshifts = {n: s.request.products["Spectrum"].get("redshift")
                 for n, s in loaded.sources.items()}
    assert redshifts["GRB 221009A"] == 0.151
    assert loaded.sources["GRB 221009A"].request.products["Spectrum"]["hasRedshift"] is True


def test_monitoring_shares_one_light_curve_definition_with_overrides() -> None:
    path = ROOT / "examples" / "xrb-monitoring.yaml"
    loaded = _load(path.name)
    raw = yamlsrc.read(path).data
    assert len(loaded.sources) >= 12
    assert {tuple(s["use"]) for s in raw["sources"].values()} == {("monitor",)}
    light_curves = [s.request.products["LightCurve"] for s in loaded.sources.values()]
    assert all(lc["whichData"] == "all" for lc in light_curves)
    overridden = [n for n, s in raw["sources"].items() if "LightCurve" in s]
    assert 1 <= len(overridden) < len(raw["sources"])
    with_position = [s for s in loaded.sources.values()
                     if "RA" in s.request.globals and "targ" in s.request.globals]
    assert len(with_position) >= 8
    # the weekly rebuild is written once, in the template, and reaches every source
    assert "rebuild" in raw["templates"]["monitor"]
    assert not any("rebuild" in s for s in raw["sources"].values())
    assert {s.rebuild for s in loaded.sources.values()} == {
        spec.RebuildPolicy(max_age=timedelta(days=7))}
    for source in loaded.sources.values():
        g = source.request.globals
        assert ("RA" in g and "Dec" in g) or g.get("getCoords")
        assert "targ" in g or g.get("getTargs")
    # every target ID is written quoted, as eight digits, so no leading zero can be lost
    doc = yamlsrc.read(path)
    for name, source in raw["sources"].items():
        if "targ" in source:
            text = doc.raw_text(("sources", name, "targ"))
            assert text and text[0] == '"', name
            assert re.fullmatch(r'"\d{8}(,\d{8})*"', text), text


def test_time_binning_uses_fixed_length_bins_and_a_policy_from_defaults() -> None:
    path = ROOT / "examples" / "time-binning.yaml"
    loaded, raw = _load(path.name), yamlsrc.read(path).data
    assert "rebuild" in raw["defaults"]
    assert not any("rebuild" in s for s in raw["sources"].values())
    for source in loaded.sources.values():
        lc = source.request.products["LightCurve"]
        assert lc["binMeth"] == "time" and lc["pcBinTime"] > 0 and lc["wtBinTime"] > 0
        assert lc["matchHR"] is False and lc["pcHRBinTime"] > lc["pcBinTime"]
        assert source.rebuild == spec.RebuildPolicy(max_age=timedelta(days=30), expired=True)


def test_xrb_spectrum_fits_galactic_sources_without_redshift() -> None:
    loaded = _load("xrb-spectrum.yaml")
    assert len(loaded.sources) >= 2
    for source in loaded.sources.values():
        spectrum = source.request.products["Spectrum"]
        assert spectrum["hasRedshift"] is False and "redshift" not in spectrum
        assert spectrum["galactic"] is False and spectrum["timeslice"] == "snapshot"
        assert source.request.globals["getCoords"] and source.request.globals["getTargs"]
    models = {s.request.products["Spectrum"]["models"] for s in loaded.sources.values()}
    assert ("powerlaw", "blackbody") in models


def test_source_detection_needs_no_position() -> None:
    loaded = _load("source-detection.yaml")
    for source in loaded.sources.values():
        assert source.request.source_detection_only
        assert not set(source.request.globals) & set(catalogue.NOT_NEEDED_FOR_SOURCEDET_ONLY)


# --- the README -----------------------------------------------------------------------------------

def test_readme_reference_matches_the_catalogue() -> None:
    assert reference.splice(README) == README, (
        "README spec reference is stale: run `.venv/bin/python -m reconciler.spec.reference "
        "--write README.md`")
    for name in catalogue.GLOBALS:
        if name != "name":
            assert f"| `{name}` |" in README
    for product in catalogue.ALL_PRODUCTS:
        assert f"### `{product}`" in README


MAIN_COMMAND = ("python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/xrt-reconcile "
                "--server sim apply examples/grb-followup.yaml --auto-approve --wait --download "
                "products")


def test_readme_has_the_setup_commands_and_ci_runs_the_test_one() -> None:
    test_command = ("python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && "
                    ".venv/bin/python -m pytest -q")
    assert test_command in README
    assert MAIN_COMMAND in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci


def _fenced_after(marker: str) -> str:
    tail = README[README.index(marker):]
    block = re.search(r"```[a-z]*\n(.*?)```", tail, re.S)
    assert block
    return block.group(1)


def test_readme_states_the_python_it_needs_and_pyproject_agrees() -> None:
    assert "Requires Python 3.11 or newer" in README
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_readme_is_self_contained() -> None:
    """No document outside the repository is needed (nor named) to follow it."""
    assert not re.search(r"DESIGN|ukssdc-api|\.\./shared|shared docs", README)
    for name in set(re.findall(r"[\w./-]+\.md\b", README)):
        assert (ROOT / name).is_file(), name


def test_readme_quick_start_schema_comment_works_outside_the_repository() -> None:
    """The spec's $schema comment names a file the quick start makes first, beside the spec,
    not a path that only exists inside a clone."""
    quick_start = README[README.index("## Quick start"):README.index("## The spec")]
    spec_text = _fenced_after("## Quick start")
    comment = spec_text.splitlines()[0]
    assert comment == "# yaml-language-server: $schema=spec.schema.json"
    made = "xrt-reconcile schema > spec.schema.json"
    assert made in quick_start and quick_start.index(made) < quick_start.index(spec_text)


def test_readme_quick_start_spec_validates(tmp_path: Path) -> None:
    text = _fenced_after("## Quick start")
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    loaded, found = spec.check(path)
    assert found == [] and loaded is not None
    assert list(loaded.sources) == ["GRB 200416A", "GK Per"]


def test_readme_error_example_is_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken.yaml").write_text(_fenced_after("<!-- README example: broken.yaml"),
                                   encoding="utf-8")
    assert main(["validate", "broken.yaml"]) == 1
    expected = _fenced_after("<!-- README example: validate broken.yaml")
    assert capsys.readouterr().err == expected


def test_the_readme_main_command_runs_plan_apply_wait_download(tmp_path: Path) -> None:
    """The main command after its install step, in a copy of the examples, as a new user runs
    it: every product made and downloaded; run again, nothing to do."""
    import os
    import shlex
    import subprocess
    import sys
    shutil_copy = (ROOT / "examples" / "grb-followup.yaml").read_text(encoding="utf-8")
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "grb-followup.yaml").write_text(shutil_copy, encoding="utf-8")
    argv = shlex.split(MAIN_COMMAND.split(" && ")[-1])[1:]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XRT_USER", None)
    run = subprocess.run([sys.executable, "-m", "reconciler", *argv], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    loaded = spec.load(tmp_path / "examples" / "grb-followup.yaml")
    wanted = sum(len(s.request.products) for s in loaded.sources.values())
    archives = sorted((tmp_path / "products").rglob("*.tar.gz"))
    assert len(archives) == wanted
    assert (tmp_path / "examples" / "grb-followup.lock.yaml").is_file()
    again = subprocess.run([sys.executable, "-m", "reconciler", *argv], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "No changes." in again.stdout
    assert "Apply: 0 jobs submitted" in again.stdout


def test_the_readme_plan_example_is_real(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    text = (ROOT / "examples" / "grb-followup.yaml").read_text(encoding="utf-8")
    path = tmp_path / "grb-followup.yaml"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("XRT_USER", None)

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "reconciler", "--server", "sim", *argv],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)

    assert cli("apply", "grb-followup.yaml", "--auto-approve", "--wait").returncode == 0
    edited = text.replace("LightCurve: {pcCounts: 50, wtCounts: 100}",
                          "LightCurve: {pcCounts: 40, wtCounts: 100}")
    assert edited != text
    path.write_text(edited + "\n  GRB 060614:\n    use: [afterglow]\n", encoding="utf-8")
    plan = cli("plan", "grb-followup.yaml", "--no-color")
    assert plan.returncode == 0, plan.stderr
    assert plan.stdout == _fenced_after("<!-- README example: plan after an edit")


def test_readme_yaml_syntax_examples_are_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """The two syntax errors the Errors section quotes, made in its broken.yaml."""
    monkeypatch.chdir(tmp_path)
    broken = _fenced_after("<!-- README example: broken.yaml")
    flowing = " ".join(README.split())
    for mistake in (broken.replace("  GK Per:\n", "  GK Per\n"),
                    broken.replace("    Dec: 43.9047\n", "   Dec: 43.9047\n")):
        Path("broken.yaml").write_text(mistake, encoding="utf-8")
        assert main(["validate", "broken.yaml"]) == 1
        line = capsys.readouterr().err.splitlines()[0]
        assert f"`{line}`" in flowing, line
