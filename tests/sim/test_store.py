"""SQLite state: atomic limit check, persistence, cancellation, counters."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from reconciler.sim.store import NewJob, Store


def new_job(keys: tuple[str, ...] = ("lc",)):
    return lambda job_id: NewJob(keys, frozenset(), {"outdir": f"USERPROD_{job_id}"})


def test_database_uses_wal(tmp_path: Path) -> None:
    Store(tmp_path / "s.db")
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_submit_records_job_with_its_id_in_job_pars(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    done = store.submit("a@b.org", "GK Per", 100.0, 10.0, 10, new_job(("lc", "spec")))
    assert done.job is not None and done.active == 1
    job = store.job(done.job.id)
    assert job is not None
    assert job.job_pars == {"outdir": f"USERPROD_{job.id}"}
    assert job.products == ("lc", "spec") and job.active_until == 130.0


def test_limit_refuses_and_counts_refusals(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    for _ in range(3):
        assert store.submit("a@b.org", "x", 100.0, 10.0, 3, new_job()).job is not None
    refused = store.submit("a@b.org", "x", 100.0, 10.0, 3, new_job())
    assert refused.job is None and refused.active == 3
    # Another user is not affected; once the jobs finish the user may submit again.
    assert store.submit("c@d.org", "x", 100.0, 10.0, 3, new_job()).job is not None
    assert store.submit("a@b.org", "x", 131.0, 10.0, 3, new_job()).job is not None
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
        ok = store.submit("a@b.org", "x", 100.0, 10.0, 10, new_job()).job is not None
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
    job = first.submit("a@b.org", "GK Per", 100.0, 10.0, 10, new_job(("lc", "spec"))).job
    assert job is not None
    first.cancel(job.id, ["spec"], 105.0)
    first.set_meta("k", "v")
    again = Store(tmp_path / "s.db")
    [reloaded] = again.jobs("a@b.org")
    assert reloaded.id == job.id and reloaded.name == "GK Per"
    assert dict(reloaded.schedule.cancelled) == {"spec": 105.0}
    assert again.get_meta("k") == "v" and again.get_meta("missing") is None


def test_cancel_updates_activity(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    job = store.submit("a@b.org", "x", 100.0, 10.0, 10, new_job(("lc",))).job
    assert job is not None
    assert store.cancel(job.id, ["lc", "psf"], 101.0) == {"lc": 0, "psf": 2}
    assert store.count_active("a@b.org", 101.5) == 0
    assert store.cancel(9999, ["lc"], 101.0) is None


def test_jobs_newest_first_per_user(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    ids = [store.submit("a@b.org", f"n{i}", 100.0 + i, 1.0, 10, new_job()).job.id  # type: ignore[union-attr]
           for i in range(3)]
    store.submit("other@b.org", "z", 100.0, 1.0, 10, new_job())
    assert [j.id for j in store.jobs("a@b.org")] == ids[::-1]
    assert store.user_counters(200.0)["a@b.org"]["jobs_per_name"] == {"n0": 1, "n1": 1, "n2": 1}
