"""When to ask the server how many jobs are active, learned from this run's own jobs.

``getNumJobs`` may be asked once a poll interval, so *when* it is asked decides how long a slot
stays unused after a job ends: asked every interval, a freed slot waits half an interval on
average, a sixth of the whole run when jobs last three intervals. This run's jobs are alike and
are submitted one at a time, so they start, and end, in the order they were sent; each count
therefore says which of them have ended (the oldest ``outstanding - active``), and that bounds
the length of a job from both sides: one seen ended took at most (count answered - job sent),
one seen active takes more than (count asked - job accepted). The next count is asked when
the last job of the oldest batch must have ended by the upper bound; or, while the bounds are
far apart and enough batches remain for it to pay, halfway between them, to narrow them.
When a count finds some slots free while more of this run's jobs are due to end before another
count may be asked, the free slots wait for those: submitted now, they would start a batch of
their own, and batches once split stay split, each part costing a count and a history read
for the rest of the run.

Only the count decides how many jobs may be active; a forecast only decides when to ask, and
never sooner than a poll interval after the last count. A wrong forecast (jobs of different
lengths, jobs started elsewhere) costs time, never a limit: a contradiction between the
bounds drops the older one, and without an upper bound the count is asked every interval.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

#: bounds this close (a share of the upper one)...
PRECISION = 0.02
#: ...or this close in seconds are not narrowed further
RESOLUTION = 0.005


@dataclass(frozen=True)
class _Job:
    #: just before the submission was sent, and when its answer arrived (the job started
    #: on the server in between)
    sent: float
    accepted: float
    #: the number of counts asked before it: jobs submitted after one count form a batch
    batch: int


class Forecast:
    """Bounds on the length of this run's jobs, and the time of the next count."""

    def __init__(self, poll: float) -> None:
        self.poll = poll
        #: a job lasts more than ``low`` seconds and at most ``high`` (None: not yet known)
        self.low = 0.0
        self.high: float | None = None
        self._jobs: collections.deque[_Job] = collections.deque()
        self._asked: float | None = None
        self._counts = 0

    def submitted(self, sent: float, accepted: float) -> None:
        """One of this run's jobs started between ``sent`` and ``accepted``."""
        self._jobs.append(_Job(sent, accepted, self._counts))

    def counted(self, asked: float, answered: float, active: int) -> None:
        """A count asked at ``asked`` said ``active`` at ``answered``."""
        self._asked = asked
        self._counts += 1
        outstanding = len(self._jobs)
        ended = max(0, outstanding - active)
        if ended:
            self._at_most(answered - self._jobs[ended - 1].sent)
        if 0 < active <= outstanding:  # more active than ours: others run too, nothing learnt
            self._more_than(asked - self._jobs[ended].accepted)
        for _ in range(ended):
            self._jobs.popleft()

    def more_due(self) -> bool:
        """Whether more of this run's jobs, active at the last count, should end before the
        next count may be asked: slots free now are better filled together with theirs."""
        if not self._jobs or self.high is None or self._asked is None:
            return False
        return self._oldest_started() + self.high <= self._asked + self.poll

    def next_count(self, batches_left: int) -> float | None:
        """When to ask the count next, on the clock the times were given in (None: now).
        ``batches_left``: how many more batches the run expects to submit."""
        if self._asked is None:
            return None
        earliest = self._asked + self.poll
        if not self._jobs or self.high is None:
            return earliest
        started = self._oldest_started()
        wait = self.high
        gap = self.high - self.low
        if gap > max(PRECISION * self.high, RESOLUTION) and batches_left * gap / 2 > self.poll:
            wait = (self.low + self.high) / 2  # a failed probe costs at most one interval
        return max(earliest, started + wait)

    def _oldest_started(self) -> float:
        """When the last job of the oldest batch still running had surely started."""
        oldest = self._jobs[0].batch
        return max(job.accepted for job in self._jobs if job.batch == oldest)

    def _at_most(self, length: float) -> None:
        self.high = length if self.high is None else min(self.high, length)
        if self.low >= self.high:
            self.low = 0.0

    def _more_than(self, length: float) -> None:
        self.low = max(self.low, length)
        if self.high is not None and self.low >= self.high:
            self.high = None
