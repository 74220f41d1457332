"""The UKSSDC endpoints as functions from a request body to a reply (ukssdc-api.md §2).

No HTTP here: :mod:`reconciler.sim.server` decodes the body, calls :meth:`Protocol.handle`,
and adds ``APIVersion`` and the transport. Application errors are replies with ``OK: 0`` and
``ERROR`` (and ``listErr`` groups), exactly as the real server answers them with HTTP 200.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ..protocol.catalogue import (
    CANCEL_TEXT,
    DOWNLOAD_ALL,
    PRODUCTS,
    STATUS_TEXT,
    UNKNOWN_STATUS_TEXT,
    Endpoint,
)
from ..protocol.values import server_int
from . import archives, progress
from .clock import Clock
from .config import SimConfig
from .directives import resolve
from .faults import product_fails
from .jobpars import build_job_pars, job_dir
from .lifecycle import COMPLETE, RUNNING, is_terminal, statuses
from .store import Entry, Job, NewJob, Store
from .validation import LABEL_MISSING, PROBLEMS, judge

Reply = dict[str, Any]

#: The envelope key naming the user (every endpoint).
USER_KEY = "UserID"
#: Any syntactically valid address counts as registered and validated.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


def error(message: str, groups: list[dict[str, Any]] | None = None) -> Reply:
    reply: Reply = {"OK": 0, "ERROR": message}
    if groups:
        reply["listErr"] = groups
    return reply


def _missing(*keys: str) -> Reply:
    return error(PROBLEMS, [{"label": LABEL_MISSING, "list": list(keys)}])


_MAX_JOB_ID = 2**63 - 1  # SQLite's INTEGER


def _job_id(value: Any) -> int | None:
    """A job id as clients send it (``14`` or ``"14"``), or None if it cannot be one."""
    if isinstance(value, bool):
        return None
    try:
        job_id = server_int(value)
    except (TypeError, ValueError):
        return None
    return job_id if 0 < job_id <= _MAX_JOB_ID else None


def _what(value: Any) -> list[str]:
    return [w.strip() for w in str(value).split(",") if w.strip()]


@dataclass(frozen=True)
class Download:
    """A product archive ready to send."""

    data: bytes
    filename: str


class Protocol:
    """The simulated server's behaviour over its store and clock."""

    ENDPOINTS: dict[str, str] = {
        Endpoint.SUBMIT: "submit",
        Endpoint.COUNT_JOBS: "num_jobs",
        Endpoint.LIST_JOBS: "list_old_jobs",
        Endpoint.OLD_PRODUCT: "old_product",
        Endpoint.STATUS: "product_status",
        Endpoint.CANCEL: "cancel",
    }

    def __init__(self, store: Store, clock: Clock, config: SimConfig, base_url: str) -> None:
        self.store = store
        self.clock = clock
        self.config = config
        self.base_url = base_url

    # -- helpers ------------------------------------------------------------------------------

    def job_url(self, job_id: int) -> str:
        return f"{self.base_url}/tprods/{job_dir(job_id)}"

    @staticmethod
    def user_of(body: Mapping[str, Any]) -> str | Reply:
        """The registered user a body speaks for, or the error reply refusing it."""
        user = body.get(USER_KEY)
        if not isinstance(user, str) or not _EMAIL.match(user):
            return error(f"The user `{'' if user is None else user}` is not recognised / validated")
        return user

    def handle(self, endpoint: str, body: Mapping[str, Any]) -> Reply:
        """Dispatch a decoded body to its endpoint; every endpoint first checks the user."""
        user = self.user_of(body)
        if not isinstance(user, str):
            return user
        method: Callable[[str, Mapping[str, Any]], Reply] = getattr(self, self.ENDPOINTS[endpoint])
        return method(user, body)

    def _asked_job(self, user: str, body: Mapping[str, Any], id_key: str,
                   *also: str) -> Job | Reply:
        """The caller's own job named by ``body[id_key]``, or the error reply saying why not."""
        absent = [k for k in (id_key, *also) if k not in body]
        if absent:
            return _missing(*absent)
        return self._owned(user, body[id_key])

    def _owned(self, user: str, raw_id: Any) -> Job | Reply:
        job_id = _job_id(raw_id)
        if job_id is None:
            return error(f"`{raw_id}` is not a valid job ID")
        job = self.store.job(job_id)
        if job is None:
            return error(f"Job {job_id} does not exist")
        if job.user != user:
            return error(f"Job {job_id} is not owned by user {user}")
        return job

    def _expired(self, active_until: float, now: float) -> bool:
        """Whether a job active until ``active_until`` has had its products removed."""
        return now >= active_until + self.config.expire_seconds

    # -- endpoints -----------------------------------------------------------------------------

    def accept(self, user: str, body: Mapping[str, Any], at: float,
               stage_seconds: float) -> Entry | Reply:
        """A submission judged and its directives resolved: the job to record, or the error
        reply that refuses it."""
        verdict = judge(body)
        if not verdict.ok:
            return error(PROBLEMS, verdict.groups)
        request, failure = resolve(verdict.request)
        if failure:
            return error(failure)
        keys = tuple(PRODUCTS[p].key for p in request.products)
        name = request.name

        def new_job(job_id: int) -> NewJob:
            fails = frozenset(k for k in keys if product_fails(self.config, job_id, name, k))
            return NewJob(keys, fails, build_job_pars(verdict.payload, request, job_id,
                                                      self.config.defaults))

        return Entry(user, name, at, stage_seconds, new_job)

    def submit(self, user: str, body: Mapping[str, Any]) -> Reply:
        entry = self.accept(user, body, self.clock.now(), self.config.job_seconds)
        if not isinstance(entry, Entry):
            return entry
        limit = self.config.max_queued
        done = self.store.submit(entry, limit)
        if done.job is None:
            return error(f"You already have {done.active} jobs queued or running, which is the "
                         f"maximum allowed ({limit}). Please wait for some of them to finish "
                         f"before submitting more.")
        return {"OK": 1, "URL": self.job_url(done.job.id), "JobID": str(done.job.id),
                "jobPars": done.job.job_pars}

    def num_jobs(self, user: str, body: Mapping[str, Any]) -> Reply:
        return {"OK": 1, "numJobs": self.store.count_active(user, self.clock.now())}

    def list_old_jobs(self, user: str, body: Mapping[str, Any]) -> Reply:
        now = self.clock.now()
        flags = [(product.name, product.key) for product in PRODUCTS.values()]
        jobs = []
        for job in self.store.listing(user):
            entry: Reply = {
                "JobID": job.id,
                "Name": job.name,
                "DateSubmitted": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(job.submitted_at)),
            }
            for name, key in flags:
                entry[name] = key in job.products
            entry["hasProd"] = not self._expired(job.active_until, now)
            jobs.append(entry)
        return {"OK": 1, "jobs": jobs}

    def old_product(self, user: str, body: Mapping[str, Any]) -> Reply:
        job = self._asked_job(user, body, "oldJob")
        if not isinstance(job, Job):
            return job
        return {"OK": 1, "oldJob": job.id, "jobPars": job.job_pars, "URL": self.job_url(job.id)}

    def product_status(self, user: str, body: Mapping[str, Any]) -> Reply:
        job = self._asked_job(user, body, "JobID", "what")
        if not isinstance(job, Job):
            return job
        now = self.clock.now()
        current = statuses(job.schedule, now)
        detailed = set(_what(body.get("whatProg", "")))
        reply: Reply = {}
        for key in _what(body["what"]):
            if key not in current:
                reply[key] = {"statusCode": None, "statusText": UNKNOWN_STATUS_TEXT,
                              "progress": dict(progress.NOT_REQUESTED)}
                continue
            code, since = current[key]
            report = dict(progress.NOT_REQUESTED)
            if code == RUNNING and key in detailed:
                stage = job.schedule.stage_seconds
                fraction = (now - since) / stage if stage > 0 else 0.0
                report = progress.running(key, fraction, now - since)
            reply[key] = {"statusCode": code, "statusText": STATUS_TEXT[code], "progress": report}
        reply.update({"OK": 1, "JobID": job.id})
        return reply

    def cancel(self, user: str, body: Mapping[str, Any]) -> Reply:
        job = self._asked_job(user, body, "JobID", "what")
        if not isinstance(job, Job):
            return job
        keys = _what(body["what"])
        if not keys:
            return _missing("what")
        codes = self.store.cancel(job.id, keys, self.clock.now())
        if codes is None:  # removed between the two reads: cannot happen with this store
            return error(f"Job {job.id} does not exist")
        return {
            "JobID": job.id,
            "OK": 1 if all(c == 0 for c in codes.values()) else 2,
            "status": {k: CANCEL_TEXT[c] for k, c in codes.items()},
            "statusCodes": codes,
        }

    # -- static files --------------------------------------------------------------------------

    def download(self, raw_id: str, stem: str, fmt: str) -> Download | None:
        """The archive at ``{URL}/{stem}.{fmt}``, or None (404) if it is not there (yet)."""
        job_id = _job_id(raw_id)
        job = None if job_id is None else self.store.job(job_id)
        if job is None or stem not in archives.STEMS:
            return None
        now = self.clock.now()
        if self._expired(job.active_until, now):
            return None
        current = statuses(job.schedule, now)
        complete = {k for k, (code, _) in current.items() if code == COMPLETE}
        if stem == DOWNLOAD_ALL:
            if not complete or not all(is_terminal(code) for code, _ in current.values()):
                return None
            keys = list(job.products)
        elif stem in complete:
            keys = [stem]
        else:
            return None
        data = archives.build(job.id, job.job_pars, keys, complete, fmt, job.active_until)
        return Download(data, f"{stem}.{fmt}")
