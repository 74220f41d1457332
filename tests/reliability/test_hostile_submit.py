"""Issue 9 item 5 at the apply level: a submit reply that cannot be read writes nothing to the
lock but the pending record made before the submit, and that record is settled from the job
history, by the same run when it can read the history, else by the next one; never by
submitting again. Any other unreadable answer stops the run with a one-paragraph error, what
was done so far reported and in the lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from commands.support import USER, jobs_per_name, run, spec_text

from reconciler.state import lockfile

from .proxy import spoiling_proxy

pytestmark = pytest.mark.usefixtures("isolated")


def _server_jobs(sim: Any) -> dict[int, str]:
    return {row.id: row.name for row in sim.store.listing(USER)}


def _spec(tmp_path: Path, count: int, **options: Any) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(spec_text(count, **options))
    return spec


def _apply(capsys: pytest.CaptureFixture[str], proxy: Any, spec: Path,
           *extra: str) -> tuple[int, str, str]:
    return run(capsys, "apply", str(spec), "--server", proxy.base_url, "--auto-approve", *extra)


def test_an_unreadable_submit_reply_leaves_only_the_pending_record_and_the_next_run_settles_it(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = _spec(tmp_path, 2)
    with spoiling_proxy(sim.base_url) as proxy:
        proxy.spoil = {"run_userobject.php"}
        proxy.spoil_after_submit = {"listOldJobs.php"}
        code, out, err = _apply(capsys, proxy, spec)
        assert code == 1
        assert "Traceback" not in err
        assert "SRC 000" in err and "pending" in err and "run apply again" in err
        assert proxy.spoiled == ["run_userobject.php", "listOldJobs.php"]
        assert _server_jobs(sim) == {1: "SRC 000"}  # the submission did make a job
        lock = lockfile.read(lockfile.lock_path(spec))
        assert [(p.name, p.mark) for p in lock.pending] == [("SRC 000", 0)]
        assert lock.jobs == {} and lock.sources == {}

        proxy.spoil, proxy.spoil_after_submit = set(), set()
        code, out, err = _apply(capsys, proxy, spec)
        assert code == 0, err
        assert "Apply: 1 job submitted, 0 adopted, 0 refused." in out
        assert proxy.seen.count("run_userobject.php") == 2  # the first was never sent again
    assert jobs_per_name(sim) == {"SRC 000": 1, "SRC 001": 1}
    lock = lockfile.read(lockfile.lock_path(spec))
    assert lock.pending == []
    assert set(lock.jobs) == set(_server_jobs(sim)) == {1, 2}
    record = lock.sources["SRC 000"].products["LightCurve"]
    assert (record.serving or record.attempt).job == 1  # serving once the plan saw it finish
    assert "evil" not in lockfile.lock_path(spec).read_text()


def test_an_unreadable_submit_reply_is_settled_from_the_history_in_the_same_run(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = _spec(tmp_path, 3)
    with spoiling_proxy(sim.base_url) as proxy:
        proxy.spoil = {"run_userobject.php"}
        code, out, err = _apply(capsys, proxy, spec)
        assert code == 0, err
        assert "Apply: 3 jobs submitted, 0 adopted, 0 refused." in out
        assert "answer to the submission was lost" in err
        assert proxy.seen.count("run_userobject.php") == 3  # each settled, none resent
    assert jobs_per_name(sim) == {"SRC 000": 1, "SRC 001": 1, "SRC 002": 1}
    lock = lockfile.read(lockfile.lock_path(spec))
    server = _server_jobs(sim)
    assert lock.pending == [] and set(lock.jobs) == set(server)
    for job, record in lock.jobs.items():
        assert record.name == server[job]
        assert record.url is not None and record.url.startswith(sim.root_url)
    text = lockfile.lock_path(spec).read_text()
    assert "evil" not in text and "999" not in text


def test_an_unreadable_answer_mid_run_stops_it_with_what_was_done_in_the_lock(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=5.0)
    spec = _spec(tmp_path, 3, max_active=1, poll="0.05s")
    with spoiling_proxy(sim.base_url) as proxy:
        proxy.spoil_after_submit = {"getNumJobs.php"}
        code, out, err = _apply(capsys, proxy, spec)
    assert code == 1 and "Traceback" not in err
    assert "Apply: 1 job submitted, 0 adopted, 0 refused." in out
    assert "getNumJobs.php does not follow the UKSSDC protocol" in err
    assert "run apply again to carry on" in err
    lock = lockfile.read(lockfile.lock_path(spec))
    assert lock.pending == [] and set(lock.jobs) == set(_server_jobs(sim)) == {1}


def test_an_unreadable_status_while_waiting_stops_with_what_was_done(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = _spec(tmp_path, 2, poll="0.05s")
    with spoiling_proxy(sim.base_url) as proxy:
        proxy.spoil_after_submit = {"checkProductStatus.php"}
        code, out, err = _apply(capsys, proxy, spec, "--wait")
    assert code == 1 and "Traceback" not in err
    assert "Apply: 2 jobs submitted, 0 adopted, 0 refused." in out
    assert "checkProductStatus.php does not follow the UKSSDC protocol" in err
    assert "run apply again to carry on" in err
    lock = lockfile.read(lockfile.lock_path(spec))
    assert lock.pending == [] and set(lock.jobs) == set(_server_jobs(sim)) == {1, 2}
