"""Shared fixtures: simulators on free loopback ports with temporary state.

``sim`` is a ready simulator (wall clock, short stages); ``sim_factory(**options)`` starts
others with any :func:`reconciler.sim.run_simulator` option (``manual_clock=True``,
``max_queued=3``, ``fail_rate=0.5``, ...) and a fresh database unless ``db_path`` is given.
Everything started here is stopped when the test ends.
"""

from __future__ import annotations

import contextlib
import itertools
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from reconciler.sim import Simulator, run_simulator

SimFactory = Callable[..., Simulator]


@pytest.fixture
def sim_factory(tmp_path: Path) -> Iterator[SimFactory]:
    counter = itertools.count()
    with contextlib.ExitStack() as stack:

        def start(db_path: str | Path | None = None, **options: Any) -> Simulator:
            path = db_path or tmp_path / f"sim-{next(counter)}.sqlite3"
            options.setdefault("max_seconds", 300.0)
            return stack.enter_context(run_simulator(path, **options))

        yield start


@pytest.fixture
def sim(sim_factory: SimFactory) -> Simulator:
    """A simulator whose products finish 0.15 s after submission (0.05 s per stage)."""
    return sim_factory(job_seconds=0.05)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder, as a user with no XRT_USER or NO_COLOR set: command tests use it
    with ``pytestmark = pytest.mark.usefixtures("isolated")``."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XRT_USER", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path
