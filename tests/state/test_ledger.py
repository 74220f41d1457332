"""The lock during apply: changes journalled at once, folded into the lock now and then; the
lock plus its journal always reads as the truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.plan.model import Submission
from reconciler.state import journal, lockfile
from reconciler.state.ledger import Accepted, Ledger
from reconciler.state.lock import JobRef, Lock, ProductRecord, SourceRecord

SERVER, USER = "https://example.org/user_objects", "me@example.org"
PAYLOAD = {"UserID": USER, "api_name": "xrt_prods", "api_version": "1.12", "name": "A",
           "RA": 1.5, "Dec": 2.5, "targ": "00000001", "cent": 0, "useSXPS": 0, "lc": 1,
           "binMeth": "snapshot"}
JOB_PARS = {**PAYLOAD, "minen": "0.3", "lcobs": "all", "outdir": "USERPROD_1"}


def submission(name: str = "A") -> Submission:
    return Submission(name, ("LightCurve",), {**PAYLOAD, "name": name}, {"LightCurve": "f1"})


def big_lock(count: int) -> Lock:
    """A lock of ``count`` sources, each served by a job of its own."""
    from reconciler.state.lock import JobRecord
    sources = {f"S{i}": SourceRecord(products={"LightCurve": ProductRecord(
        serving=JobRef(job=i + 1, fingerprint="x"))}) for i in range(count)}
    jobs = {i + 1: JobRecord(name=f"S{i}", submitted="2026-01-01 00:00:00",
                             status={"LightCurve": "complete"}, payload={"lc": 1})
            for i in range(count)}
    return Lock(server=SERVER, user=USER, sources=sources, jobs=jobs)


def test_a_submission_is_pending_then_an_attempt_and_reads_back_before_any_fold(
        tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    ledger = Ledger(path, Lock(server=SERVER, user=USER))
    ledger.save(ledger.lock)
    ledger.pending(submission(), mark=0)
    assert [p.name for p in lockfile.read(path).pending] == ["A"]  # through the journal
    ledger.accepted(submission(), Accepted(1, "u", JOB_PARS, "2026-12-01 10:00:00"))
    read = lockfile.read(path)
    assert read.pending == []
    assert read.sources["A"].products["LightCurve"].attempt == JobRef(job=1, fingerprint="f1")
    assert read.jobs[1].payload["binMeth"] == "snapshot" and "UserID" not in read.jobs[1].payload
    assert read.observed_defaults["LightCurve.whichData"].value == "all"
    assert read == ledger.lock
    moved = ledger.statuses(1, {"LightCurve": "complete"})
    assert moved == [("A", "LightCurve")]
    assert lockfile.read(path).sources["A"].products["LightCurve"].serving.job == 1
    ledger.close()
    assert not journal.journal_path(path).exists()
    assert lockfile.read(path) == ledger.lock


def test_a_refusal_clears_the_pending_record(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    ledger = Ledger(path, Lock(server=SERVER, user=USER))
    ledger.save(ledger.lock)
    ledger.pending(submission(), mark=3)
    ledger.refused(submission())
    assert lockfile.read(path).pending == []


def test_a_torn_last_line_is_ignored_and_damage_elsewhere_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    ledger = Ledger(path, Lock(server=SERVER, user=USER))
    ledger.save(ledger.lock)
    ledger.pending(submission("A"), mark=0)
    ledger.pending(submission("B"), mark=0)
    where = journal.journal_path(path)
    whole = where.read_bytes()
    where.write_bytes(whole[:-15])  # the second append was cut short by a crash
    assert [p.name for p in lockfile.read(path).pending] == ["A"]
    first, second = whole.split(b"\n")[:2]
    where.write_bytes(first[:-5] + b"\n" + second + b"\n")
    with pytest.raises(lockfile.LockError) as caught:
        lockfile.read(path)
    assert "journal" in str(caught.value) and str(caught.value).startswith(f"{where}:1:")


def test_the_journal_is_folded_in_once_it_is_as_large_as_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.lock.yaml"
    ledger = Ledger(path, Lock(server=SERVER, user=USER))
    ledger.save(ledger.lock)
    for i in range(400):
        name = f"T{i}"
        ledger.pending(submission(name), mark=i)
        ledger.accepted(submission(name), Accepted(i + 1, "u", {**JOB_PARS, "name": name},
                                                   "2026-12-01 10:00:00"))
    size = journal.journal_path(path).stat().st_size if journal.journal_path(path).exists() \
        else 0
    assert size <= max(64 * 1024, path.stat().st_size) + 4096
    assert lockfile.read(path) == ledger.lock
    assert len(lockfile.read(path).sources) == 400


@pytest.mark.parametrize("count", [10, 3000])
def test_what_a_submission_appends_does_not_grow_with_the_lock(tmp_path: Path,
                                                               count: int) -> None:
    path = tmp_path / "s.lock.yaml"
    ledger = Ledger(path, big_lock(count))
    ledger.save(ledger.lock)
    ledger.pending(submission("new"), mark=count)
    ledger.accepted(submission("new"), Accepted(count + 1, "u", {**JOB_PARS, "name": "new"},
                                                "2026-12-01 10:00:00"))
    appended = journal.journal_path(path).stat().st_size
    assert appended < 6000  # a few entries, not the lock
