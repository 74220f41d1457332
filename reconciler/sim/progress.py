"""Progress reports for running products (ukssdc-api.md §2.5, the ``progress`` object).

Step labels are the ones the UKSSDC shows (source detection's are not documented and are this
simulator's). The active step moves through the list as the running stage elapses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..protocol.catalogue import ENH, IMAGE, LC, PRODUCTS, PSF, SOURCEDET, SPEC, XASTROM


@dataclass(frozen=True)
class Step:
    label: str
    extra: str | None = None
    substeps: tuple["Step", ...] = ()


_BY_PRODUCT: dict[str, tuple[Step, ...]] = {
    LC: (
        Step("Prepare data and centroid (if selected)."),
        Step("Extract data."),
        Step("Binning light curve."),
        Step("Plotting light curve as image."),
    ),
    SPEC: (
        Step("Prepare data."),
        Step("Build spectra.", "Working on spectrum: interval0 (1/1)",
             (Step("Extract data.", "Working on observation 1 / 1"), Step("Fit spectrum."))),
    ),
    PSF: (
        Step("Collect data."),
        Step("Sum images and exposure maps."),
        Step("Perform detection with locally-estimated background"),
        Step("Perform PSF fit."),
    ),
    ENH: (
        Step("Identify XRT-UVOT overlaps."),
        Step("Determine position.", "Working on overlap 1 / 1"),
        Step("Build Images."),
    ),
    XASTROM: (
        Step("Prepare data."),
        Step("Collect data."),
        Step("Prepare data for iterative source detection."),
        Step("Create per-snapshot images and exposure maps.", "Working on observation 2 / 12"),
        Step("Sum per-snapshot images and exposure maps."),
        Step("Run source detection."),
        Step("Perform initial rough detection with locally-estimated background"),
        Step("Construct initial background map."),
        Step("Perform initial source detection using the background map."),
        Step("Searching for sources.", None,
             (Step("PSF fit sources found in previous iteration."), Step("Build background map."),
              Step("Perform source detection."))),
        Step("Perform final fit."),
        Step("Calculate astrometric correction."),
    ),
    IMAGE: (
        Step("Collect data."),
        Step("Merge event lists."),
        Step("Creating images."),
        Step("Creating exposure map."),
    ),
    SOURCEDET: (
        Step("Collect data."),
        Step("Sum images and exposure maps."),
        Step("Run source detection."),
        Step("Characterise detected sources."),
    ),
}

#: Steps by product short key (``lc``), the key the status endpoint uses.
STEPS: dict[str, tuple[Step, ...]] = {PRODUCTS[p].key: steps for p, steps in _BY_PRODUCT.items()}

PRE_PROGRESS = {PRODUCTS[ENH].key: "Trying using the <em>v,b,white</em> filters:"}

NOT_REQUESTED: dict[str, Any] = {"GotProgress": 0}


def _hms(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _steps(steps: tuple[Step, ...], fraction: float) -> list[dict[str, Any]]:
    active = min(int(fraction * len(steps)), len(steps) - 1)
    out = []
    for i, step in enumerate(steps):
        entry: dict[str, Any] = {"StepLabel": step.label,
                                 "StepStatus": 2 if i < active else 1 if i == active else 0}
        if i == active and step.extra:
            entry["StepExtra"] = step.extra
        if step.substeps:
            entry["SubStep"] = _steps(step.substeps, fraction * len(steps) - i) if i == active \
                else [{"StepLabel": s.label, "StepStatus": entry["StepStatus"]}
                      for s in step.substeps]
        out.append(entry)
    return out


def running(key: str, fraction: float, running_for: float) -> dict[str, Any]:
    """The progress object of a running product, ``fraction`` of the way through."""
    fraction = min(max(fraction, 0.0), 0.999999)
    report: dict[str, Any] = {"GotProgress": 1, "TimeRunning": _hms(running_for)}
    if key in PRE_PROGRESS:
        report["PreProgress"] = PRE_PROGRESS[key]
    report["ProgressSteps"] = _steps(STEPS[key], fraction)
    return report
