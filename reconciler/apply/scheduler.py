"""Submitting a plan's jobs without overloading the shared server or losing track of one.

Never more active jobs than ``max_active_jobs`` (counted with ``getNumJobs``, so jobs started by
other means count too), never more submissions than the per-minute rate, polling no faster than
the poll interval. Submissions go in spec order, in batches as capacity frees; before each
batch the history is read again and jobs that another runner submitted since the plan, with the
same payload, are adopted instead of submitted twice.

Every submit is bracketed in the lock (:class:`~reconciler.state.ledger.Ledger`): a pending
record before, the attempt after. A lost answer is settled from the history (a job above the
mark, with this name and these parameters), never by submitting blindly again. A "too many
jobs" refusal means wait and retry. A stop request (Ctrl-C) lets the request in flight finish.

Counts are asked no more often than the poll interval, and at the moments this run's own jobs
should end (:mod:`reconciler.apply.forecast`), so a freed slot is filled soon after and few
counts are wasted on slots still taken.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Protocol

from ..client import (
    Client,
    ClientError,
    OldJob,
    ServerError,
    SubmitNotSent,
    SubmitOutcomeUnknown,
)
from ..plan.compare import payload_matches
from ..plan.model import Submission
from ..state.cache import JobCache
from ..state.ledger import Accepted, Ledger
from .forecast import Forecast
from .pace import Pace, RateWindow

#: a lost submission is settled from the history; if no job turned up, it may be sent again,
#: but not forever
_MAX_RESENDS = 3


class Reporter(Protocol):
    def note(self, text: str) -> None: ...
    def counts(self, done: int, active: int, queued: int) -> None: ...


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Outcome:
    """What a run did: jobs submitted and adopted (with their ids), refusals, what is left."""

    submitted: list[tuple[Submission, int]] = field(default_factory=list)
    adopted: list[tuple[Submission, int]] = field(default_factory=list)
    refused: list[tuple[Submission, str]] = field(default_factory=list)
    left: list[Submission] = field(default_factory=list)
    interrupted: bool = False
    error: str | None = None


class Scheduler:
    def __init__(self, client: Client, ledger: Ledger, cache: JobCache | None, pace: Pace,
                 mark: int, report: Reporter, *, cancel_superseded: bool = True,
                 stop: threading.Event | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] | None = None) -> None:
        """``clock`` and ``sleep`` are injectable so that pacing can be tested in simulated
        time; by default a sleep ends early on ``stop``."""
        self.client, self.ledger, self.cache, self.pace = client, ledger, cache, pace
        self.plan_mark = mark
        self.mark = mark
        self.report = report
        self.cancel_superseded = cancel_superseded
        self.stop = stop or threading.Event()
        self.clock = clock
        self._sleeper = sleep
        self.rate = RateWindow(pace.per_minute, clock)
        self.ours: set[int] = set()
        self.forecast = Forecast(pace.poll)

    def _sleep(self, seconds: float) -> None:
        if self._sleeper is not None:
            self._sleeper(max(0.0, seconds))
        else:
            self.stop.wait(max(0.0, seconds))

    def _sleep_until(self, moment: float | None) -> None:
        if moment is not None:
            self._sleep(moment - self.clock())

    # -- the loop -----------------------------------------------------------------------------

    def run(self, submissions: list[Submission]) -> Outcome:
        outcome = Outcome()
        queue = collections.deque(submissions)
        resends: dict[int, int] = collections.defaultdict(int)
        while queue and not self.stop.is_set():
            self._sleep_until(self.forecast.next_count(
                math.ceil(len(queue) / max(1, self.pace.max_active))))
            if self.stop.is_set():
                break
            try:
                free = self._free_slots(len(outcome.submitted) + len(outcome.adopted), len(queue))
                if free <= 0:
                    continue
                self._adopt_newer(queue, outcome)
            except ClientError as error:  # a read failed after its retries: stop, say so
                outcome.error = str(error)
                break
            filled = 0
            while queue and filled < free and not self.stop.is_set():
                delay = self.rate.delay()
                if delay > 0:
                    self._sleep(delay)
                    continue
                submission = queue.popleft()
                result = self._submit(submission, outcome)
                if result == "retry-later":
                    queue.appendleft(submission)
                    break
                if result == "resend":
                    resends[id(submission)] += 1
                    if resends[id(submission)] > _MAX_RESENDS:
                        outcome.refused.append((submission, (
                            f"its answer was lost {_MAX_RESENDS} times; left for the next run")))
                    else:
                        queue.appendleft(submission)
                    continue
                if result == "abort":
                    queue.appendleft(submission)
                    break
                if result == "sent":
                    filled += 1
            if outcome.error:
                break
        outcome.left = list(queue)
        outcome.interrupted = self.stop.is_set() and bool(queue)
        return outcome

    def _free_slots(self, done: int, queued: int) -> int:
        """Ask the server how many jobs are active; the slots free under the limit."""
        asked = self.clock()
        active = self.client.count_active_jobs()
        self.forecast.counted(asked, self.clock(), active)
        self.report.counts(done, active, queued)
        free = self.pace.max_active - active
        if free <= 0:
            self.report.note(f"all {self.pace.max_active} job slots are taken; waiting")
        elif self.forecast.more_due():
            self.report.note(f"{free} job slot{'s' if free > 1 else ''} free; waiting for more "
                             "jobs due to end, to fill them together")
            return 0
        return free

    # -- one submission -----------------------------------------------------------------------

    def _submit(self, submission: Submission, outcome: Outcome) -> str:
        self.ledger.pending(submission, self.mark)
        self.rate.record()
        sent = self.clock()
        try:
            reply = self.client.submit(submission.payload)
        except ServerError as error:
            self.ledger.refused(submission)  # OK: 0 means no job was made
            if error.too_many_jobs:  # the count was out of date: ask it again in a while
                self.report.note("the server says too many jobs are active; waiting")
                return "retry-later"
            outcome.refused.append((submission, str(error)))
            self.report.note(f"{submission.source}: refused: {error}")
            return "refused"
        except SubmitNotSent as error:
            self.ledger.refused(submission)
            outcome.error = str(error)
            return "abort"
        except SubmitOutcomeUnknown:
            self.report.note(f"{submission.source}: the answer to the submission was lost; "
                             "looking for the job in the history")
            try:
                found = self._settle_lost(submission)
                if found is None and not self.stop.is_set():
                    # a server may record the job a moment after its gateway gave up on the
                    # answer: look once more, a poll interval later, before sending it again
                    self._sleep(self.pace.poll)
                    found = self._settle_lost(submission)
            except ClientError as error:
                outcome.error = (
                    f"{submission.source}: the answer to its submission was lost, and the job "
                    f"history could not be read to look for the job ({error}). The lock keeps "
                    "the submission as pending; the next apply looks for its job in the "
                    "history before anything is submitted again")
                return "abort"
            if found is None:
                self.ledger.refused(submission)  # no job above the mark: it never happened
                return "resend"
            self.forecast.submitted(sent, self.clock())
            self._accepted(submission, found, outcome.submitted)
            return "sent"
        self.forecast.submitted(sent, self.clock())
        self._accepted(submission, Accepted(reply.job_id, reply.url, reply.job_pars, _stamp()),
                       outcome.submitted)
        return "sent"

    def _accepted(self, submission: Submission, job: Accepted,
                  into: list[tuple[Submission, int]]) -> None:
        self.ledger.accepted(submission, job)
        if self.cache is not None:
            self.cache.put_params(job.job_id, job.job_pars, job.url)
        self.ours.add(job.job_id)
        self.mark = max(self.mark, job.job_id)
        into.append((submission, job.job_id))
        self.report.note(f"{submission.source}: job {job.job_id} "
                         f"({', '.join(submission.products)})")
        if self.cancel_superseded:
            for old_job, product in submission.cancel:
                self._cancel(old_job, product)

    def _cancel(self, job: int, product: str) -> None:
        try:
            result = self.client.cancel(job, [product])
        except Exception as error:  # noqa: BLE001 - a failed cancel only wastes server time
            self.report.note(f"could not cancel {product} of superseded job {job}: {error}")
            return
        outcome = result.products.get(product)
        if outcome is not None and outcome.cancelled:
            self.report.note(f"cancelled {product} of superseded job {job}")

    # -- the history --------------------------------------------------------------------------

    def _matching(self, submission: Submission, row: OldJob) -> Accepted | None:
        if row.name != submission.source or not set(submission.products) <= set(row.products):
            return None
        cached = self.cache.params(row.job_id) if self.cache else None
        if cached is not None:
            job_pars, url = cached
        else:
            old = self.client.get_old_product(row.job_id)
            job_pars, url = old.job_pars, old.url
            if self.cache is not None:
                self.cache.put_params(row.job_id, job_pars, url)
        if not payload_matches(submission.payload, job_pars):
            return None
        return Accepted(row.job_id, url, job_pars, row.submitted.strftime("%Y-%m-%d %H:%M:%S"))

    def _settle_lost(self, submission: Submission) -> Accepted | None:
        """The job a lost submission made, if any: above the mark, this name, these values."""
        rows = sorted(self.client.list_old_jobs(), key=lambda r: r.job_id)
        for row in rows:
            if row.job_id > self.mark and row.job_id not in self.ours:
                found = self._matching(submission, row)
                if found is not None:
                    return found
        return None

    def _adopt_newer(self, queue: collections.deque[Submission], outcome: Outcome) -> None:
        """Read the history again; a job another runner submitted since the plan, with the
        payload this one would send, is adopted and not submitted again."""
        rows = self.client.list_old_jobs()
        newest = max((r.job_id for r in rows), default=0)
        newer = sorted((r for r in rows if r.job_id > self.plan_mark and r.job_id not in self.ours),
                       key=lambda r: r.job_id)
        self.mark = max(self.mark, newest)
        if not newer:
            return
        taken: set[int] = set()
        for submission in list(queue):
            for row in newer:
                if row.job_id in taken:
                    continue
                found = self._matching(submission, row)
                if found is not None:
                    taken.add(row.job_id)
                    queue.remove(submission)
                    self.ledger.accepted(submission, found)
                    self.ours.add(row.job_id)
                    outcome.adopted.append((submission, row.job_id))
                    self.report.note(f"{submission.source}: adopted job {row.job_id}, submitted "
                                     "meanwhile by another run with the same parameters")
                    break
