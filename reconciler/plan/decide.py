"""The decision for one source: per product create, replace, rebuild, adopt, forget or noop,
and the one submission that carries every product needing work (DESIGN §3).

Pure: it reads the spec, the lock and the facts, and returns either the source's outcome or the
facts it still needs (job parameters, product statuses). The driver fetches those and asks
again; each round only adds facts, so the rounds end.

Order of reasoning for a product: recover a submission whose answer was lost (pending); an
attempt that completed becomes the serving job; an attempt still running with the wanted
parameters is waited for; a failed one is shown, not resubmitted, unless asked; a serving job
with the wanted parameters stays, unless it is too old (``max_age``, for ``whichData: all``) or
its files are gone (``rebuild.expired``); otherwise the name's other jobs are searched, newest
first and capped, for one to adopt; failing that, a new job is planned.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Mapping

from ..protocol.catalogue import ENVELOPE_KEYS, GLOBAL_SCOPE, GLOBALS
from ..protocol.wire import to_payload
from ..spec import SourceSpec
from ..spec.durations import spell
from ..state.lock import (
    STATUS_WORDS,
    JobRecord,
    JobRef,
    Lock,
    ProductRecord,
    SourceRecord,
    resolved_for,
)
from . import desired
from .compare import Comparison, JobView, compare, payload_matches, view
from .model import (
    ABSENT_WORD,
    Action,
    Facts,
    ForeignJob,
    HistoryRow,
    Needs,
    Options,
    ParamChange,
    ProductPlan,
    SourcePlan,
    Submission,
)

_MATCH = Comparison()
#: what an entry the lock does not have reads as (frozen, so shared)
_NO_SOURCE, _NO_PRODUCT = SourceRecord(), ProductRecord()
_ACTIVE = frozenset({"requested", "queued", "running", "waiting"})
_UNSUCCESSFUL = frozenset({"failed", "cancelled", ABSENT_WORD})
#: adoption preference among matching jobs: complete with files held, then running, then expired
_HELD, _RUNNING, _EXPIRED = 0, 1, 2


def observed_values(lock: Lock) -> dict[str, Any]:
    """The lock's observed defaults by name, as :func:`desired.effective` reads them."""
    return {k: o.value for k, o in lock.observed_defaults.items()}


def when(moment: datetime) -> str:
    """DateSubmitted as the server writes it, for the lock."""
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class SourceOutcome:
    """One source's plan, its lock entry afterwards, and the job records that entry needs."""

    plan: SourcePlan
    record: SourceRecord | None
    jobs: Mapping[int, JobRecord] = field(default_factory=dict)
    foreign: tuple[ForeignJob, ...] = ()


@dataclass
class _Product:
    """Working state of one product while the source is decided."""

    want: desired.Wanted
    pins: Mapping[str, Any]
    observed: Mapping[str, Any]
    serving: JobRef | None
    attempt: JobRef | None
    recovered: bool = False
    plan: ProductPlan | None = None
    cancel: int | None = None
    #: directives the server must run again for this product's rebuild
    rerun: frozenset[str] = frozenset()

    @cached_property
    def values(self) -> dict[desired.Key, tuple[Any, desired.Origin]]:
        """The effective desired values: only worked out when a job must be compared or the
        product's ``whichData`` read, which a warm plan of an unchanged spec never needs."""
        return desired.effective(self.want, self.pins, self.observed)


class SourcePlanner:
    """Decides one source. ``rows`` are the history rows of its name, newest first."""

    def __init__(self, name: str, spec: SourceSpec, lock: Lock, facts: Facts,
                 rows: list[HistoryRow], row_by_id: Mapping[int, HistoryRow],
                 options: Options, now: datetime,
                 observed: Mapping[str, Any] | None = None) -> None:
        self.name, self.spec, self.lock, self.facts = name, spec, lock, facts
        self.rows, self.row_by_id, self.options, self.now = rows, row_by_id, options, now
        self.record = lock.sources.get(name) or _NO_SOURCE
        self.needs = Needs()
        self.jobs: dict[int, JobRecord] = {}
        self.notes: dict[int, str] = {}
        #: per product, the newest job looked at that differs: what a lockless replace replaces
        self.nearest: dict[str, tuple[int, tuple[ParamChange, ...]]] = {}
        resolved = self.record.resolved
        self.pins = dict(resolved.values) if resolved and not options.refresh_resolved else {}
        #: observed defaults by name (``observed``: the same, worked out once for every source)
        self.observed = observed if observed is not None else observed_values(lock)

    # -- facts -------------------------------------------------------------------------------

    def _need_params(self, job_id: int) -> None:
        self.needs = self.needs | Needs(params=frozenset({job_id}))

    def _need_status(self, job_id: int) -> None:
        self.needs = self.needs | Needs(statuses=frozenset({job_id}))

    def _job_record(self, job_id: int) -> JobRecord | None:
        return self.jobs.get(job_id) or self.lock.jobs.get(job_id)

    def status(self, job_id: int, product: str) -> str | None:
        """A trustworthy status word, or None (then it is asked for)."""
        word = self.facts.statuses.get(job_id, {}).get(product)
        if word is None:
            record = self._job_record(job_id)
            recorded = record.status.get(product) if record else None
            if recorded in ("complete", "failed", "cancelled"):
                word = recorded
        if word is None:
            self._need_status(job_id)
        return word

    def job_view(self, job_id: int) -> JobView | None:
        record = self._job_record(job_id)
        known = self.facts.params.get(job_id)
        payload = record.payload if record else None
        if payload is None and known is None:
            self._need_params(job_id)
            return None
        return view(job_id, None, payload, record.filled if record else None,
                    read=known.read if known else None)

    def matches(self, item: _Product, ref: JobRef) -> Comparison | None:
        if ref.fingerprint == item.want.fingerprint:
            return _MATCH
        seen = self.job_view(ref.job)
        return None if seen is None else compare(item.want, item.values, seen, self.observed)

    # -- the decision ------------------------------------------------------------------------

    def run(self) -> SourceOutcome | Needs:
        products = dict(self.record.products)
        recovered = self._recover(products)
        items: dict[str, _Product] = {}
        listed = self.row_by_id
        for product in self.spec.request.products:
            rec = products.get(product) or _NO_PRODUCT
            serving, attempt = rec.serving, rec.attempt  # only jobs still in the history count
            items[product] = _Product(
                desired.wanted(self.spec.request, product), self.pins, self.observed,
                serving if serving and serving.job in listed else None,
                attempt if attempt and attempt.job in listed else None,
                recovered=product in recovered,
            )
        searching = [p for p, item in items.items() if not self._decide(item)]
        if searching and not self.needs:
            self._search(items, searching)
        if self.needs:
            return self.needs
        return self._outcome(items, products)

    def _recover(self, products: dict[str, ProductRecord]) -> set[str]:
        """Pending submissions of this source: the job above the mark whose parameters equal
        the payload is the attempt; none means the submit never happened (DESIGN §2)."""
        recovered: set[str] = set()
        for pending in self.lock.pending:
            if pending.name != self.name:
                continue
            above = sorted((r for r in self.rows if r.job_id > pending.mark),
                           key=lambda r: r.job_id)
            for row in above:
                known = self.facts.params.get(row.job_id)
                if known is None:
                    self._need_params(row.job_id)
                    break
                if payload_matches(pending.payload, known.job_pars):
                    self.jobs[row.job_id] = JobRecord(
                        name=self.name, submitted=when(row.submitted), url=known.url,
                        payload={k: v for k, v in pending.payload.items()
                                 if k not in ENVELOPE_KEYS},
                    )
                    for product in pending.products:
                        old = products.get(product) or ProductRecord()
                        products[product] = ProductRecord(
                            serving=old.serving,
                            attempt=JobRef(job=row.job_id,
                                           fingerprint=pending.fingerprints.get(product, "-")))
                        recovered.add(product)
                    break
        return recovered

    def _decide(self, item: _Product) -> bool:
        """Settle a product from its serving job and attempt; False when the history must be
        searched for it."""
        product = item.want.product
        attempt_status = None
        if item.attempt is not None:
            attempt_status = self.status(item.attempt.job, product)
            if attempt_status is None:
                return True  # asked for; decided next round
            if attempt_status == "complete":
                item.serving, item.attempt = item.attempt, None
                attempt_status = None
        on_serving = self.matches(item, item.serving) if item.serving else None
        on_attempt = self.matches(item, item.attempt) if item.attempt else None
        if (item.serving and on_serving is None) or (item.attempt and on_attempt is None):
            return True  # parameters asked for; decided next round
        if item.attempt and on_attempt is not None and on_attempt.matches:
            if attempt_status in _ACTIVE:
                item.plan = self._kept(item, item.attempt.job, "running")
                return True
            retry = self.options.retry_failed or (attempt_status == "failed"
                                                  and self.spec.rebuild.failed)
            if not retry:
                item.plan = self._kept(item, item.attempt.job, attempt_status)
                return True
            why = f"retry {attempt_status} job {item.attempt.job}"
            if item.serving and on_serving is not None and on_serving.matches:
                item.plan = ProductPlan(product, Action.REBUILD, why, item.serving.job)
            elif item.serving and on_serving is not None:
                item.plan = ProductPlan(product, Action.REPLACE, why, item.serving.job,
                                        on_serving.diff)
            else:
                item.plan = ProductPlan(product, Action.CREATE, why, item.attempt.job)
            return True
        if item.serving and on_serving is not None and on_serving.matches:
            if item.attempt is not None:  # superseded: the spec went back to the serving one
                self.notes[item.attempt.job] = "superseded: the spec went back to an older job"
                item.attempt = None
            item.plan = self._fresh(item, item.serving.job, Action.NOOP)
            return True
        return False

    def _kept(self, item: _Product, job: int, state: str) -> ProductPlan:
        reason = ""
        if state != "running":
            reason = ("not resubmitted (--retry-failed, or change its parameters"
                      + (", or rebuild: {failed: true})" if state == "failed" else ")"))
        return ProductPlan(item.want.product, self._unchanged(item), reason, job, state=state)

    def _unchanged(self, item: _Product) -> Action:
        return Action.ADOPT if item.recovered else Action.NOOP

    def _fresh(self, item: _Product, job: int, action: Action) -> ProductPlan:
        """A product whose serving job matches: rebuilt only when it is too old or gone."""
        product = item.want.product
        row = self.row_by_id[job]
        rebuild = self.spec.rebuild
        if not row.has_prod:
            if rebuild.expired:
                return ProductPlan(product, Action.REBUILD,
                                   f"job {job}'s files were removed by the server", job)
            return ProductPlan(product, action if action is not Action.NOOP
                               else self._unchanged(item),
                               "the server removed its files (rebuild: {expired: true} "
                               "rebuilds them)", job, state="expired")
        age = self.now - row.submitted
        if rebuild.max_age is not None and age > rebuild.max_age \
                and desired.which_data(product, item.values) == "all":
            # new observations may come under new target IDs; RA/Dec/T0 stay pinned
            item.rerun = frozenset({"getTargs"})
            return ProductPlan(product, Action.REBUILD,
                               f"job {job} is {_days(age.total_seconds())} old "
                               f"(max_age {spell(rebuild.max_age)}, whichData all)", job)
        if self.options.refresh_resolved and item.want.directives:
            return ProductPlan(product, Action.REBUILD, "re-resolving what the server fills "
                               f"({', '.join(sorted(item.want.directives))})", job)
        if action is Action.NOOP:
            action = self._unchanged(item)
        return ProductPlan(product, action, "", job)

    # -- searching the history ---------------------------------------------------------------

    def _search(self, items: dict[str, _Product], searching: list[str]) -> None:
        """Walk the name's jobs newest first, only rows covering a product still wanted,
        looking at no more than ``walk_cap`` of them; stop for a product at its first job
        that is complete with its files held, else keep the newest running or expired one."""
        best: dict[str, tuple[int, int]] = {}
        wanted = set(searching)
        own = {r.job for p in searching for r in (items[p].serving, items[p].attempt) if r}
        examined = 0
        for row in self.rows:
            covers = [p for p in searching if p in wanted and p in row.products]
            if not covers or row.job_id in own:
                continue
            if examined >= self.options.walk_cap:
                break
            examined += 1
            seen = self.job_view(row.job_id)
            if seen is None:
                return
            for product in covers:
                item = items[product]
                result = compare(item.want, item.values, seen, self.observed)
                if not result.matches:
                    self.notes.setdefault(row.job_id, _why_not(result))
                    if not result.unreadable:
                        self.nearest.setdefault(product, (row.job_id, result.diff))
                    continue
                word = self.status(row.job_id, product)
                if word is None:
                    return
                if word in _UNSUCCESSFUL:
                    self.notes.setdefault(row.job_id, f"matches, but {word}")
                    continue
                rank = _RUNNING if word in _ACTIVE else (_HELD if row.has_prod else _EXPIRED)
                if product not in best or rank < best[product][0]:
                    best[product] = (rank, row.job_id)
                if rank == _HELD:
                    wanted.discard(product)
            if not wanted:
                break
        for product in searching:
            self._settle(items[product], best.get(product))

    def _settle(self, item: _Product, found: tuple[int, int] | None) -> None:
        product = item.want.product
        if found is not None:
            rank, job = found
            self._adopted(job, item.want)
            ref = JobRef(job=job, fingerprint=item.want.fingerprint)
            if rank == _RUNNING:
                item.attempt = ref
                item.plan = ProductPlan(product, Action.ADOPT, "matches; still running", job,
                                        state="running")
            else:
                item.serving, item.attempt = ref, None
                item.plan = self._fresh(item, job, Action.ADOPT)
                if item.plan.action is Action.ADOPT:
                    item.plan = ProductPlan(product, Action.ADOPT, "matches" + (
                        "; the server removed its files" if rank == _EXPIRED else ""),
                        job, state=item.plan.state)
            return
        running = item.attempt is not None \
            and self.status(item.attempt.job, product) in _ACTIVE
        old = item.serving or (item.attempt if running else None)
        if old is None and item.attempt is None and product in self.nearest:
            # no lock entry: the newest job of the name with this product is the one the spec
            # changed (it stays on the server; the lock did not know it, so nothing is cancelled)
            job, diff = self.nearest[product]
            item.plan = ProductPlan(product, Action.REPLACE, "parameters changed", job, diff)
            return
        if old is None:
            why = "not on the server yet" if item.attempt is None else \
                f"parameters changed since job {item.attempt.job}, which did not finish"
            item.plan = ProductPlan(product, Action.CREATE, why)
            return
        seen = self.job_view(old.job)
        diff = compare(item.want, item.values, seen, self.observed).diff if seen else ()
        item.plan = ProductPlan(product, Action.REPLACE, "parameters changed", old.job, diff)
        if running:
            item.cancel = item.attempt.job  # type: ignore[union-attr]

    def _adopted(self, job: int, want: desired.Wanted) -> None:
        """A job record for an adopted job, with what it shows the server filled."""
        row = self.row_by_id[job]
        known = self.facts.params.get(job)
        filled: dict[str, Any] = {}
        seen = view(job, read=known.read) if known else None
        if seen is not None and seen.values is not None:
            for directive in want.directives:
                for name in GLOBALS[directive].fills:
                    if (GLOBAL_SCOPE, name) in seen.values:
                        filled[name] = seen.values[(GLOBAL_SCOPE, name)]
        previous = self._job_record(job)
        self.jobs[job] = JobRecord(
            name=self.name, submitted=when(row.submitted),
            url=known.url if known else (previous.url if previous else None),
            payload=previous.payload if previous else None,
            filled=filled or (previous.filled if previous else {}),
        )

    # -- the outcome -------------------------------------------------------------------------

    def _outcome(self, items: dict[str, _Product],
                 before: dict[str, ProductRecord]) -> SourceOutcome:
        plans: list[ProductPlan] = []
        records: dict[str, ProductRecord] = {}
        submit: list[str] = []
        cancels: list[tuple[int, str]] = []
        for product, item in items.items():
            assert item.plan is not None
            plans.append(item.plan)
            if item.plan.action in (Action.CREATE, Action.REPLACE, Action.REBUILD):
                submit.append(product)
            if item.cancel is not None:
                cancels.append((item.cancel, product))
            serving = item.serving
            if serving is not None and item.plan.action in (Action.NOOP, Action.ADOPT) \
                    and item.plan.state is None and serving.fingerprint != item.want.fingerprint:
                serving = JobRef(job=serving.job, fingerprint=item.want.fingerprint)
            records[product] = _kept_or_new(before.get(product), serving, item.attempt)
        for product in before:
            if product not in items:
                old = before[product].serving or before[product].attempt
                plans.append(ProductPlan(product, Action.FORGET, "no longer in the spec",
                                         old.job if old else None))
        submission = self._submission(items, submit, cancels) if submit else None
        record = self._record(records)
        used = _used(record)
        return SourceOutcome(SourcePlan(self.name, tuple(plans), submission), record,
                             self._job_records(record, used), self._foreign(used))

    def _submission(self, items: dict[str, _Product], submit: list[str],
                    cancels: list[tuple[int, str]]) -> Submission:
        rerun = frozenset().union(*(items[p].rerun for p in submit))
        request = desired.pinned_request(self.spec.request, self.pins, submit, rerun)
        return Submission(
            self.name, tuple(submit), to_payload(request, self.lock.user),
            {p: items[p].want.fingerprint for p in submit}, tuple(cancels),
        )

    def _record(self, records: dict[str, ProductRecord]) -> SourceRecord | None:
        kept = {p: r for p, r in records.items() if r.serving or r.attempt}
        if not kept:
            return None
        # a view, not a copy: copying the lock's jobs for every source made plans quadratic
        jobs = ChainMap(self.jobs, self.lock.jobs) if self.jobs else self.lock.jobs
        resolved = resolved_for(kept, jobs, self.record.resolved)
        if kept == self.record.products and resolved is self.record.resolved:
            return self.record  # unchanged: the lock's own entry
        return SourceRecord(products=kept, resolved=resolved)

    def _job_records(self, record: SourceRecord | None, used: set[int]) -> dict[int, JobRecord]:
        """Records of every job the entry refers to, with statuses brought up to date."""
        out: dict[int, JobRecord] = {}
        if record is None:
            return out
        refs = used if record.resolved is None else used | {record.resolved.job}
        for job in refs:
            base = self._job_record(job)
            if base is None:
                continue
            seen = self.facts.statuses.get(job)
            if not seen:
                out[job] = base
                continue
            fresh = dict(base.status)
            fresh.update({p: w for p, w in seen.items() if w in STATUS_WORDS})
            out[job] = base if fresh == base.status else base.model_copy(update={"status": fresh})
        return out

    def _foreign(self, used: set[int]) -> tuple[ForeignJob, ...]:
        """Jobs of this name newer than the newest one the entry uses, and not used by it."""
        newest = max(used, default=0)
        return tuple(
            ForeignJob(self.name, row.job_id, row.products, row.submitted,
                       self.notes.get(row.job_id, "not compared"))
            for row in self.rows if row.job_id > newest and row.job_id not in used
        )


def _used(record: SourceRecord | None) -> set[int]:
    """The jobs an entry's products use (serving or attempt)."""
    if record is None:
        return set()
    return {r.job for rec in record.products.values() for r in (rec.serving, rec.attempt) if r}


def _kept_or_new(record: ProductRecord | None, serving: JobRef | None,
                 attempt: JobRef | None) -> ProductRecord:
    """The lock's own record when nothing moved, so a warm plan builds no new lock entries."""
    if record is not None and record.serving is serving and record.attempt is attempt:
        return record
    return ProductRecord(serving=serving, attempt=attempt)


def _why_not(result: Comparison) -> str:
    if result.unreadable:
        return "unreadable: " + "; ".join(result.unreadable)
    shown = ", ".join(f"{c.parameter}" for c in result.diff[:3])
    more = f" and {len(result.diff) - 3} more" if len(result.diff) > 3 else ""
    return f"parameters differ ({shown}{more})"


def _days(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} hours"
    return f"{seconds:.0f} seconds"
