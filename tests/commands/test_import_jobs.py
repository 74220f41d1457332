"""``import``: a spec and its lock from the server's jobs; an immediate plan has no changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reconciler.client import Client
from reconciler.protocol.request import build
from reconciler.protocol.wire import to_payload

from .support import USER, run

pytestmark = pytest.mark.usefixtures("isolated")


def history(sim: Any) -> None:
    """50 jobs: 25 names, each with an older and a newer job of other parameters, varied."""
    with Client(sim.base_url, USER) as client:
        for i in range(25):
            for version in (0, 1):
                globals_: dict[str, Any] = {"RA": 10.0 + i, "Dec": -20.0 + i,
                                            "targ": f"{i:08d}", "centroid": i % 2 == 0,
                                            "useSXPS": False}
                if globals_["centroid"]:
                    globals_.update(posErr=1 + i % 3, centMeth="iterative")
                products: dict[str, Any] = {
                    "LightCurve": {"binMeth": ("counts", "time", "snapshot")[i % 3],
                                   "pcCounts": 10 + version, "wtCounts": 20, "dynamic": True,
                                   "minSNR": 3.0},
                }
                if i % 4 == 0:
                    products["Spectrum"] = {"hasRedshift": True, "redshift": 0.1 * i + 0.1,
                                            "galactic": False}
                if i % 5 == 0:
                    products["StandardPos"] = {"whichData": "all", "posRadius": 15}
                request, problems = build(f"Target {i:02d}", globals_, products)
                assert not problems, problems
                client.submit(to_payload(request, USER))


def test_import_of_fifty_jobs_then_plan_has_no_changes(sim_factory: Any, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.01, max_queued=100)
    history(sim)
    code, out, err = run(capsys, "import", "--user", USER, "--server", sim.base_url,
                         "--output", "imported.yaml")
    assert code == 0, err
    assert "25 sources written to imported.yaml, with its lock imported.lock.yaml" in err
    assert err.count("other job of this name") == 25
    assert (tmp_path / "imported.lock.yaml").is_file()
    code, out, _ = run(capsys, "plan", "imported.yaml", "--server", sim.base_url,
                       "--detailed-exitcode")
    assert (code, out.splitlines()[-1]) == (0, "No changes.")
    text = (tmp_path / "imported.yaml").read_text()
    assert "minSNR: 3}" in text and "pcCounts: 11" in text and "galactic: false" in text
    assert "minEnergy" not in text  # defaults are left out


def test_import_by_name_and_refusing_to_overwrite(sim_factory: Any, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.01, max_queued=100)
    history(sim)
    code, _, err = run(capsys, "import", "--user", USER, "--server", sim.base_url,
                       "--name", "Target 1*", "--output", "some.yaml")
    assert code == 0 and "10 sources written" in err
    code, _, err = run(capsys, "import", "--user", USER, "--server", sim.base_url,
                       "--output", "some.yaml")
    assert code == 1 and "exists already" in err
