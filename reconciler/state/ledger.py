"""The lock during apply: every change is written at once, atomically, so the file is always
true (DESIGN §2). A pending record goes in before each submit and is replaced by the attempt
right after; ``serving`` moves only when an attempt completes; a refusal clears the record.
A crash between any two of these leaves a lock that recovery can finish.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from ..plan.drift import observe
from ..plan.model import Submission
from ..protocol.catalogue import DIRECTIVES, ENVELOPE_KEYS, GLOBALS
from ..protocol.values import server_bool
from ..protocol.wire import from_job_pars
from . import lockfile
from .lock import (
    STATUS_WORDS,
    JobRecord,
    JobRef,
    Lock,
    Pending,
    ProductRecord,
    SourceRecord,
    resolved_for,
)


def bare(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A payload without the envelope: what the lock keeps of it."""
    return {k: v for k, v in payload.items() if k not in ENVELOPE_KEYS}


def filled_values(payload: Mapping[str, Any], job_pars: Mapping[str, Any]) -> dict[str, Any]:
    """What the server filled for the directives ``payload`` turned on (canonical values)."""
    read = from_job_pars(job_pars).request.globals
    out: dict[str, Any] = {}
    for directive in DIRECTIVES:
        param = GLOBALS[directive]
        if server_bool(payload.get(param.wire, 0)):
            out.update({f: read[f] for f in param.fills if f in read})
    return out


@dataclass(frozen=True)
class Accepted:
    """A job the server accepted (the submit reply, or a recovered job's parameters)."""

    job_id: int
    url: str | None
    job_pars: Mapping[str, Any]
    submitted: str


class Ledger:
    """The lock file at ``path`` and its current content."""

    def __init__(self, path: Path, lock: Lock) -> None:
        self.path = path
        self.lock = lock

    def save(self, lock: Lock) -> None:
        self.lock = lock
        lockfile.write(self.path, lock)

    # -- submissions --------------------------------------------------------------------------

    def pending(self, submission: Submission, mark: int) -> None:
        """Before the submit: the payload and the highest JobID seen so far."""
        record = Pending(name=submission.source, products=list(submission.products),
                         payload=dict(submission.payload), mark=mark,
                         fingerprints=dict(submission.fingerprints))
        self.save(self.lock.model_copy(update={"pending": [*self.lock.pending, record]}))

    def _without_pending(self, submission: Submission) -> list[Pending]:
        payload = dict(submission.payload)
        out, dropped = [], False
        for record in self.lock.pending:
            if not dropped and record.name == submission.source and record.payload == payload:
                dropped = True
                continue
            out.append(record)
        return out

    def refused(self, submission: Submission) -> None:
        """The server said no (``OK: 0``), or nothing was sent: no job exists."""
        self.save(self.lock.model_copy(update={"pending": self._without_pending(submission)}))

    def accepted(self, submission: Submission, job: Accepted) -> None:
        """Right after the submit: the pending record becomes the products' attempt."""
        lock = self.lock
        record = JobRecord(
            name=submission.source, submitted=job.submitted, url=job.url,
            status={p: "requested" for p in submission.products},
            payload=bare(submission.payload),
            filled=filled_values(submission.payload, job.job_pars),
        )
        source = lock.sources.get(submission.source) or SourceRecord()
        products = dict(source.products)
        for product in submission.products:
            old = products.get(product) or ProductRecord()
            products[product] = ProductRecord(
                serving=old.serving,
                attempt=JobRef(job=job.job_id,
                               fingerprint=submission.fingerprints.get(product, "-")))
        jobs = {**lock.jobs, job.job_id: record}
        self.save(lock.model_copy(update={
            "sources": {**lock.sources,
                        submission.source: source.model_copy(update={"products": products})},
            "jobs": _referenced(lock.sources, submission.source, products, jobs),
            "observed_defaults": observe(lock.observed_defaults, submission.payload,
                                         job.job_pars, job.job_id),
            "pending": self._without_pending(submission),
        }))

    # -- statuses -----------------------------------------------------------------------------

    def statuses(self, job_id: int, words: Mapping[str, str]) -> list[tuple[str, str]]:
        """Record a job's product statuses; an attempt that completed becomes the serving job.
        Returns the (source, product) pairs whose serving job moved."""
        lock = self.lock
        record = lock.jobs.get(job_id)
        if record is None:
            return []
        fresh = {**record.status, **{p: w for p, w in words.items() if w in STATUS_WORDS}}
        jobs = {**lock.jobs, job_id: record.model_copy(update={"status": fresh})}
        sources = dict(lock.sources)
        moved: list[tuple[str, str]] = []
        source = sources.get(record.name)
        if source is not None:
            products = dict(source.products)
            for product, entry in products.items():
                if entry.attempt and entry.attempt.job == job_id \
                        and fresh.get(product) == "complete":
                    products[product] = ProductRecord(serving=entry.attempt, attempt=None)
                    moved.append((record.name, product))
            if moved:
                sources[record.name] = SourceRecord(
                    products=products,
                    resolved=resolved_for(products, jobs, source.resolved))
        if moved or fresh != record.status:
            self.save(lock.model_copy(update={
                "sources": sources,
                "jobs": _referenced(sources, None, None, jobs),
            }))
        return moved


def _referenced(sources: Mapping[str, SourceRecord], name: str | None,
                products: Mapping[str, ProductRecord] | None,
                jobs: Mapping[int, JobRecord]) -> dict[int, JobRecord]:
    """The job records some entry still refers to (superseded ones leave the lock)."""
    refs: set[int] = set()
    for source_name, source in sources.items():
        entries = products if source_name == name and products is not None else source.products
        refs |= {r.job for e in entries.values() for r in (e.serving, e.attempt) if r}
        if source.resolved is not None:
            refs.add(source.resolved.job)
    if name is not None and name not in sources and products is not None:
        refs |= {r.job for e in products.values() for r in (e.serving, e.attempt) if r}
    return {j: r for j, r in jobs.items() if j in refs}
