"""Progress reports of running products."""

from __future__ import annotations

import pytest

from reconciler.protocol.catalogue import PRODUCTS
from reconciler.sim import progress


def statuses(report: dict) -> list[int]:
    return [s["StepStatus"] for s in report["ProgressSteps"]]


def test_every_product_has_steps() -> None:
    assert set(progress.STEPS) == {p.key for p in PRODUCTS.values()}


@pytest.mark.parametrize("fraction, expected", [
    (0.0, [1, 0, 0, 0]), (0.3, [2, 1, 0, 0]), (0.6, [2, 2, 1, 0]), (0.99, [2, 2, 2, 1]),
    (1.5, [2, 2, 2, 1]),
])
def test_the_active_step_follows_the_elapsed_fraction(fraction: float, expected: list[int]) -> None:
    report = progress.running("lc", fraction, 0)
    assert report["GotProgress"] == 1 and statuses(report) == expected


def test_running_time_is_hours_minutes_seconds() -> None:
    assert progress.running("image", 0.5, 3725.9)["TimeRunning"] == "01:02:05"


def test_extras_substeps_and_pre_progress() -> None:
    spec = progress.running("spec", 0.75, 10)
    build = spec["ProgressSteps"][1]
    assert build["StepStatus"] == 1 and build["StepExtra"].startswith("Working on spectrum")
    assert [s["StepStatus"] for s in build["SubStep"]] == [2, 1]
    early = progress.running("spec", 0.1, 10)["ProgressSteps"][1]
    assert "StepExtra" not in early and [s["StepStatus"] for s in early["SubStep"]] == [0, 0]
    assert progress.running("enh", 0.1, 1)["PreProgress"].startswith("Trying using")
    assert "PreProgress" not in progress.running("psf", 0.1, 1)
