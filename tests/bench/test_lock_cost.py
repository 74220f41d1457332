"""Smoke size of bench/lock_cost.py (issue 8, target 6): every submission recorded, the
journal folded into the lock, not time."""

from __future__ import annotations

from pathlib import Path

from reconciler.state import journal, lockfile

from .support import bench

lock_cost = bench("lock_cost")


def test_every_submission_is_in_the_lock_afterwards(tmp_path: Path) -> None:
    result = lock_cost.measure(40, tmp_path)
    assert result["submissions"] == 40 and result["missing"] == 0
    path = tmp_path / "n40.lock.yaml"
    assert not journal.journal_path(path).exists()  # folded in at the end
    lock = lockfile.read(path)
    assert lock is not None and len(lock.sources) == 40
    # each source's old serving job stays until its attempt completes
    entry = lock.sources[lock_cost.scale.name(0)].products["LightCurve"]
    assert entry.serving is not None and entry.serving.job == 1
    assert entry.attempt is not None and entry.attempt.job == 41
