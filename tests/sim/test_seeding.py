"""Bulk seeding of a history, and listOldJobs over a long one (issue 8, target 7: smoke size)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from reconciler.protocol.catalogue import PRODUCTS
from reconciler.sim import Seed, Simulator, seed

from .support import OTHER, USER, payload, post, status, submit

STAGE = 10.0
BENCH = Path(__file__).resolve().parents[2] / "bench" / "sim_list_jobs.py"


@pytest.fixture
def msim(sim_factory) -> Simulator:
    return sim_factory(manual_clock=True, job_seconds=STAGE, expire_seconds=1000.0)


def listed(sim: Simulator, user: str = USER) -> list[dict]:
    return post(sim, "listOldJobs.php", {"UserID": user})["jobs"]


def test_seeded_jobs_are_what_a_submission_records(msim: Simulator) -> None:
    body = payload("GK Per", products={"Spectrum": {"hasRedshift": False}, "AstromPos": {}})
    sent = submit(msim, body)
    [job_id] = seed(msim, [Seed(body)])
    assert job_id == int(sent["JobID"]) + 1
    old = post(msim, "getOldProduct.php", {"UserID": USER, "oldJob": job_id})
    outdir = f"USERPROD_{job_id}"
    assert old["jobPars"] == {**sent["jobPars"], "outdir": outdir}
    assert old["URL"].endswith(outdir)
    assert [j["JobID"] for j in listed(msim)] == [job_id, int(sent["JobID"])]
    # Not finished: its products move through their stages like the submitted job's.
    assert status(msim, job_id, "spec,psf,xastrom")["spec"]["statusCode"] == 1
    msim.advance(2.5 * STAGE)
    assert status(msim, job_id, "spec")["spec"]["statusCode"] == 3


def test_finished_jobs_at_given_times(msim: Simulator) -> None:
    now = msim.clock.now()
    ids = seed(msim, [Seed(payload(f"old {i}"), submitted_at=now - 5000 + i, finished=True)
                      for i in range(3)] + [Seed(payload("recent"), submitted_at=now - 10,
                                                 finished=True)])
    assert status(msim, ids[-1], "lc")["lc"]["statusCode"] == 4
    jobs = listed(msim)
    assert [j["Name"] for j in jobs] == ["recent", "old 2", "old 1", "old 0"]
    assert [j["hasProd"] for j in jobs] == [True, False, False, False]  # expire_seconds 1000
    assert post(msim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 0


def test_seeding_ignores_the_queued_job_limit(sim_factory) -> None:
    sim = sim_factory(manual_clock=True, max_queued=2)
    seed(sim, [Seed(payload(f"s{i}")) for i in range(5)])
    assert post(sim, "getNumJobs.php", {"UserID": USER})["numJobs"] == 5
    assert submit(sim)["OK"] == 0  # the limit still holds for submissions


@pytest.mark.parametrize("bad, words", [
    ({**payload(), "RA": 999}, "RA is 999, but must be between 0 and 360"),
    ({**payload(), "UserID": "not-an-address"}, "is not recognised"),
    (payload("Nowhere Known", {"getCoords": True, "targ": "1", "centroid": False,
                               "useSXPS": False}), "Could not resolve"),
])
def test_a_refused_payload_records_nothing(msim: Simulator, bad: dict, words: str) -> None:
    with pytest.raises(ValueError, match=r"seed job 1 \(") as caught:
        seed(msim, [Seed(payload("fine")), Seed(bad)])
    assert words in str(caught.value)
    assert listed(msim) == []


def test_list_old_jobs_of_a_long_history_is_complete_and_newest_first(msim: Simulator) -> None:
    bodies = [payload(f"src {i}", products=[{"LightCurve": {"binMeth": "snapshot"}},
                                            {"Image": {}}][i % 2]) for i in range(500)]
    mine = seed(msim, [Seed(b, finished=True) for b in bodies])
    seed(msim, [Seed(payload(user=OTHER), finished=True)])
    jobs = listed(msim)
    assert [j["JobID"] for j in jobs] == mine[::-1]
    assert [j["Name"] for j in jobs] == [b["name"] for b in bodies[::-1]]
    assert [(j["LightCurve"], j["Image"]) for j in jobs[:2]] == [(False, True), (True, False)]
    assert listed(msim, OTHER)[0]["JobID"] == mine[-1] + 1


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sim_list_jobs", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_small_and_checks_its_answers(capsys) -> None:
    bench = _bench()
    assert bench.main(["--jobs", "500", "--repeat", "1"]) == 0
    assert "listOldJobs of 500 jobs, 1 requests, answers complete and newest first" in (
        capsys.readouterr().out)
    # Its check is one that can fail: right for a right answer, wrong for a wrong one.
    seeds = bench.history(30, 1e9)
    ids = list(range(1, len(seeds) + 1))
    right = [{"JobID": i, "Name": s.payload["name"], "hasProd": i % 2 == 0,
              **{p.name: bool(s.payload.get(p.flag)) for p in PRODUCTS.values()}}
             for i, s in zip(ids, seeds) if s.payload["UserID"] == bench.USER][::-1]
    for entry in right:
        entry["StandardPos"] |= entry["AstromPos"]
    assert bench.check(right, seeds, ids) == []
    assert bench.check(right[::-1], seeds, ids)  # oldest first
    assert bench.check(right[:-1], seeds, ids) == ["29 jobs listed, 30 seeded"]
