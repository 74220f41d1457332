"""``apply`` against the simulator, through the command line (issue 7's tests)."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.state import lockfile

from .support import USER, cli, jobs_per_name, lock_of, popen, run, spec_text

pytestmark = pytest.mark.usefixtures("isolated")


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_apply_then_plan_has_no_changes(sim_factory: Any, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(4))
    code, out, err = run(capsys, "apply", str(spec), "--server", sim.base_url,
                         "--auto-approve", "--wait")
    assert code == 0, err
    assert "Apply: 4 jobs submitted, 0 adopted, 0 refused." in out
    code, out, _ = run(capsys, "plan", str(spec), "--server", sim.base_url,
                       "--detailed-exitcode")
    assert (code, out.splitlines()[-1]) == (0, "No changes.")
    assert jobs_per_name(sim) == {f"SRC {i:03d}": 1 for i in range(4)}


def test_one_edit_is_one_replace_and_one_job(sim_factory: Any, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(3))
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
               "--wait")[0] == 0
    spec.write_text(spec_text(3).replace("SRC 001: {RA: 11.5", "SRC 001: {RA: 11.6"))
    code, out, _ = run(capsys, "plan", str(spec), "--server", sim.base_url,
                       "--detailed-exitcode")
    assert code == 2
    assert "Plan: 0 to create, 2 to replace, 0 to rebuild, 0 to adopt; 4 unchanged." in out
    code, out, _ = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")
    assert code == 0 and "Apply: 1 job submitted" in out
    assert jobs_per_name(sim)["SRC 001"] == 2 and sim.stats()["submissions"][USER] == 4


def test_without_the_lock_everything_is_adopted_and_nothing_submitted(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(3))
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
               "--wait")[0] == 0
    before = lock_of(spec)
    lockfile.lock_path(spec).unlink()
    code, out, _ = run(capsys, "plan", str(spec), "--server", sim.base_url, "--json")
    assert {a["action"] for a in json.loads(out)["actions"]} == {"adopt"}
    code, out, _ = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")
    assert code == 0 and "Apply: 0 jobs submitted" in out
    assert sim.stats()["submissions"][USER] == 3
    after = lock_of(spec)
    assert after["sources"] == before["sources"]


def test_the_active_job_limit_holds(sim_factory: Any, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.05)
    spec = write(tmp_path, spec_text(30, max_active=3, poll="0.05s"))
    code, out, err = run(capsys, "apply", str(spec), "--server", sim.base_url,
                         "--auto-approve", "--wait")
    assert code == 0, err
    stats = sim.stats()
    assert stats["peak_active"][USER] <= 3
    assert stats["refused"].get(USER, 0) == 0
    assert stats["submissions"][USER] == 30
    assert out.count("complete") == 60  # 30 sources x 2 products in the final table


def test_more_submissions_than_allowed_stop_before_the_first(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(3).replace("max_submissions_per_run: 1000",
                                                "max_submissions_per_run: 2"))
    code, _, err = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")
    assert code == 1 and "more than limits.max_submissions_per_run (2)" in err
    assert sim.stats()["submissions"].get(USER, 0) == 0
    code, _, _ = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
                     "--allow-large")
    assert code == 0 and sim.stats()["submissions"][USER] == 3


def test_no_terminal_and_no_auto_approve_is_an_error(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(1))
    code, _, err = run(capsys, "apply", str(spec), "--server", sim.base_url)
    assert code == 1 and "--auto-approve" in err
    assert sim.stats()["submissions"].get(USER, 0) == 0


def test_a_saved_plan_is_applied_and_refused_once_stale(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02)
    spec = write(tmp_path, spec_text(2))
    assert run(capsys, "plan", str(spec), "--server", sim.base_url, "--out", "p.json")[0] == 0
    assert run(capsys, "plan", str(spec), "--server", sim.base_url, "--out", "q.json")[0] == 0
    code, out, err = run(capsys, "apply", "p.json", "--server", sim.base_url, "--auto-approve")
    assert code == 0 and "Apply: 2 jobs submitted" in out, err
    code, _, err = run(capsys, "apply", "q.json", "--server", sim.base_url, "--auto-approve")
    assert code == 1 and "moved since (lock, history, statuses changed)" in err
    assert sim.stats()["submissions"][USER] == 2


def test_a_replace_whose_job_fails_keeps_serving_the_old_products(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "sim.sqlite3"
    good = sim_factory(db_path=db, job_seconds=0.02)
    spec = write(tmp_path, spec_text(1))
    assert run(capsys, "apply", str(spec), "--server", good.base_url, "--auto-approve",
               "--wait")[0] == 0
    port = good.port
    good.stop()
    bad = sim_factory(db_path=db, job_seconds=0.02, port=port, fail_products=["SRC*:lc"])
    spec.write_text(spec_text(1).replace("binMeth: snapshot", "binMeth: obsid"))
    code, out, err = run(capsys, "apply", str(spec), "--server", bad.base_url,
                         "--auto-approve", "--wait")
    assert code == 3 and "SRC 000: LightCurve failed in job 2" in err
    code, out, _ = run(capsys, "status", str(spec), "--server", bad.base_url, "--json")
    rows = {r["product"]: r for r in json.loads(out)}
    assert rows["LightCurve"]["serving"] == 1 and rows["LightCurve"]["attempt"] == 2
    assert rows["LightCurve"]["status"] == "failed (serving job 1 complete)"
    code, out, _ = run(capsys, "download", str(spec), "dl", "--server", bad.base_url)
    assert code == 0 and "SRC 000: LightCurve (job 1): saved" in out
    assert (tmp_path / "dl" / "SRC_000" / "lc.tar.gz").is_file()


def test_a_superseded_running_product_is_cancelled_unless_asked_not_to(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=30.0)
    spec = write(tmp_path, spec_text(1))
    assert run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")[0] == 0
    spec.write_text(spec_text(1).replace("binMeth: snapshot", "binMeth: obsid"))
    code, _, err = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve")
    assert code == 0 and "cancelled LightCurve of superseded job 1" in err
    assert status_codes(sim, 1) == {"lc": -4, "psf": 1}
    spec.write_text(spec_text(1).replace("binMeth: snapshot", "binMeth: time"))
    code, _, err = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
                       "--no-cancel")
    assert code == 0 and "superseded" not in err
    assert status_codes(sim, 2)["lc"] == 1  # job 2's light curve runs on


def status_codes(sim: Any, job: int) -> dict[str, int]:
    reply = requests.post(f"{sim.base_url}/checkProductStatus.php",
                          json={"UserID": USER, "JobID": job, "what": "lc,psf"},
                          timeout=10).json()
    return {key: reply[key]["statusCode"] for key in ("lc", "psf")}


def test_a_second_apply_on_the_same_spec_fails_fast_naming_the_holder(
        sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=2.0)
    spec = write(tmp_path, spec_text(8, max_active=2, poll="0.2s"))
    first = popen("apply", str(spec), "--server", sim.base_url, "--auto-approve", "--wait",
                  cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while sim.stats()["submissions"].get(USER, 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cli("apply", str(spec), "--server", sim.base_url, "--auto-approve",
                     cwd=tmp_path, timeout=30)
        assert second.returncode == 1
        assert "another apply is running" in second.stderr and f"process {first.pid}" in \
            second.stderr
    finally:
        first.kill()
        first.wait()


def test_a_second_checkout_adopts_what_the_first_submitted(
        sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=1.0)
    text = spec_text(6, max_active=10, poll="0.2s")
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    write(one, text), write(two, text)
    first = popen("apply", "spec.yaml", "--server", sim.base_url, "--auto-approve", "--wait",
                  cwd=one)
    try:
        deadline = time.monotonic() + 30
        while sim.stats()["submissions"].get(USER, 0) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
        second = cli("apply", "spec.yaml", "--server", sim.base_url, "--auto-approve", "--wait",
                     cwd=two)
        assert second.returncode == 0, second.stderr
        assert "Apply: 0 jobs submitted" in second.stdout
        assert "Plan: 0 to create, 0 to replace, 0 to rebuild, 12 to adopt" in second.stdout
    finally:
        first.wait(timeout=60)
    assert set(jobs_per_name(sim).values()) == {1}


def test_repeated_kill_9_then_a_final_apply_leaves_one_job_per_source(
        sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=0.05)
    spec = write(tmp_path, spec_text(12, max_active=4, poll="0.05s"))
    rng = random.Random(7)
    for _ in range(6):
        process = popen("apply", str(spec), "--server", sim.base_url, "--auto-approve",
                        "--wait", cwd=tmp_path)
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        lockfile.read(lockfile.lock_path(spec)) if lockfile.lock_path(spec).exists() else None
    final = cli("apply", str(spec), "--server", sim.base_url, "--auto-approve", "--wait",
                cwd=tmp_path)
    assert final.returncode == 0, final.stderr
    assert jobs_per_name(sim) == {f"SRC {i:03d}": 1 for i in range(12)}
    again = cli("plan", str(spec), "--server", sim.base_url, "--detailed-exitcode", cwd=tmp_path)
    assert again.returncode == 0, again.stdout


def test_dropped_connections_make_no_duplicate_jobs(sim_factory: Any, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.02, drop_rate=0.2, seed=3)
    spec = write(tmp_path, spec_text(10, poll="0.05s"))
    for _ in range(5):  # a run may stop on a connection that stays down; the next carries on
        code, out, err = run(capsys, "apply", str(spec), "--server", sim.base_url,
                             "--auto-approve", "--wait")
        if code == 0 and "Apply: 0 jobs submitted" in out:
            break
    assert set(jobs_per_name(sim).values()) == {1} and len(jobs_per_name(sim)) == 10


def test_ctrl_c_finishes_the_request_writes_the_lock_and_exits_130(
        sim_factory: Any, tmp_path: Path) -> None:
    sim = sim_factory(job_seconds=5.0)
    spec = write(tmp_path, spec_text(6, max_active=2, poll="0.2s"))
    process = popen("apply", str(spec), "--server", sim.base_url, "--auto-approve", cwd=tmp_path)
    deadline = time.monotonic() + 30
    while sim.stats()["submissions"].get(USER, 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "Not submitted yet: SRC 002, SRC 003, SRC 004, SRC 005" in err
    lock = lock_of(spec)
    assert lock["pending"] == [] if "pending" in lock else True
    assert len(lock["jobs"]) == 2


def test_the_server_refusing_too_many_jobs_means_wait_and_retry(
        sim_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sim = sim_factory(job_seconds=0.05, max_queued=2)  # stricter than the spec's limit
    spec = write(tmp_path, spec_text(6, max_active=5, poll="0.05s"))
    code, out, err = run(capsys, "apply", str(spec), "--server", sim.base_url, "--auto-approve",
                         "--wait")
    assert code == 0, err
    stats = sim.stats()
    assert stats["refused"][USER] >= 1 and "too many jobs" in err
    assert stats["submissions"][USER] == 6 and set(jobs_per_name(sim).values()) == {1}
