"""SQLite state: atomic limit check, persistence, cancellation, counters."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from reconciler.sim.store import Entry, NewJob, Store


def entry(user: str = "a@b.org", name: str = "x", at: float = 100.0, stage: float = 10.0,
          keys: tuple[str, ...] = ("lc",)) -> Entry:
    return Entry(user, name, at, stage,
                 lambda job_id: NewJob(keys, frozenset(), {"outdir": f"USERPROD_{job_id}"}))


def test_database_uses_wal(tmp_path: Path) -> None:
    Store(tmp_path / "s.db")
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_submit_records_job_with_its_id_in_job_pars(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    done = store.submit(entry(name="GK Per", keys=("lc", "spec")), 10)
    assert done.job is not None and done.active == 1
    job = store.job(done.job.id)
    assert job is not None
    assert job.job_pars == {"outdir": f"USERPROD_{job.id}"}
    assert job.products == ("lc", "spec") and job.active_until == 130.0


def test_limit_refuses_and_counts_refusals(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    for _ in range(3):
        assert store.submit(entry(), 3).job is not None
    refused = store.submit(entry(), 3)
    assert refused.job is None and refused.active == 3
    # Another user is not affected; once the jobs finish the user may submit again.
    assert store.submit(entry(user="c@d.org"), 3).job is not None
    assert store.submit(entry(at=131.0), 3).job is not None
    counters = store.user_counters(131.0)
    assert counters["a@b.org"]["refused"] == 1
    assert counters["a@b.org"]["submissions"] == 4
    assert counters["a@b.org"]["peak_active"] == 3
    assert counters["a@b.org"]["active"] == 1


def test_concurrent_submissions_never_exceed_the_limit(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    results: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(24)

    def worker() -> None:
        barrier.wait()
        ok = store.submit(entry(), 10).job is not None
        with lock:
            results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 10
    assert store.count_active("a@b.org", 100.0) == 10
    assert store.user_counters(100.0)["a@b.org"]["peak_active"] == 10


def test_state_survives_reopening(tmp_path: Path) -> None:
    first = Store(tmp_path / "s.db")
    job = first.submit(entry(name="GK Per", keys=("lc", "spec")), 10).job
    assert job is not None
    first.cancel(job.id, ["spec"], 105.0)
    first.set_meta("k", "v")
    again = Store(tmp_path / "s.db")
    [listed] = again.listing("a@b.org")
    reloaded = again.job(listed.id)
    assert reloaded is not None and reloaded.name == "GK Per"
    assert dict(reloaded.schedule.cancelled) == {"spec": 105.0}
    assert again.get_meta("k") == "v" and again.get_meta("missing") is None


def test_cancel_updates_activity(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    job = store.submit(entry(), 10).job
    assert job is not None
    assert store.cancel(job.id, ["lc", "psf"], 101.0) == {"lc": 0, "psf": 2}
    assert store.count_active("a@b.org", 101.5) == 0
    assert store.cancel(9999, ["lc"], 101.0) is None


def test_listing_newest_first_per_user(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    done = [store.submit(entry(name=f"n{i}", at=100.0 + i, stage=1.0), 10).job
            for i in range(3)]
    ids = [job.id for job in done if job is not None]
    store.submit(entry(user="other@b.org", name="z", stage=1.0), 10)
    listed = store.listing("a@b.org")
    assert [j.id for j in listed] == ids[::-1]
    assert listed[0] == (ids[2], "n2", 102.0, ("lc",), 105.0)
    assert store.user_counters(200.0)["a@b.org"]["jobs_per_name"] == {"n0": 1, "n1": 1, "n2": 1}


def test_add_records_many_past_the_limit_after_the_last_id(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    first = store.submit(entry(), 1).job
    assert first is not None
    ids = store.add(entry(name=f"n{i}", keys=("lc", "spec")) for i in range(5))
    assert ids == list(range(first.id + 1, first.id + 6))
    assert store.count_active("a@b.org", 100.0) == 6  # history, not traffic: no limit
    job = store.job(ids[-1])
    assert job is not None and job.name == "n4" and job.products == ("lc", "spec")
    assert job.job_pars == {"outdir": f"USERPROD_{ids[-1]}"}  # built with its own id
    # Ids are never reused: the next submission follows the seeded ones.
    assert store.submit(entry(at=500.0), 10).job.id == ids[-1] + 1  # type: ignore[union-attr]
