"""``apply --wait``: poll until every product of the run's jobs has finished.

One ``getNumJobs`` a poll interval says how many of the user's jobs are still active; product
statuses are asked for only when that count says some of ours finished (oldest first, as jobs
finish roughly in order), plus the oldest one every few polls in case other jobs of the user
keep the count up. A finished attempt moves ``serving`` in the lock at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping

from ..client import Client
from ..state.cache import JobCache
from ..state.ledger import Ledger
from ..state.lock import TERMINAL_WORDS, status_word
from .pace import Pace
from .scheduler import Reporter

#: every this many polls the oldest unfinished job is checked whatever the count says
_CHECK_EVERY = 5


@dataclass(frozen=True)
class Watched:
    source: str
    products: tuple[str, ...]


def wait(client: Client, ledger: Ledger, cache: JobCache | None, pace: Pace,
         jobs: Mapping[int, Watched], report: Reporter, *, stop: threading.Event | None = None,
         clock: Callable[[], float] = time.monotonic) -> dict[int, dict[str, str]]:
    """Statuses of ``jobs`` once every product is terminal (or when stopped: as far as known)."""
    stop = stop or threading.Event()
    unfinished = sorted(jobs)
    final: dict[int, dict[str, str]] = {}
    polls = 0
    while unfinished and not stop.is_set():
        active = client.count_active_jobs()
        polls += 1
        finished_at_least = len(unfinished) - active
        to_find = len(unfinished) if active == 0 else max(finished_at_least, 0)
        if to_find == 0 and polls % _CHECK_EVERY == 0:
            to_find = 1
        found = checked = 0
        for job in list(unfinished):
            # oldest first, and at most one still-running job looked at beyond those sought
            if found >= to_find or (active and checked > to_find):
                break
            checked += 1
            words = _check(client, ledger, cache, job, jobs[job], report)
            if all(words.get(p) in TERMINAL_WORDS for p in jobs[job].products):
                final[job] = words
                unfinished.remove(job)
                found += 1
        report.counts(len(final), len(unfinished), 0)
        if unfinished:
            stop.wait(pace.poll)
    return final


def _check(client: Client, ledger: Ledger, cache: JobCache | None, job: int, watched: Watched,
           report: Reporter) -> dict[str, str]:
    found = client.check_status(job, watched.products, progress=False)
    words = {p: w for p, s in found.items() if (w := status_word(s.code))}
    ledger.statuses(job, words)
    if cache is not None:
        cache.put_statuses(job, words)
    done = [p for p in watched.products if words.get(p) in TERMINAL_WORDS]
    if len(done) == len(watched.products):
        summary = ", ".join(f"{p} {words[p]}" for p in watched.products)
        report.note(f"{watched.source}: job {job} finished: {summary}")
    return words
