"""The plan as data: what it is computed from, what it decides, and what it still needs to know.

Everything here is a frozen value, so a plan can be shown, saved and applied later, and the
computation (:mod:`reconciler.plan.compute`) stays a pure function from inputs to a plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping

from ..protocol.history import OldJob
from ..spec import SourceSpec
from ..state.lock import Lock

if TYPE_CHECKING:
    from .compare import ParsRead


class _Sentinel(Enum):
    """Values that are not parameter values: ABSENT (not set, no default) and WILDCARD (filled
    by a server directive, no pin yet: anything the server chose matches)."""

    ABSENT = "absent"
    WILDCARD = "wildcard"

    def __repr__(self) -> str:
        return self.name


ABSENT = _Sentinel.ABSENT
WILDCARD = _Sentinel.WILDCARD


class Action(str, Enum):
    CREATE = "create"
    REPLACE = "replace"
    REBUILD = "rebuild"
    ADOPT = "adopt"
    FORGET = "forget"
    NOOP = "noop"
    UNMANAGED = "unmanaged"


#: Actions that submit a job.
SUBMITTING = frozenset({Action.CREATE, Action.REPLACE, Action.REBUILD})
#: Actions that change something (the lock at least); noop and unmanaged do not.
CHANGING = frozenset({*SUBMITTING, Action.ADOPT, Action.FORGET})


# --- inputs ---------------------------------------------------------------------------------------

#: one ``listOldJobs`` entry (the client reads it, the plan reasons about it)
HistoryRow = OldJob


@dataclass(frozen=True)
class JobParams:
    """What ``getOldProduct`` (or a submit reply) said a job ran with."""

    job_pars: Mapping[str, Any] = field(hash=False)
    url: str | None = None

    @cached_property
    def read(self) -> ParsRead:
        """``job_pars`` read into canonical values, once: a plan looks at a job in several
        rounds and for several products, and reading is most of what comparing costs."""
        from .compare import read_pars  # compare builds on this module
        return read_pars(self.job_pars)


#: The status of a product the server does not report for a job (not part of it).
ABSENT_WORD = "absent"


@dataclass(frozen=True)
class Facts:
    """What is known about the server now. ``statuses`` hold only trustworthy words: terminal
    ones from the lock or cache, and anything fetched during this plan."""

    history: tuple[HistoryRow, ...]
    params: Mapping[int, JobParams] = field(default_factory=dict)
    statuses: Mapping[int, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    targets: frozenset[str] | None = None
    retry_failed: bool = False
    refresh_resolved: bool = False
    #: jobs per source whose parameters a plan may look at when it searches the history
    walk_cap: int = 5


@dataclass(frozen=True)
class Inputs:
    """Everything a plan is computed from (the spec's sources in file order)."""

    server: str
    user: str
    sources: Mapping[str, SourceSpec]
    lock: Lock
    facts: Facts
    now: datetime
    options: Options = Options()


@dataclass(frozen=True)
class Needs:
    """Facts a plan is waiting for: parameters of some jobs, statuses of others."""

    params: frozenset[int] = frozenset()
    statuses: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.params or self.statuses)

    def __or__(self, other: Needs) -> Needs:
        return Needs(self.params | other.params, self.statuses | other.statuses)


# --- outputs --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ParamChange:
    """``scope`` is ``globals`` or a product; ``old``/``new`` may be ABSENT."""

    scope: str
    parameter: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ProductPlan:
    product: str
    action: Action
    #: why, in words ("parameters changed", "47 days old, max_age 30d", ...)
    reason: str = ""
    #: the job concerned: replaced, rebuilt, adopted or forgotten; the one serving a noop
    job: int | None = None
    diff: tuple[ParamChange, ...] = ()
    #: for a noop: the state worth showing ("running", "failed", "cancelled", "expired")
    state: str | None = None


@dataclass(frozen=True)
class Submission:
    """One job to submit for one source: its products, exact wire payload, the fingerprints to
    record, and the superseded (job, product) pairs to cancel once it is accepted."""

    source: str
    products: tuple[str, ...]
    payload: Mapping[str, Any] = field(hash=False)
    fingerprints: Mapping[str, str] = field(hash=False)
    cancel: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ForeignJob:
    """A job under a managed name that the plan does not use."""

    source: str
    job: int
    products: tuple[str, ...]
    submitted: datetime
    note: str


@dataclass(frozen=True)
class SourcePlan:
    source: str
    products: tuple[ProductPlan, ...]
    submission: Submission | None = None


@dataclass(frozen=True)
class Unmanaged:
    """Jobs under a name the spec does not manage: reported, never touched."""

    name: str
    jobs: tuple[int, ...]


@dataclass(frozen=True)
class Drift:
    """A server default that moved: ``observed`` (value, job) pairs, oldest first."""

    parameter: str
    catalogue_default: Any
    observed: tuple[tuple[Any, int], ...]
    job: int


@dataclass(frozen=True)
class Plan:
    """A computed plan. ``lock`` is the lock as it stands once the plan's non-submitting changes
    (adoptions, forgets, finished attempts) are recorded; apply adds the submissions to it."""

    server: str
    user: str
    sources: tuple[SourcePlan, ...]
    lock: Lock
    foreign: tuple[ForeignJob, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    drift: tuple[Drift, ...] = ()
    #: the highest JobID in the history the plan saw
    mark: int = 0
    #: digests of what the plan was computed from (reconciler.plan.basis)
    basis: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def submissions(self) -> tuple[Submission, ...]:
        return tuple(s.submission for s in self.sources if s.submission is not None)

    def counts(self) -> dict[str, int]:
        counts = {a.value: 0 for a in Action}
        for source in self.sources:
            for product in source.products:
                counts[product.action.value] += 1
        counts[Action.UNMANAGED.value] = sum(len(u.jobs) for u in self.unmanaged)
        return counts

    @property
    def has_changes(self) -> bool:
        return any(p.action in CHANGING for s in self.sources for p in s.products)
