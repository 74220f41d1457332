"""How a job's products move through their statuses (ukssdc-api.md §2.5, §4.5), as pure functions.

Nothing here is stored: a product's status follows from when the job was submitted, the stage
length it was submitted with, whether it is configured to fail, and when (if ever) it was
cancelled. That keeps the store trivial and makes every status reproducible after a restart.

Each product: 1 (requested) -> 2 (queued) -> 3 (running) -> 4 (complete) or -3 (failed), one
stage each. The astrometric position waits at 5 until the standard position has finished, then
runs; it fails (-3) if the standard position did not complete. Cancelling a product that is not
finished turns it to -4 from that moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from ..protocol.catalogue import (
    ACTIVE_STATUSES,
    PRODUCTS,
    PSF,
    TERMINAL_STATUSES,
    XASTROM,
    Status,
)

COMPLETE, FAILED, CANCELLED = Status.COMPLETE, Status.FAILED, Status.CANCELLED
REQUESTED, QUEUED, RUNNING, WAITING = Status.REQUESTED, Status.QUEUED, Status.RUNNING, Status.WAITING
_PSF_KEY = PRODUCTS[PSF].key
_XASTROM_KEY = PRODUCTS[XASTROM].key


@dataclass(frozen=True)
class Phase:
    """The product has ``status`` from time ``start`` until the next phase."""

    status: int
    start: float


@dataclass(frozen=True)
class Schedule:
    """What decides a job's statuses. ``products`` are short keys (``lc``) in flag order."""

    submitted_at: float
    stage_seconds: float
    products: tuple[str, ...]
    fails: frozenset[str] = frozenset()
    cancelled: Mapping[str, float] = field(default_factory=dict)


def _truncate(phases: list[Phase], at: float, status: int) -> list[Phase]:
    """The phases up to ``at``, then ``status`` from ``at`` on."""
    return [p for p in phases if p.start < at] + [Phase(status, at)]


def _standard(s: Schedule, key: str) -> list[Phase]:
    t0, stage = s.submitted_at, s.stage_seconds
    return [
        Phase(REQUESTED, t0),
        Phase(QUEUED, t0 + stage),
        Phase(RUNNING, t0 + 2 * stage),
        Phase(FAILED if key in s.fails else COMPLETE, t0 + 3 * stage),
    ]


def _after_psf(s: Schedule, key: str, psf: list[Phase]) -> list[Phase]:
    t0, stage = s.submitted_at, s.stage_seconds
    psf_end = psf[-1]
    phases = [Phase(REQUESTED, t0)]
    if psf_end.start > t0 + stage:
        phases.append(Phase(WAITING, t0 + stage))
    if psf_end.status != COMPLETE:
        return _truncate(phases, max(psf_end.start, t0), FAILED)
    run = max(psf_end.start, t0 + stage)
    phases += [Phase(RUNNING, run), Phase(FAILED if key in s.fails else COMPLETE, run + stage)]
    return phases


def _cancel(phases: list[Phase], at: float | None) -> list[Phase]:
    if at is None or status_at(phases, at)[0] not in ACTIVE_STATUSES:
        return phases
    return _truncate(phases, at, CANCELLED)


def timelines(s: Schedule) -> dict[str, list[Phase]]:
    """Every product's phases, in the job's product order."""
    out: dict[str, list[Phase]] = {}
    for key in s.products:
        if key != _XASTROM_KEY:
            out[key] = _cancel(_standard(s, key), s.cancelled.get(key))
    if _XASTROM_KEY in s.products:
        psf = out.get(_PSF_KEY) or [Phase(COMPLETE, s.submitted_at)]
        out[_XASTROM_KEY] = _cancel(_after_psf(s, _XASTROM_KEY, psf),
                                    s.cancelled.get(_XASTROM_KEY))
    return {key: out[key] for key in s.products}


def status_at(phases: list[Phase], now: float) -> tuple[int, float]:
    """The status at ``now`` and since when it has held (before submission: status 1)."""
    current = phases[0]
    for phase in phases:
        if phase.start <= now:
            current = phase
        else:
            break
    return current.status, current.start


def finished_at(s: Schedule) -> float:
    """When the last product reaches a terminal status: the job is active until then."""
    ends = [phases[-1].start for phases in timelines(s).values()]
    return max(ends, default=s.submitted_at)


def statuses(s: Schedule, now: float) -> dict[str, tuple[int, float]]:
    """Each product's status and since when, at ``now``."""
    return {key: status_at(phases, now) for key, phases in timelines(s).items()}


def is_terminal(status: int) -> bool:
    return status in TERMINAL_STATUSES


def with_cancellations(s: Schedule, keys: list[str], now: float) -> tuple[Schedule, dict[str, int]]:
    """Cancel ``keys`` at ``now``: the new schedule and each key's cancel code (§2.6).

    0 cancelled; 1 already finished or cancelled; 2 no such product in this job.
    """
    current = statuses(s, now)
    cancelled = dict(s.cancelled)
    codes: dict[str, int] = {}
    for key in keys:
        if key not in current:
            codes[key] = 2
        elif current[key][0] in ACTIVE_STATUSES:
            cancelled.setdefault(key, now)
            codes[key] = 0
        else:
            codes[key] = 1
    new = Schedule(s.submitted_at, s.stage_seconds, s.products, s.fails, cancelled)
    return new, codes
