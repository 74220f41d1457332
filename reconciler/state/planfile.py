"""Saved plans (``plan --out PLAN``): the plan as data, with what apply needs to run it later.

The file is JSON: the plan as ``plan --json`` shows it (for people and tools to read), and the
exact plan with its basis (for ``apply PLAN``), plus the spec it came from and the options it
was computed with, so apply can check that nothing it was computed from has moved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..plan.codec import decode, encode
from ..plan.model import Options, Plan
from ..plan.render_json import as_json
from .lockfile import atomic_write

KIND = "xrt-reconcile plan"
FORMAT = 1


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    spec: Path
    options: Options


def save(path: str | Path, plan: Plan, spec: Path, options: Options) -> None:
    data: dict[str, Any] = {
        "kind": KIND,
        "format": FORMAT,
        "spec": str(Path(spec).resolve()),
        "options": {
            "targets": None if options.targets is None else sorted(options.targets),
            "retry_failed": options.retry_failed,
            "refresh_resolved": options.refresh_resolved,
        },
        "shown": as_json(plan),
        "plan": encode(plan),
    }
    try:
        atomic_write(Path(path), json.dumps(data, indent=1, sort_keys=True) + "\n")
    except OSError as error:
        raise UserError(f"could not save the plan to {path}: {error.strerror or error}") \
            from None


def is_plan_file(path: str | Path) -> bool:
    """Whether ``path`` holds a saved plan (rather than a spec): ``apply`` takes either."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and KIND.encode() in head


def load(path: str | Path) -> SavedPlan:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("kind") != KIND:
            raise ValueError("not a saved plan")
        if data.get("format") != FORMAT:
            raise ValueError(f"plan format {data.get('format')!r} is not one this version "
                             f"reads ({FORMAT})")
        opts = data.get("options") or {}
        targets = opts.get("targets")
        options = Options(targets=None if targets is None else frozenset(targets),
                          retry_failed=bool(opts.get("retry_failed")),
                          refresh_resolved=bool(opts.get("refresh_resolved")))
        return SavedPlan(decode(data.get("plan")), Path(str(data.get("spec"))), options)
    except OSError as error:
        raise UserError(f"could not read the plan {path}: {error.strerror or error}") from None
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise UserError(f"{path} is not a usable saved plan ({error}); make a new one with "
                        "plan --out") from None
