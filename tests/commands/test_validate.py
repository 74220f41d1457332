"""`xrt-reconcile validate` and `schema` through the real command line."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler import spec
from reconciler.cli import main
from reconciler.protocol import catalogue, wire
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


pytestmark = pytest.mark.usefixtures("isolated")


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
        "bad.yaml:3:70: source 'A', LightCurve: binMeth is required — add binMeth: one of "
        "'counts', 'time', 'snapshot', 'obsid'",
        "bad.yaml:3:83: source 'A', LightCurve: unknown parameter 'pcCount' — did you mean "
        "'pcCounts'?",
        "bad.yaml:4:13: source 'B': targ must be text, not the number 7 — quote it: targ: \"7\"",
        "missing.yaml: no such file — check the path (specs are YAML files, e.g. sources.yaml)",
        "4 errors",
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
        "tabs.yaml:4:1: YAML syntax error: a tab is used for indentation — indent with spaces: "
        "YAML does not allow tabs",
        "binary.yaml:1:1: the file is not UTF-8 text (byte 0xff) — save the file as UTF-8",
        ".: is a directory, not a spec file — name the YAML files in it, e.g. ./*.yaml",
        "3 errors",
    ]
    assert "Traceback" not in result.stderr


# --- every independent problem in one pass (issue 10, item 1) ------------------------------------

ONE_PASS = """\
version: 1
defaults: {centroid: true, useSXPS: false}
sources:
  GK Per: {RA: 52.799, Dec: 43.9047, targ: 00030842, StandardPos: {}}
  V404 Cyg: {RA: 306.0162, Dec: 33.8673, targ: "00031757", notify: maybe, StandardPos: {}}
  GRB 221009A: {getCoords: true, getTargs: true, posErr: 1, Spectrum: {models: [pl]}}
  Nova: {RA: three hundred, Dec: 1.0, targ: "1", StandardPos: {}}
"""


def test_one_broken_value_does_not_hide_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    write("spec.yaml", ONE_PASS)
    code, out, err = run(capsys, "validate", "spec.yaml")
    assert (code, out) == (1, "")
    # the broken value, and beside it the missing posErr that centroid: true (from defaults)
    # needs, or the hasRedshift a spectrum needs; only 'targ/RA is required' would echo them
    assert err.splitlines() == [
        "spec.yaml:4:3: source 'GK Per': posErr is required when centroid is true — add "
        "posErr: <number>",
        "spec.yaml:4:44: source 'GK Per': targ must be text, but YAML reads 00030842 as the "
        "number 30842 — quote it: targ: \"00030842\"",
        "spec.yaml:5:3: source 'V404 Cyg': posErr is required when centroid is true — add "
        "posErr: <number>",
        "spec.yaml:5:68: source 'V404 Cyg': notify must be true or false, not 'maybe' — write "
        "notify: true or notify: false",
        "spec.yaml:6:61: source 'GRB 221009A', Spectrum: hasRedshift is required — add "
        "hasRedshift: true or false",
        "spec.yaml:6:80: source 'GRB 221009A', Spectrum: 'pl' is not a valid value for models "
        "— allowed values: 'powerlaw', 'apec', 'blackbody'",
        "spec.yaml:7:3: source 'Nova': posErr is required when centroid is true — add posErr: "
        "<number>",
        "spec.yaml:7:14: source 'Nova': RA must be a number, not 'three hundred' — write a "
        "number without quotes",
        "8 errors",
    ]


#: per key of a source, what it may be: absent (None), right, or wrong in some way
_SOURCE_PARTS: dict[str, list[str | None]] = {
    "RA": [None, "1.5", "three hundred", "400"],
    "Dec": [None, "2.5"],
    "targ": [None, '"00030842"', "00030842"],
    "centroid": [None, "true", "false", "maybe"],
    "posErr": [None, "1", "-2"],
    "useSXPS": [None, "false"],
    "getCoords": [None, "true"],
    "LightCurve": [None, "{}", "{binMeth: counts}", "{binMeth: count, pcCounts: 5}",
                   "{binMeth: snapshot, softLo: 2, softHi: 1}"],
    "Spectrum": [None, "{}", "{models: [pl]}", "{hasRedshift: true}", "{redshift: -1}"],
    "StandardPos": [None, "{}", "{posRadius: -3}"],
    "SourceDet": [None, "{whichData: all}", "{}"],
}


def _wrong_value(param: catalogue.Param) -> str:
    """A value of the wrong kind, or out of range, for ``param``, as YAML text."""
    if param.kind is catalogue.Kind.BOOL:
        return "maybe"
    if param.kind is catalogue.Kind.LIST:
        return "[pl]"
    if param.kind is catalogue.Kind.STR:
        return "bogus" if param.choices else "00030842"
    lo, _ = param.bounds
    return "-7" if lo is not None and lo > -7 else "three"


def _related(param: catalogue.Param) -> set[str]:
    """A broken ``param`` may hold back problems about these: itself, and what its value
    would imply or fill."""
    touched = {t for rules in (param.sets, param.suggests) for i in rules.values() for t in i}
    return {param.name, *touched, *param.fills}


def _errors(text: str, capsys: pytest.CaptureFixture[str]) -> set[tuple[str, str]]:
    """(line, what) of each error, the column left out: inserting a value moves columns."""
    write("spec.yaml", text)
    main(["validate", "spec.yaml"])
    lines = capsys.readouterr().err.splitlines()
    return {(line.split(":")[1], line.split(": ", 1)[1]) for line in lines
            if line.startswith("spec.yaml:")}


@st.composite
def _spec_and_broken_value(draw: st.DrawFn) -> tuple[str, str, catalogue.Param]:
    sources = []
    for index in range(draw(st.integers(1, 3))):
        parts = {k: draw(st.sampled_from(v)) for k, v in _SOURCE_PARTS.items()}
        sources.append({k: v for k, v in parts.items() if v is not None})
    target = draw(st.sampled_from(range(len(sources))))
    scopes = ["globals"] + [k for k in sources[target] if k in catalogue.PRODUCTS]
    scope = draw(st.sampled_from(scopes))
    block = sources[target] if scope == "globals" else {}
    taken = set(block) | (set(re.findall(r"(\w+):", sources[target][scope]))
                          if scope != "globals" else set())
    free = [p for n, p in catalogue.params_of(scope).items() if n != "name" and n not in taken]
    param = draw(st.sampled_from(free))
    entry = f"{param.name}: {_wrong_value(param)}"

    def text(with_broken: bool) -> str:
        lines = ["version: 1", "defaults: {centroid: true, useSXPS: false}", "sources:"]
        for index, parts in enumerate(sources):
            parts = dict(parts)
            if with_broken and index == target:
                if scope == "globals":
                    parts[param.name] = _wrong_value(param)
                else:
                    inner = parts[scope][1:-1]
                    parts[scope] = "{" + (f"{inner}, {entry}" if inner else entry) + "}"
            body = ", ".join(f"{k}: {v}" for k, v in parts.items())
            lines.append(f"  S{index}: {{{body}}}")
        return "\n".join(lines) + "\n"

    return text(False), text(True), param


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_spec_and_broken_value())
def test_an_unrelated_broken_value_never_removes_an_error(
        case: tuple[str, str, catalogue.Param], capsys: pytest.CaptureFixture[str]) -> None:
    before_text, after_text, param = case
    before, after = _errors(before_text, capsys), _errors(after_text, capsys)
    words = _related(param)
    unrelated = {e for e in before
                 if not any(re.search(rf"\b{w}\b", e[1]) for w in words)}
    assert unrelated <= after, (param.name, after_text, sorted(unrelated - after))
    assert any(param.name in e[1] for e in after - before)  # and it is reported itself


# --- values that cannot be right (issue 10, item 2) ----------------------------------------------

def test_out_of_range_values_and_swapped_pairs_are_errors(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    write("spec.yaml", """\
    version: 1
    defaults: {centroid: false, useSXPS: false}
    sources:
      A:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve: {binMeth: counts, pcCounts: -5, wtCounts: 0, dynamic: true, pcBinTime: -2.5}
        Spectrum: {hasRedshift: true, redshift: -0.5, srcrad: 40}
      B:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve:
          binMeth: snapshot
          minEnergy: 5
          maxEnergy: 2
          softLo: 2
          softHi: 1.5
          hardHi: 8
    """)
    code, out, err = run(capsys, "validate", "spec.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "spec.yaml:8:45: source 'A', LightCurve: pcCounts is -5, outside the allowed range — "
        "allowed: 1 or more",
        "spec.yaml:8:59: source 'A', LightCurve: wtCounts is 0, outside the allowed range — "
        "allowed: 1 or more",
        "spec.yaml:8:88: source 'A', LightCurve: pcBinTime is -2.5, outside the allowed range "
        "— allowed: 0 or more",
        "spec.yaml:9:45: source 'A', Spectrum: redshift is -0.5, outside the allowed range — "
        "allowed: 0 or more",
        "spec.yaml:9:59: source 'A', Spectrum: srcrad is 40, outside the allowed range — "
        "allowed: 1 to 30",
        "spec.yaml:16:18: source 'B', LightCurve: minEnergy (5) must be below maxEnergy (2) — "
        "lower minEnergy or raise maxEnergy",
        "spec.yaml:16:18: source 'B', LightCurve: minEnergy (5) must be at most softLo (2) — "
        "lower minEnergy or raise softLo",
        "spec.yaml:18:15: source 'B', LightCurve: softLo (2) must be below softHi (1.5) — "
        "lower softLo or raise softHi",
        "spec.yaml:20:15: source 'B', LightCurve: hardHi (8) must be at most maxEnergy (2) — "
        "lower hardHi or raise maxEnergy",
        "9 errors",
    ]


# --- YAML syntax errors in people's words, where the mistake is (issue 10, item 6) --------------

_SYNTAX_ERRORS = [
    # a key missing its colon is reported at that key, not at the next line where YAML noticed
    ("version: 1\nsources:\n  GK Per\n    RA: 1\n",
     "3:3: YAML syntax error: 'GK Per' is missing the ':' after its key — write it as GK Per: "
     "(a key is followed by ':')"),
    ("version 1\nsources:\n  A: {}\n",
     "1:1: YAML syntax error: 'version 1' is missing the ':' after its key — write it as "
     "version: 1"),
    ("version: 1\nsources:\n  A:\n    RA 1\n    Dec: 2\n",
     "4:5: YAML syntax error: 'RA 1' is missing the ':' after its key — write it as RA: 1"),
    ("version: 1\nsources:\n  A:\n    RA: 1\n    Dec 2\n  B: {}\n",
     "5:5: YAML syntax error: 'Dec 2' is missing the ':' after its key — write it as Dec: 2"),
    ("version: 1\nsources:\n  A:\n    RA:1\n    Dec: 2\n",
     "4:5: YAML syntax error: 'RA:1' has no space after its ':' — put a space after the ':': "
     "RA: 1"),
    ("version: 1\nsources:\n  A:\n    LightCurve:{binMeth: counts, pcCounts: 20}\n",
     "4:15: YAML syntax error: LightCurve:{... has no space after its ':' — put a space after "
     "the ':': LightCurve: {binMeth: counts, pcCounts: 20}"),
    # indentation says so, and shows the column expected
    ("version: 1\nsources:\n  A:\n    RA: 1\n   Dec: 2\n",
     "5:4: YAML syntax error: bad indentation: 'Dec' is at column 4, but the keys above it are "
     "at column 5 or 3 — indent it to column 5 (as 'RA' on line 4) or 3 (as 'A' on line 3)"),
    ("version: 1\nsources:\n  A:\n    RA: 1\n      Dec: 2\n",
     "5:7: YAML syntax error: bad indentation: 'Dec' is deeper than 'RA' above it, which already "
     "has a value — indent it to column 5, as 'RA' on line 4"),
    ("version: 1\nsources:\n  A:\n    use:\n      - a\n     - b\n",
     "6:6: YAML syntax error: bad indentation: '- b' is at column 6, but the keys above it are "
     "at column 7 or 5 — indent it to column 7 (as '- a' on line 5) or 5 (as 'use' on line 4)"),
    ("version: 1\nsources:\n  A:\n\tRA: 1\n",
     "4:1: YAML syntax error: a tab is used for indentation — indent with spaces: YAML does not "
     "allow tabs"),
    # brackets and quotes: the one that is open, or the wrong one that closes it
    ("version: 1\nsources:\n  A: {RA: 1, Dec: 2\n  B: {}\n",
     "3:6: YAML syntax error: this '{' is never closed — add the '}' that ends it (before the "
     "next key)"),
    ("version: 1\nsources:\n  A: {use: [a, b}\n",
     "3:17: YAML syntax error: the '[' at line 3, column 12 is closed with '}' — close it with "
     "']'"),
    ("version: 1\nsources:\n  A: {targ: \"0001}\n  B: {}\n",
     "3:13: YAML syntax error: this quote is never closed — add the closing \" on the same line"),
    ("version: 1\nsources:\n  A: {targ: \"a\" RA: 1}\n",
     "3:17: YAML syntax error: entries inside {} must be separated by ',' — add the missing ',', "
     "and quote any value that contains ': '"),
    # a value that YAML cannot take as it is
    ("version: 1\nsources:\n  A:\n    targ: a: b\n",
     "4:12: YAML syntax error: a value contains ': ', which YAML reads as the start of another "
     "key — quote the value: targ: \"a: b\""),
    ("version: 1\nsources:\n  A:\n    targ: \"1\" x\n",
     "4:15: YAML syntax error: unexpected text 'x' after the value — remove it, or quote the "
     "whole value"),
    ("version: 1\nuser: @me\nsources: {}\n",
     "2:7: YAML syntax error: unexpected '@' here — remove it, or quote the value"),
    ("version: 1\nsources:\n  A:\n    RA: 1\n    - x\n",
     "5:5: YAML syntax error: a list item '- x' among 'key: value' entries — write it as "
     "'key: value', or indent the list under the key it belongs to"),
    ("version: 1\n---\nsources: {}\n",
     "2:1: YAML syntax error: a second YAML document starts here — a spec is one YAML "
     "document: remove the extra '---'"),
]


@pytest.mark.parametrize(("text", "expected"), _SYNTAX_ERRORS)
def test_yaml_syntax_errors_are_located_and_worded_for_people(
        text: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    Path("spec.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", "spec.yaml")
    assert (code, out) == (1, "")
    assert err == f"spec.yaml:{expected}\n1 error\n"
    for parser_word in ("<block", "token", "scalar", "stream", "while parsing", "expected ','"):
        assert parser_word not in err


def test_a_reused_anchor_is_fine_and_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    write("spec.yaml", 'version: 1\nsources:\n  A: &a {targ: "1", SourceDet: {whichData: all}}\n'
                       '  B: &a {targ: "2", SourceDet: {whichData: all}}\n  C: *a\n')
    assert run(capsys, "validate", "spec.yaml") == (0, "spec.yaml: valid (3 sources)\n", "")


_PYTHON_WORDS = re.compile(r"\b(None|True|False|datetime|dict|NoneType)\b|\('")


def test_no_python_words_reach_users(capsys: pytest.CaptureFixture[str]) -> None:
    write("spec.yaml", """\
    version:
    user:
    limits: {max_active_jobs: true, submissions_per_minute: null, poll_interval: [1]}
    defaults:
      Image:
    templates:
      t:
    sources:
      A: {targ: 2020-01-01, RA: true, Dec: [1], centroid: null, LightCurve: , use: [t, null]}
      B: {targ: "1", SourceDet: {whichData: all}, rebuild: {max_age: true, expired: null}}
      C: {Spectrum: {models: [apec, 1], hasRedshift: ~}, getTargs: true, getCoords: yes}
      D:
      : {}
    """)
    code, out, err = run(capsys, "validate", "spec.yaml")
    assert code == 1 and out == ""
    assert not _PYTHON_WORDS.search(err), err
    for said in ("version is empty", "user is empty", "submissions_per_minute is empty",
                 "centroid is empty", "expired is empty", "hasRedshift is empty",
                 "D is empty", "a key is missing before the ':'",
                 "targ must be text, not 2020-01-01", "RA must be a number, not true",
                 "max_active_jobs must be a whole number, not true",
                 "getCoords must be true or false, not 'yes'"):
        assert said in err, said


# --- validate - reads standard input (issue 10, item 3) ------------------------------------------

def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_dash_reads_the_spec_from_standard_input(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, GOOD.encode())
    write("other.yaml", 'version: 1\nsources:\n  Other: {targ: "1", SourceDet: {whichData: all}}\n')
    code, out, err = run(capsys, "validate", "other.yaml", "-", "-")
    assert (code, out, err) == (0, "other.yaml: valid (1 source)\n<stdin>: valid (2 sources)\n",
                                "")


def test_problems_on_standard_input_are_located_in_stdin(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _stdin(monkeypatch, b"version: 1\nsources:\n  A: {targ: 7, SourceDet: {whichData: all}}\n")
    code, out, err = run(capsys, "validate", "-")
    assert (code, out) == (1, "")
    assert err == ("<stdin>:3:13: source 'A': targ must be text, not the number 7 — quote it: "
                   "targ: \"7\"\n1 error\n")
    _stdin(monkeypatch, b"version: 1\nsources:\n  Caf\xe9: {}\n")
    assert run(capsys, "validate", "-")[2] == ("<stdin>:3:6: the file is not UTF-8 text (byte "
                                               "0xe9) — save the file as UTF-8\n1 error\n")


# --- a per-source policy in defaults and templates (issue 10, item 7) ----------------------------

def test_rebuild_may_be_written_once_in_defaults_or_a_template(
        capsys: pytest.CaptureFixture[str]) -> None:
    write("policy.yaml", """\
    version: 1
    defaults: {rebuild: {max_age: 30d}, SourceDet: {whichData: all}}
    templates:
      watch: {rebuild: {expired: true, failed: true}, SourceDet: {}}
    sources:
      A: {targ: "1", use: [watch]}
      B: {targ: "2", use: [watch], rebuild: {max_age: 7d}}
    """)
    assert run(capsys, "validate", "policy.yaml") == (0, "policy.yaml: valid (2 sources)\n", "")
    sources = spec.load("policy.yaml").sources
    assert sources["A"].rebuild == spec.RebuildPolicy(timedelta(days=30), True, True)
    assert sources["B"].rebuild == spec.RebuildPolicy(timedelta(days=7), True, True)
    write("policy.yaml", Path("policy.yaml").read_text().replace("expired: true", "expired: 7d")
          .replace("max_age: 30d", "max_age: monthly"))
    code, out, err = run(capsys, "validate", "policy.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "policy.yaml:2:31: defaults: 'monthly' is not a duration — write it as 90s, 10m, 12h or "
        "30d",
        "policy.yaml:4:30: template 'watch': expired must be true or false, not '7d' — write "
        "expired: true or expired: false",
        "2 errors",
    ]


# --- a product named with nothing after it -------------------------------------------------------

NULL_PRODUCTS = """\
version: 1
user: spec@example.org
defaults:
  centroid: true
  posErr: 1
  useSXPS: false
  Spectrum: {hasRedshift: false}
  Image: {energies: "0.3-2"}
templates:
  spectra:
    Spectrum:
sources:
  A:
    RA: 1.5
    Dec: 2.5
    targ: "00012345"
    StandardPos:
  B: {RA: 1.5, Dec: 2.5, targ: "00012345", use: [spectra], Image: ~}
  C: {RA: 1.5, Dec: 2.5, targ: "00012345", Spectrum: null}
"""


def test_a_product_with_nothing_after_it_is_requested_with_defaults(
        capsys: pytest.CaptureFixture[str], sim: Any) -> None:
    # in a source or a template, 'StandardPos:' (null) asks for the product as '{}' does,
    # the defaults' values merged in
    write("null.yaml", NULL_PRODUCTS)
    write("empty.yaml", NULL_PRODUCTS.replace("StandardPos:\n", "StandardPos: {}\n")
          .replace("Spectrum:\n", "Spectrum: {}\n").replace("~", "{}").replace("null", "{}"))
    code, out, err = run(capsys, "validate", "--payloads", "null.yaml")
    assert (code, err) == (0, "null.yaml: valid (3 sources)\n")
    assert out == run(capsys, "validate", "--payloads", "empty.yaml")[1]
    payloads = json.loads(out)
    assert [(p.get("dopsf"), p.get("spec"), p.get("image")) for p in payloads.values()] == [
        (1, None, None), (None, 1, 1), (None, 1, None)]
    assert payloads["B"]["imen"] == "0.3-2" and payloads["C"]["specz"] == 0
    code, out, _ = run(capsys, "plan", "null.yaml", "--server", sim.base_url)
    assert code == 0
    assert [line.split()[1] for line in out.splitlines() if line.strip().startswith("+")] == [
        "StandardPos", "Spectrum", "Image", "Spectrum"]


def test_a_null_product_in_defaults_requests_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    write("spec.yaml", """\
    version: 1
    defaults: {centroid: false, useSXPS: false, StandardPos: null}
    sources:
      A: {RA: 1.5, Dec: 2.5, targ: "1"}
    """)
    code, out, err = run(capsys, "validate", "spec.yaml")
    assert (code, out) == (1, "")
    assert err == ("spec.yaml:4:3: source 'A': requests no product — name a product (e.g. "
                   "LightCurve: {}) or use a template that does\n1 error\n")
