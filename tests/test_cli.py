"""The argument parser: exit codes, options before or after the command, help text."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from reconciler.cli import EXIT_ERROR, build_parser, main
from reconciler.sim import SimConfig


@pytest.mark.parametrize("argv", [[], ["bogus"], ["validate"], ["sim"], ["sim", "serve", "--port", "x"]])
def test_a_usage_error_exits_1_not_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    # 2 means "changes present" (plan --detailed-exitcode), so argparse's 2 must not leak out
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_ERROR
    assert "error:" in capsys.readouterr().err


def test_common_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--server", "sim", "--user", "a@b.org", "validate", "x.yaml"])
    after = parser.parse_args(["validate", "x.yaml", "--server", "sim", "--user", "a@b.org", "-v"])
    assert (before.server, before.user, before.verbose) == ("sim", "a@b.org", 0)
    assert (after.server, after.user, after.verbose) == ("sim", "a@b.org", 1)
    assert parser.parse_args(["validate", "x.yaml"]).server is None


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
