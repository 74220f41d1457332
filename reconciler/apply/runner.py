"""Carrying out a plan: the lock's non-submitting changes, the submissions under the limits,
waiting for the products, downloading them, and the final account.

The order is what keeps the lock true: the plan's adoptions and forgets are written first, then
each submission is bracketed in the lock as it happens, then finished attempts move ``serving``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from ..client import ClientError
from ..errors import UserError
from ..plan.model import Plan
from ..session import SIM, Session
from ..spec import LoadedSpec
from ..state import lockfile
from ..state.history import history
from ..state.ledger import Ledger
from ..state.lock import TERMINAL_WORDS
from .download import Fetched, download
from .pace import Pace
from .scheduler import Outcome, Reporter, Scheduler
from .wait import Watched, wait


@dataclass
class Result:
    """What an apply did, for the final table and the exit code."""

    outcome: Outcome
    #: job -> product -> status word, for the jobs waited for
    statuses: dict[int, dict[str, str]] = field(default_factory=dict)
    watched: dict[int, Watched] = field(default_factory=dict)
    fetched: list[Fetched] = field(default_factory=list)

    @property
    def failed(self) -> list[tuple[str, str, int, str]]:
        """(source, product, job, status) of products that ended badly."""
        return [(self.watched[j].source, p, j, w) for j, words in self.statuses.items()
                for p, w in words.items() if w in ("failed", "cancelled")
                and p in self.watched[j].products]


def check_size(plan: Plan, pace: Pace, allow_large: bool) -> None:
    count = len(plan.submissions)
    if count > pace.max_per_run and not allow_large:
        raise UserError(
            f"the plan would submit {count} jobs, more than limits.max_submissions_per_run "
            f"({pace.max_per_run}); nothing was submitted. Check the plan, then run again with "
            "--allow-large, or raise the limit in the spec"
        )


def rebaser(session: Session) -> Callable[[str], str]:
    """Job URLs recorded against the embedded simulator point at the port it had then."""
    if session.server != SIM:
        return lambda url: url
    base = urlsplit(session.base_url)

    def rebase(url: str) -> str:
        parts = urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))
    return rebase


def carry_out(spec: LoadedSpec, session: Session, plan: Plan, pace: Pace, report: Reporter, *,
              wait_for: bool = False, download_to: Path | None = None, fmt: str = "tar.gz",
              extract: bool = False, clobber: bool = False, cancel_superseded: bool = True,
              stop: threading.Event | None = None) -> Result:
    stop = stop or threading.Event()
    ledger = Ledger(lockfile.lock_path(spec.path), plan.lock)
    ledger.save(plan.lock)
    cache = session.cache()
    try:
        with session.client() as client:
            scheduler = Scheduler(client, ledger, cache, pace, plan.mark, report,
                                  cancel_superseded=cancel_superseded, stop=stop)
            outcome = scheduler.run(list(plan.submissions))
            result = Result(outcome)
            names = [s.source for s in plan.sources]
            try:
                if wait_for and not stop.is_set():
                    result.watched = _unfinished(ledger, names)
                    result.statuses = wait(client, ledger, cache, pace, result.watched, report,
                                           stop=stop)
                if download_to is not None and not stop.is_set():
                    rows = {r.job_id: r for r in history(client)}
                    result.fetched = download(client, ledger.lock, names, rows, download_to,
                                              fmt, report, extract=extract, clobber=clobber,
                                              cache=cache, rebase=rebaser(session))
            except ClientError as error:  # the jobs are submitted: report them with the error
                outcome.error = outcome.error or str(error)
    finally:
        ledger.close()  # the journal folded into the lock, even when stopped or failing
    return result


def _unfinished(ledger: Ledger, names: list[str]) -> dict[int, Watched]:
    """The jobs of these sources whose products are not all known to be finished."""
    lock = ledger.lock
    jobs: dict[int, Watched] = {}
    for name in names:
        source = lock.sources.get(name)
        if source is None:
            continue
        for product, entry in source.products.items():
            if entry.attempt is None:
                continue
            record = lock.jobs.get(entry.attempt.job)
            if record is not None and record.status.get(product) in TERMINAL_WORDS:
                continue
            watched = jobs.get(entry.attempt.job)
            products = (*(watched.products if watched else ()), product)
            jobs[entry.attempt.job] = Watched(name, products)
    return jobs

