"""The plan is pure: importing it loads no HTTP client and none of the tool's file writers."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("requests", "reconciler.client", "reconciler.state.lockfile",
             "reconciler.state.cache", "reconciler.state.history", "reconciler.state.ledger",
             "reconciler.sim", "reconciler.session", "reconciler.apply")


def test_the_plan_package_imports_no_io() -> None:
    code = (
        "import sys, json\n"
        "import reconciler.plan.compute, reconciler.plan.render_text, "
        "reconciler.plan.render_json, reconciler.plan.codec, reconciler.plan.basis\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({FORBIDDEN!r}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout) == []
