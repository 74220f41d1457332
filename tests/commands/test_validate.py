"""`xrt-reconcile validate` and `schema` through the real command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reconciler import spec
from reconciler.cli import main
from reconciler.protocol import wire
from reconciler.spec import schema

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))

GOOD = """\
version: 1
user: spec@example.org
defaults: {centroid: true, posErr: 1, useSXPS: false}
sources:
  GK Per: {RA: 52.799, Dec: 43.9047, targ: "00030842", LightCurve: {binMeth: snapshot}}
  Terzan 5 field: {targ: "00637212", SourceDet: {whichData: all}}
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XRT_USER", raising=False)


def write(name: str, text: str) -> str:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")
    return name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_specs_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", *EXAMPLES)
    assert code == 0 and err == ""
    assert out.splitlines() == [f"{path}: valid ({len(spec.load(path).sources)} sources)"
                                for path in EXAMPLES]


def test_errors_exit_1_with_every_located_problem(capsys: pytest.CaptureFixture[str]) -> None:
    write("bad.yaml", """\
    version: 1
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: "1", centroid: false, useSXPS: false, LightCurve: {pcCount: 2}}
      B: {targ: 7, SourceDet: {whichData: all}}
    """)
    code, out, err = run(capsys, "validate", "bad.yaml", "missing.yaml")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "bad.yaml:3:83: source 'A', LightCurve: unknown parameter 'pcCount' — did you mean "
        "'pcCounts'?",
        "bad.yaml:4:13: source 'B': targ must be text, not the number 7 — quote it: targ: \"7\"",
        "missing.yaml: no such file — check the path (specs are YAML files, e.g. sources.yaml)",
        "3 errors",
    ]


def test_warnings_do_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    write("warn.yaml", GOOD + "templates: {unused: {Image: {}}}\n")
    code, out, err = run(capsys, "validate", "warn.yaml")
    assert code == 0
    assert err == ("warn.yaml:7:13: warning: template 'unused' is not used by any source — "
                   "remove it, or add it to a source's use list\n")
    assert out == "warn.yaml: valid (2 sources)\n"


def test_payloads_are_the_exact_submissions(capsys: pytest.CaptureFixture[str]) -> None:
    write("good.yaml", GOOD)
    code, out, err = run(capsys, "validate", "--payloads", "good.yaml")
    assert code == 0
    assert err == "good.yaml: valid (2 sources)\n"  # stdout stays pure JSON
    payloads = json.loads(out)
    loaded = spec.load("good.yaml")
    assert payloads == {name: wire.to_payload(s.request, "spec@example.org")
                        for name, s in loaded.sources.items()}
    assert payloads["GK Per"] == {
        "api_name": "xrt_prods", "api_version": "1.12", "UserID": "spec@example.org",
        "name": "GK Per", "targ": "00030842", "RA": 52.799, "Dec": 43.9047, "cent": 1,
        "poserr": 1, "useSXPS": 0, "getTargs": 0, "lc": 1, "binMeth": "snapshot",
    }
    assert payloads["Terzan 5 field"] == {
        "api_name": "xrt_prods", "api_version": "1.12", "UserID": "spec@example.org",
        "name": "Terzan 5 field", "targ": "00637212", "cent": 1,
        "poserr": 1, "useSXPS": 0, "getTargs": 0, "sourceDet": 1, "detobs": "all",
    }


def test_user_precedence_cli_over_env_over_spec(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    write("good.yaml", GOOD)
    monkeypatch.setenv("XRT_USER", "env@example.org")
    _, out, _ = run(capsys, "validate", "--payloads", "good.yaml")
    assert {p["UserID"] for p in json.loads(out).values()} == {"env@example.org"}
    _, out, _ = run(capsys, "validate", "--payloads", "good.yaml", "--user", "cli@example.org")
    assert {p["UserID"] for p in json.loads(out).values()} == {"cli@example.org"}
    _, out, _ = run(capsys, "--user", "top@example.org", "validate", "--payloads", "good.yaml")
    assert {p["UserID"] for p in json.loads(out).values()} == {"top@example.org"}


def test_payloads_without_a_user_fail(capsys: pytest.CaptureFixture[str]) -> None:
    write("anon.yaml", GOOD.replace("user: spec@example.org\n", ""))
    code, out, err = run(capsys, "validate", "--payloads", "anon.yaml")
    assert code == 1 and out == ""
    assert err == ("anon.yaml: no user known, and a payload carries the UserID — pass --user "
                   "EMAIL, set XRT_USER, or add user: to the spec\n1 error\n")
    code, out, _ = run(capsys, "validate", "anon.yaml")  # plain validation needs no user
    assert code == 0


def test_several_files_share_one_namespace(capsys: pytest.CaptureFixture[str]) -> None:
    write("a.yaml", GOOD)
    write("b.yaml", """\
    version: 1
    sources:
      Other: {targ: "1", SourceDet: {whichData: all}}
      GK Per: {targ: "1", SourceDet: {whichData: all}}
    """)
    code, _, err = run(capsys, "validate", "a.yaml", "b.yaml")
    assert code == 0  # different users: spec@example.org and none
    write("b2.yaml", "version: 1\nuser: other@example.org\nsources:\n"
                     "  GK Per: {targ: \"1\", SourceDet: {whichData: all}}\n")
    code, out, err = run(capsys, "validate", "--payloads", "a.yaml", "b2.yaml")
    assert (code, out) == (1, "")  # one JSON object cannot hold both, so neither is lost
    assert err.splitlines() == [
        "b2.yaml:4:3: source 'GK Per' is also in a.yaml (line 5) — --payloads prints one JSON "
        "object keyed by source name: run it on each file",
        "1 error",
    ]
    code, _, err = run(capsys, "validate", "a.yaml", "b.yaml", "--user", "me@example.org")
    assert code == 1
    assert err.splitlines() == [
        "b.yaml:4:3: source 'GK Per' is also in a.yaml (line 5) — a job name may be managed "
        "by one spec only: remove one of them",
        "1 error",
    ]
    write("c.yaml", "version: 1\nuser: me@example.org\nsources:\n"
                    "  Third: {targ: \"1\", SourceDet: {whichData: all}}\n")
    code, out, _ = run(capsys, "validate", "--payloads", "a.yaml", "c.yaml")
    assert code == 0
    payloads = json.loads(out)
    assert list(payloads) == ["GK Per", "Terzan 5 field", "Third"]
    assert payloads["Third"]["UserID"] == "me@example.org"
    assert payloads["GK Per"]["UserID"] == "spec@example.org"


def test_a_file_named_twice_is_checked_once(capsys: pytest.CaptureFixture[str]) -> None:
    write("good.yaml", GOOD)
    code, out, _ = run(capsys, "validate", "good.yaml", "good.yaml")
    assert code == 0 and out == "good.yaml: valid (2 sources)\n"
    code, out, err = run(capsys, "validate", "good.yaml", "./good.yaml", f"{Path.cwd()}/good.yaml")
    assert (code, out, err) == (0, "good.yaml: valid (2 sources)\n", "")  # no clash with itself


def test_schema_command_prints_the_committed_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema")
    assert code == 0 and err == ""
    assert out == schema.text() == (ROOT / "schemas" / "spec.schema.json").read_text()


def _subprocess(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XRT_USER"}
    return subprocess.run([sys.executable, "-m", "reconciler", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=60)


def test_python_dash_m_reconciler_validates_the_examples() -> None:
    result = _subprocess("validate", *[str(Path(p).relative_to(ROOT)) for p in EXAMPLES],
                         cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "examples/xrb-monitoring.yaml: valid (12 sources)" in result.stdout


def test_python_dash_m_reconciler_reports_broken_yaml_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "tabs.yaml").write_text("version: 1\nsources:\n  A:\n\tRA: 1\n")
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = _subprocess("validate", "tabs.yaml", "binary.yaml", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "tabs.yaml:4:1: YAML syntax error: found character '\\t' that cannot start any token "
        "— indent with spaces: YAML does not allow tabs",
        "binary.yaml:1:1: the file is not UTF-8 text (byte 0xff) — save the file as UTF-8",
        ".: is a directory, not a spec file — name the YAML files in it, e.g. ./*.yaml",
        "3 errors",
    ]
    assert "Traceback" not in result.stderr
