"""The lock during apply: every change is on disk before apply goes on, so the lock (with its
journal) is always true (DESIGN §2). A pending record goes in before each submit and is
replaced by the attempt right after; ``serving`` moves only when an attempt completes; a
refusal clears the record. A crash between any two of these leaves a lock that recovery can
finish.
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
from . import journal, lockfile
from .lock import (
    STATUS_WORDS,
    JobRecord,
    JobRef,
    Lock,
    ObservedDefault,
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


#: the journal is folded into the lock once it is this large, or as large as the lock
_FOLD_AT_LEAST = 64 * 1024


class Ledger:
    """The lock file at ``path`` and its current content. Changes go to the journal at once
    and into the lock file in whole now and then (:mod:`reconciler.state.journal`); call
    :meth:`close` at the end to fold the journal in."""

    def __init__(self, path: Path, lock: Lock) -> None:
        self.path = path
        self.journal = journal.journal_path(path)
        self._server, self._user = lock.server, lock.user
        self._load(lock)
        self._journalled = 0
        self._lock_bytes = 0
        #: digest of the lock file as last written in whole, heading each new journal
        self._base: str | None = None

    def _load(self, lock: Lock) -> None:
        self._sources = dict(lock.sources)
        self._jobs = dict(lock.jobs)
        self._observed = dict(lock.observed_defaults)
        self._pending = list(lock.pending)
        #: job ids by source name, so that a submission looks at its source's jobs only
        #: (scanning every job on each one made a long apply quadratic in the lock's size)
        self._by_name: dict[str, set[int]] = {}
        for job, record in self._jobs.items():
            self._by_name.setdefault(record.name, set()).add(job)

    @property
    def lock(self) -> Lock:
        return Lock.model_construct(server=self._server, user=self._user,
                                    sources=dict(self._sources), jobs=dict(self._jobs),
                                    observed_defaults=dict(self._observed),
                                    pending=list(self._pending))

    def save(self, lock: Lock) -> None:
        """Make ``lock`` the whole content, written at once."""
        self._load(lock)
        self.fold()

    def fold(self) -> None:
        text = lockfile.dumps(self.lock)
        lockfile.write_text(self.path, text)
        self._base = journal.digest(self.path.read_bytes())  # as on disk, whatever the platform
        journal.clear(self.journal)  # a crash before this: the journal is of another lock
        self._journalled, self._lock_bytes = 0, len(text)

    def close(self) -> None:
        if self._journalled:
            self.fold()

    def _change(self, sources: Mapping[str, SourceRecord | None] | None = None,
                jobs: Mapping[int, JobRecord | None] | None = None,
                observed: Mapping[str, ObservedDefault] | None = None,
                pending: bool = False) -> None:
        """Apply a change here and record it durably before anything else happens."""
        event: dict[str, Any] = {}
        for job, record in (jobs or {}).items():
            known = self._jobs.get(job)
            if known is not None:
                self._by_name[known.name].discard(job)
            if record is not None:
                self._by_name.setdefault(record.name, set()).add(job)
        for section, table, changes in (("sources", self._sources, sources),
                                        ("jobs", self._jobs, jobs),
                                        ("observed_defaults", self._observed, observed)):
            if not changes:
                continue
            for key, value in changes.items():
                if value is None:
                    table.pop(key, None)  # type: ignore[arg-type]
                else:
                    table[key] = value  # type: ignore[index]
            event[section] = {str(k): None if v is None else v.model_dump(mode="json")
                              for k, v in changes.items()}
        if pending:
            event["pending"] = [p.model_dump(mode="json") for p in self._pending]
        self._journalled += journal.append(self.journal, event, self._base)
        if self._journalled > max(_FOLD_AT_LEAST, self._lock_bytes):
            self.fold()

    # -- submissions --------------------------------------------------------------------------

    def pending(self, submission: Submission, mark: int) -> None:
        """Before the submit: the payload and the highest JobID seen so far."""
        self._pending.append(Pending(name=submission.source, products=list(submission.products),
                                     payload=dict(submission.payload), mark=mark,
                                     fingerprints=dict(submission.fingerprints)))
        self._change(pending=True)

    def _drop_pending(self, submission: Submission) -> None:
        payload = dict(submission.payload)
        for index, record in enumerate(self._pending):
            if record.name == submission.source and record.payload == payload:
                del self._pending[index]
                return

    def refused(self, submission: Submission) -> None:
        """The server said no (``OK: 0``), or nothing was sent: no job exists."""
        self._drop_pending(submission)
        self._change(pending=True)

    def accepted(self, submission: Submission, job: Accepted) -> None:
        """Right after the submit: the pending record becomes the products' attempt."""
        record = JobRecord(
            name=submission.source, submitted=job.submitted, url=job.url,
            status={p: "requested" for p in submission.products},
            payload=bare(submission.payload),
            filled=filled_values(submission.payload, job.job_pars),
        )
        source = self._sources.get(submission.source) or SourceRecord()
        products = dict(source.products)
        for product in submission.products:
            old = products.get(product) or ProductRecord()
            products[product] = ProductRecord(
                serving=old.serving,
                attempt=JobRef(job=job.job_id,
                               fingerprint=submission.fingerprints.get(product, "-")))
        entry = source.model_copy(update={"products": products})
        observed = observe(self._observed, submission.payload, job.job_pars, job.job_id)
        changed = {k: v for k, v in observed.items() if self._observed.get(k) != v}
        self._drop_pending(submission)
        self._change(sources={submission.source: entry},
                     jobs={job.job_id: record, **self._unreferenced(submission.source, entry)},
                     observed=changed, pending=True)

    # -- statuses -----------------------------------------------------------------------------

    def statuses(self, job_id: int, words: Mapping[str, str]) -> list[tuple[str, str]]:
        """Record a job's product statuses; an attempt that completed becomes the serving job.
        Returns the (source, product) pairs whose serving job moved."""
        record = self._jobs.get(job_id)
        if record is None:
            return []
        fresh = {**record.status, **{p: w for p, w in words.items() if w in STATUS_WORDS}}
        jobs: dict[int, JobRecord | None] = {}
        if fresh != record.status:
            jobs[job_id] = record.model_copy(update={"status": fresh})
        moved: list[tuple[str, str]] = []
        source = self._sources.get(record.name)
        sources: dict[str, SourceRecord | None] = {}
        if source is not None:
            products = dict(source.products)
            for product, entry in products.items():
                if entry.attempt and entry.attempt.job == job_id \
                        and fresh.get(product) == "complete":
                    products[product] = ProductRecord(serving=entry.attempt, attempt=None)
                    moved.append((record.name, product))
            if moved:
                known = {**self._jobs, **{k: v for k, v in jobs.items() if v is not None}}
                sources[record.name] = SourceRecord(
                    products=products, resolved=resolved_for(products, known, source.resolved))
                jobs.update(self._unreferenced(record.name, sources[record.name]))
        if jobs or sources:
            self._change(sources=sources, jobs=jobs)
        return moved

    def _unreferenced(self, name: str, entry: SourceRecord | None) -> dict[int, None]:
        """Job records of this source that its new entry no longer refers to (superseded
        jobs leave the lock; they stay in the server's history)."""
        refs: set[int] = set()
        if entry is not None:
            refs = {r.job for e in entry.products.values() for r in (e.serving, e.attempt) if r}
            if entry.resolved is not None:
                refs.add(entry.resolved.job)
        return {job: None for job in sorted(self._by_name.get(name, ())) if job not in refs}
