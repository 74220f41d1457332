"""Smoke size of bench/plan_scale.py (issue 8, targets 2, 3 and 5): request counts and
correctness, not time."""

from __future__ import annotations

from pathlib import Path

from .support import bench

plan_scale = bench("plan_scale")


def test_cold_then_warm_plans_ask_the_server_only_what_they_must(tmp_path: Path) -> None:
    result = plan_scale.run(sources=30, others=4, repeat=1, folder=tmp_path)
    assert result["problems"] == []
    assert result["history_jobs"] == 34
    # cold: one listing, then one parameters and one status request per job of a spec name
    assert result["cold"]["requests"] == {"listOldJobs.php": 1, "getOldProduct.php": 30,
                                          "checkProductStatus.php": 30}
    assert 1 <= result["cold"]["in_flight"] <= plan_scale.READ_CONCURRENCY
    assert result["cold_again"]["requests"] == {"listOldJobs.php": 1}  # the cache answers
    assert result["adopt"]["requests"] == {"listOldJobs.php": 1}
    [warm] = result["rounds"]
    assert warm["requests"] == 1 and warm["rss_mb"] > 0
    assert set(warm["phases"]) == {"imports", "spec load", "lock read", "listOldJobs", "plan",
                                   "render"}
    lock = (tmp_path / "sources.lock.yaml").read_text(encoding="utf-8")
    assert lock.count('"SRC ') >= 30 and "OTHER" not in lock
