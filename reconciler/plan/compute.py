"""The whole plan: every source decided (:mod:`reconciler.plan.decide`), sources that left the
spec forgotten, jobs under unmanaged names listed, drift reported, and the lock as it stands
once the plan's non-submitting changes are recorded.

Pure. :func:`plan_sources` may answer that it needs more facts; a driver (the state package)
fetches them and asks again for the sources that were waiting. :func:`compute` is the one-shot
form for inputs that already hold every fact.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

from ..state.lock import Lock
from .basis import deferred
from .decide import SourceOutcome, SourcePlanner, observed_values
from .drift import drifts
from .model import (
    Action,
    HistoryRow,
    Inputs,
    Needs,
    Plan,
    ProductPlan,
    SourcePlan,
    Unmanaged,
)


class History:
    """The history rows indexed the ways a plan reads them."""

    def __init__(self, rows: Iterable[HistoryRow]) -> None:
        ordered = sorted(rows, key=lambda r: r.job_id, reverse=True)
        self.by_id = {r.job_id: r for r in ordered}
        self.by_name: dict[str, list[HistoryRow]] = defaultdict(list)
        for row in ordered:
            self.by_name[row.name].append(row)
        self.mark = ordered[0].job_id if ordered else 0


def in_scope(inputs: Inputs) -> list[str]:
    """The spec's sources this plan covers, in spec order."""
    targets = inputs.options.targets
    return [n for n in inputs.sources if targets is None or n in targets]


def plan_sources(inputs: Inputs, names: Iterable[str], history: History | None = None
                 ) -> tuple[dict[str, SourceOutcome], Needs]:
    """Decide ``names``; those still waiting for facts are left out and their needs merged."""
    history = history or History(inputs.facts.history)
    done: dict[str, SourceOutcome] = {}
    params: set[int] = set()
    statuses: set[int] = set()
    observed = observed_values(inputs.lock)
    for name in names:
        planner = SourcePlanner(name, inputs.sources[name], inputs.lock, inputs.facts,
                                history.by_name.get(name, []), history.by_id, inputs.options,
                                inputs.now, observed)
        result = planner.run()
        if isinstance(result, Needs):  # gathered in sets: a union per source was quadratic
            params |= result.params
            statuses |= result.statuses
        else:
            done[name] = result
    return done, Needs(frozenset(params), frozenset(statuses))


def assemble(inputs: Inputs, outcomes: Mapping[str, SourceOutcome],
             history: History | None = None) -> Plan:
    """The plan from every planned source's outcome."""
    history = history or History(inputs.facts.history)
    lock = inputs.lock
    names = in_scope(inputs)
    whole = inputs.options.targets is None
    plans = [outcomes[n].plan for n in names]
    gone = [n for n in lock.sources if n not in inputs.sources] if whole else []
    for name in gone:
        plans.append(SourcePlan(name, tuple(
            ProductPlan(product, Action.FORGET, "source no longer in the spec",
                        (record.serving or record.attempt).job  # type: ignore[union-attr]
                        if (record.serving or record.attempt) else None)
            for product, record in lock.sources[name].products.items()
        )))
    sources = dict(lock.sources)
    jobs = dict(lock.jobs)
    for name in names:
        outcome = outcomes[name]
        if outcome.record is None:
            sources.pop(name, None)
        else:
            sources[name] = outcome.record
        jobs.update(outcome.jobs)
    for name in gone:
        sources.pop(name)
    referenced = {r.job for s in sources.values() for p in s.products.values()
                  for r in (p.serving, p.attempt) if r}
    referenced |= {s.resolved.job for s in sources.values() if s.resolved}
    planned = set(names)
    after = Lock(
        server=lock.server, user=lock.user, sources=sources,
        jobs={j: r for j, r in jobs.items() if j in referenced},
        observed_defaults=lock.observed_defaults,
        pending=[p for p in lock.pending if p.name not in planned],
    )
    managed = set(inputs.sources) | set(gone)
    unmanaged = () if not whole else tuple(
        Unmanaged(name, tuple(r.job_id for r in rows))
        for name, rows in sorted(history.by_name.items()) if name not in managed
    )
    foreign = tuple(f for n in names for f in outcomes[n].foreign)
    return Plan(inputs.server, inputs.user, tuple(plans), after, foreign, unmanaged,
                drifts(lock.observed_defaults), history.mark,
                deferred(inputs.server, inputs.user, lock, inputs.facts.history,
                         [*names, *gone], inputs.facts.statuses))


def compute(inputs: Inputs) -> Plan | Needs:
    """One pass over every source: the plan, or the facts it still needs."""
    history = History(inputs.facts.history)
    outcomes, needs = plan_sources(inputs, in_scope(inputs), history)
    if needs:
        return needs
    return assemble(inputs, outcomes, history)
