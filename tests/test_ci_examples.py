"""The CI workflow example and the pre-commit hook run real, valid commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from ruamel.yaml import YAML

from reconciler.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def commands(script: str) -> list[list[str]]:
    """The xrt-reconcile invocations in a shell script, as argument lists."""
    found = []
    for line in script.splitlines():
        match = re.match(r"\s*xrt-reconcile ([^>|&]*)", line)
        if match:
            found.append(shlex.split(match.group(1).replace('"$SPEC"', "specs/sources.yaml")))
    return found


def test_the_workflow_plans_pull_requests_and_applies_main_in_a_concurrency_group() -> None:
    workflow = YAML(typ="safe").load((ROOT / "examples" / "ci" / "xrt-reconcile.yml").read_text())
    plan, apply = workflow["jobs"]["plan"], workflow["jobs"]["apply"]
    assert "pull_request" in plan["if"] and "push" in apply["if"]
    assert apply["concurrency"]["cancel-in-progress"] is False
    plan_runs = commands("\n".join(s.get("run", "") for s in plan["steps"]))
    apply_runs = commands("\n".join(s.get("run", "") for s in apply["steps"]))
    assert ["plan", "specs/sources.yaml", "--detailed-exitcode", "--no-color"] in plan_runs
    assert ["apply", "specs/sources.yaml", "--auto-approve", "--no-color"] in apply_runs
    parser = build_parser()
    for argv in plan_runs + apply_runs:
        parser.parse_args(argv)  # exits (and fails the test) on an unknown option


def test_the_pre_commit_hook_runs_validate_on_specs_not_locks() -> None:
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "xrt-reconcile validate" and hook["language"] == "python"
    assert re.search(hook["files"], "specs/sources.yaml")
    assert re.search(hook["exclude"], "specs/sources.lock.yaml")
    build_parser().parse_args([*hook["entry"].split()[1:], "specs/sources.yaml"])
