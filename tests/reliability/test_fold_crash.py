"""A crash while the lock is being rewritten in whole (after the new lock is in place, before
its journal is removed) must leave the lock as written: the old journal's changes are all in
it, and replaying them on a lock that has moved on (a source forgotten, a job dropped) would
bring back what the new lock left out, or make it unreadable.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.plan.model import Submission
from reconciler.state import journal, lockfile
from reconciler.state.ledger import Accepted, Ledger
from reconciler.state.lock import JobRecord, JobRef, Lock, ProductRecord, SourceRecord

SERVER, USER = "https://example.org/user_objects", "me@example.org"
PAYLOAD = {"UserID": USER, "api_name": "xrt_prods", "api_version": "1.12", "name": "A",
           "RA": 1.5, "Dec": 2.5, "targ": "00000001", "cent": 0, "useSXPS": 0, "lc": 1,
           "binMeth": "snapshot"}
JOB_PARS = {**PAYLOAD, "minen": "0.3", "lcobs": "all", "outdir": "USERPROD_2"}


class Killed(BaseException):
    """Stands for kill -9 at that point."""


def served() -> Lock:
    """Source A served by job 1."""
    return Lock(server=SERVER, user=USER, sources={"A": SourceRecord(products={
        "LightCurve": ProductRecord(serving=JobRef(job=1, fingerprint="f0"))})},
        jobs={1: JobRecord(name="A", submitted="2026-01-01 00:00:00",
                           status={"LightCurve": "complete"}, payload={"lc": 1})})


def test_a_crash_between_writing_the_lock_and_removing_its_journal_keeps_the_lock_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.lock.yaml"
    first = Ledger(path, served())
    first.save(served())
    change = Submission("A", ("LightCurve",), PAYLOAD, {"LightCurve": "f1"})
    first.pending(change, mark=1)
    first.accepted(change, Accepted(2, "u", JOB_PARS, "2026-12-01 10:00:00"))
    # killed here: the journal holds job 2 as A's attempt, beside job 1 serving
    assert lockfile.read(path).sources["A"].products["LightCurve"].attempt.job == 2

    # the next run's plan: A left the spec, so it and its jobs are forgotten
    forgotten = Lock(server=SERVER, user=USER)

    def killed(where: Path) -> None:
        raise Killed

    monkeypatch.setattr(journal, "clear", killed)
    with pytest.raises(Killed):
        Ledger(path, forgotten).save(forgotten)
    monkeypatch.undo()
    assert journal.journal_path(path).exists()  # the old journal outlived the new lock
    assert lockfile.read(path) == forgotten

    # and a journal written after the new lock still counts
    second = Ledger(path, forgotten)
    second.save(forgotten)
    second.pending(change, mark=2)
    assert [p.name for p in lockfile.read(path).pending] == ["A"]
