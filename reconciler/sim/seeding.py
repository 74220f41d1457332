"""Bulk seeding: a long job history in one transaction, for benchmarks and tests.

Submitting 10,000 jobs over HTTP takes minutes and runs into the queued-job limit. Seeding
records them as if each had been submitted (judged, its directives resolved, its ``jobPars``
built, product failures drawn as configured), without the round trips and without the limit:
the jobs are history, not traffic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .store import Entry

if TYPE_CHECKING:
    from .server import Simulator


@dataclass(frozen=True)
class Seed:
    """One job to record.

    ``payload``: the submission body a client would POST, ``UserID`` and ``name`` included.
    ``submitted_at``: its submission time on the simulator's clock (None: now).
    ``finished``: every product is at its final status from ``submitted_at`` on (4, or -3 where
    the simulator is configured to fail it); otherwise the products move through their stages
    from then, as those of a fresh submission do.
    """

    payload: Mapping[str, Any]
    submitted_at: float | None = None
    finished: bool = False


def seed(sim: Simulator, jobs: Iterable[Seed]) -> list[int]:
    """Record ``jobs`` in ``sim``'s history in one transaction; their job ids, in order.

    Ids ascend in the order given, so the last job is the newest in ``listOldJobs``. Nothing is
    recorded if any payload is one the server would refuse: ValueError says which and why, in
    the server's words.
    """
    protocol = sim.protocol
    now = protocol.clock.now()
    entries = []
    for n, job in enumerate(jobs):
        user = protocol.user_of(job.payload)
        at = now if job.submitted_at is None else job.submitted_at
        stage = 0.0 if job.finished else protocol.config.job_seconds
        reply = protocol.accept(user, job.payload, at, stage) if isinstance(user, str) else user
        if not isinstance(reply, Entry):
            raise ValueError(f"seed job {n} ({job.payload.get('name')!r}): {_text(reply)}")
        entries.append(reply)
    return protocol.store.add(entries)


def _text(reply: Mapping[str, Any]) -> str:
    """An error reply in one line: ``ERROR`` and each ``listErr`` item."""
    items = [item for group in reply.get("listErr", []) for item in group["list"]]
    return " ".join([reply["ERROR"], *(f"[{item}]" for item in items)])
