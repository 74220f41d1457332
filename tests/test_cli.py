"""The argument parser: exit codes, options before or after the command, help text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from reconciler import spec
from reconciler.cli import EXIT_ERROR, build_parser, main
from reconciler.sim import SimConfig


@pytest.mark.parametrize("argv", [["bogus"], ["validate"], ["sim"], ["sim", "serve", "--port", "x"],
                                  ["--server", "sim", "schema"], ["validate", "-v", "x.yaml"]])
def test_a_usage_error_exits_1_not_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # 2 means "changes present" (plan --detailed-exitcode), so argparse's 2 must not leak out
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_ERROR
    assert "error:" in capsys.readouterr().err


def test_common_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--server", "sim", "--user", "a@b.org", "plan", "x.yaml"])
    after = parser.parse_args(["plan", "x.yaml", "--server", "sim", "--user", "a@b.org", "-v"])
    assert (before.server, before.user, before.verbose) == ("sim", "a@b.org", 0)
    assert (after.server, after.user, after.verbose) == ("sim", "a@b.org", 1)
    assert parser.parse_args(["plan", "x.yaml"]).server is None


def test_no_command_prints_the_overview(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    from reconciler.help import COMMANDS
    for command in COMMANDS:
        assert f"  {command.name} " in out and command.summary in out
    assert "start here:" in out and "--server sim apply examples/grb-followup.yaml" in out
    assert "common options" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    assert capsys.readouterr().out == out


@pytest.mark.parametrize("name", ["validate", "plan", "apply", "status", "download", "import",
                                  "schema", "sim serve"])
def test_every_command_s_help_explains_itself(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.help import BY_NAME
    with pytest.raises(SystemExit) as exited:
        main([*name.split(), "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    info = BY_NAME[name]
    assert info.description.split()[0] in out
    assert "examples:" in out and len(info.examples) >= 2
    for line, _ in info.examples:
        assert line in out
    assert "exit codes:" in out and all(f"  {code} " in out for code, _ in info.exits)


#: where each common option does something; offered nowhere else
OFFERED = {
    "validate": {"--user"}, "schema": set(), "plan": {"--server", "--user", "-v", "--no-color"},
    "apply": {"--server", "--user", "-v", "--no-color"},
    "status": {"--server", "--user", "--no-color"}, "download": {"--server", "--user"},
    "import": {"--server", "--user"}, "sim serve": {"-v"},
}


@pytest.mark.parametrize("name", sorted(OFFERED))
def test_common_options_are_offered_only_where_they_do_something(
        name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([*name.split(), "--help"])
    out = capsys.readouterr().out
    usage = out.split("\n\n")[0]
    shown = {flag for flag in ("--server", "--user", "-v", "--no-color") if f"[{flag}" in usage}
    assert shown == OFFERED[name]


def test_a_common_option_given_where_it_does_nothing_is_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--no-color", "validate", "x.yaml"])
    assert exited.value.code == EXIT_ERROR
    assert "--no-color does nothing for validate" in capsys.readouterr().err


def test_output_to_a_pipe_that_closes_early_ends_quietly(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    for command in ("schema", "validate --payloads examples/grb-followup.yaml"):
        run = subprocess.run(f"{sys.executable} -m reconciler {command} | head -c 10",
                             shell=True, cwd=root, capture_output=True, text=True, timeout=60)
        assert len(run.stdout) == 10
        assert run.stderr == "" or "Traceback" not in run.stderr and "Broken" not in run.stderr


def test_sim_serve_defaults_come_from_the_simulator_config() -> None:
    args = build_parser().parse_args(["sim", "serve"])
    assert args.max_queued == SimConfig.max_queued
    assert args.expire_seconds == SimConfig.expire_seconds
    assert (args.host, args.port) == ("127.0.0.1", 8765)


def test_the_cli_does_not_load_the_simulator_server_or_http_until_needed() -> None:
    code = ("import sys, reconciler.cli; "
            "print(sorted(m for m in ('reconciler.sim.server', 'requests') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unreachable_real_server_suggests_the_simulator(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.client.errors import TransportError
    from reconciler.commands import plan as plan_command

    def unreachable(args: Any) -> int:
        raise TransportError("listOldJobs.php", "listOldJobs.php could not connect")

    monkeypatch.setattr(plan_command, "run", unreachable)
    assert main(["plan", "spec.yaml"]) == EXIT_ERROR
    assert "add --server sim" in capsys.readouterr().err
    assert main(["plan", "spec.yaml", "--server", "https://example.org/x"]) == EXIT_ERROR
    assert "--server sim" not in capsys.readouterr().err


# --- --user, XRT_USER and --server are checked like the spec's user and server (issue 10, 3) --

USERS = ["me@example.org", "me", "me@example", "a b@example.org", "me@example.org\n", ""]
SERVERS = ["sim", "https://www.swift.ac.uk/user_objects/", "http://127.0.0.1:8765/user_objects",
           "ftp://example.org", "www.swift.ac.uk", "http:///x", "SIM"]


def _spec_accepts(tmp_path: Path, key: str, value: str) -> bool:
    path = tmp_path / "spec.yaml"
    path.write_text(f"version: 1\n{key}: {json.dumps(value)}\n"
                    "sources:\n  A: {targ: '1', SourceDet: {whichData: all}}\n", encoding="utf-8")
    return spec.check(path)[0] is not None


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().err


@pytest.fixture()
def a_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("XRT_USER", raising=False)
    path = tmp_path / "ok.yaml"
    path.write_text("version: 1\nsources:\n  A: {targ: '1', SourceDet: {whichData: all}}\n",
                    encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("value", USERS)
def test_user_on_the_command_line_is_judged_as_in_the_spec(
        value: str, a_spec: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    accepted = _spec_accepts(tmp_path, "user", value)
    assert (_cli(capsys, "--user", value, "validate", a_spec)[0] == 0) is accepted
    assert (_cli(capsys, "validate", a_spec, "--user", value)[0] == 0) is accepted
    if value:  # an empty XRT_USER counts as unset
        monkeypatch.setenv("XRT_USER", value)
        assert (_cli(capsys, "validate", a_spec)[0] == 0) is accepted


@pytest.mark.parametrize("value", SERVERS)
def test_server_on_the_command_line_is_judged_as_in_the_spec(
        value: str, a_spec: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    accepted = _spec_accepts(tmp_path, "server", value)
    # validate needs no server: plan on a missing file shows whether --server passed
    code, err = _cli(capsys, "plan", "missing.yaml", "--server", value)
    assert code == 1 and ("--server must be" not in err) is accepted


def test_a_bad_user_or_server_is_one_line_naming_the_option(
        a_spec: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(capsys, "--user", "me", "validate", a_spec) == (
        1, "error: --user must be the e-mail address registered with the UKSSDC, not 'me' — "
           "e.g. --user you@example.org\n")
    assert _cli(capsys, "plan", a_spec, "--server", "www.swift.ac.uk") == (
        1, "error: --server must be an http(s) URL or the word sim, not 'www.swift.ac.uk' — "
           "e.g. --server https://www.swift.ac.uk/user_objects, or --server sim\n")
    monkeypatch.setenv("XRT_USER", "someone")
    assert _cli(capsys, "validate", a_spec) == (
        1, "error: XRT_USER must be the e-mail address registered with the UKSSDC, not "
           "'someone' — e.g. export XRT_USER=you@example.org\n")
