"""The lock keeps exactly the job records its entries refer to, as submissions are recorded,
attempts complete and the lock is rewritten: a superseded job leaves it (it stays in the
server's history), another source's jobs are never touched."""

from __future__ import annotations

from pathlib import Path

from reconciler.plan.model import Submission
from reconciler.state import lockfile
from reconciler.state.ledger import Accepted, Ledger
from reconciler.state.lock import JobRecord, JobRef, Lock, ProductRecord, SourceRecord

SERVER, USER = "https://example.org/user_objects", "me@example.org"


def payload(name: str, bin_meth: str) -> dict[str, object]:
    return {"UserID": USER, "api_name": "xrt_prods", "api_version": "1.12", "name": name,
            "RA": 1.5, "Dec": 2.5, "targ": "00000001", "cent": 0, "useSXPS": 0, "lc": 1,
            "binMeth": bin_meth}


def served(name: str, job: int) -> tuple[SourceRecord, JobRecord]:
    return (SourceRecord(products={"LightCurve": ProductRecord(
        serving=JobRef(job=job, fingerprint="f0"))}),
        JobRecord(name=name, submitted="2026-01-01 00:00:00", status={"LightCurve": "complete"},
                  payload={"lc": 1}))


def test_superseded_jobs_leave_the_lock_and_other_sources_keep_theirs(tmp_path: Path) -> None:
    (a, job_a), (b, job_b) = served("A", 1), served("B", 2)
    path = tmp_path / "s.lock.yaml"
    lock = Lock(server=SERVER, user=USER, sources={"A": a, "B": b}, jobs={1: job_a, 2: job_b})
    ledger = Ledger(path, lock)
    ledger.save(lock)

    def submit(job: int, bin_meth: str) -> None:
        change = Submission("A", ("LightCurve",), payload("A", bin_meth), {"LightCurve": bin_meth})
        ledger.pending(change, mark=job - 1)
        ledger.accepted(change, Accepted(job, "u", {**payload("A", bin_meth),
                                                    "outdir": f"USERPROD_{job}"}, "2026-12-01"))

    submit(3, "obsid")
    assert set(ledger.lock.jobs) == {1, 2, 3}  # job 1 still serves while 3 runs
    ledger.statuses(3, {"LightCurve": "complete"})
    assert set(ledger.lock.jobs) == {2, 3}  # 3 serves now: 1 is superseded
    submit(4, "snapshot")
    ledger.save(ledger.lock)  # rewritten in whole, as at the start of the next apply
    submit(5, "time")  # replaces the attempt 4 before it ever completed
    assert set(ledger.lock.jobs) == {2, 3, 5}
    assert ledger.lock.sources["B"] == b and ledger.lock.jobs[2] == job_b
    assert lockfile.read(path) == ledger.lock
    ledger.close()
    assert lockfile.read(path) == ledger.lock
