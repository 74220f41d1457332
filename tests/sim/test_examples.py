"""Every example spec is something the simulated server accepts as it stands: names resolve,
target IDs are found, and no payload is refused. This is what the main job will submit."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler import spec
from reconciler.client import Client
from reconciler.protocol import wire
from reconciler.sim import Simulator

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_payload_is_accepted(path: Path, sim_factory) -> None:
    loaded = spec.load(path)
    sim: Simulator = sim_factory(job_seconds=0.05, max_queued=len(loaded.sources))
    client = Client(sim.base_url, "me@example.org")
    for source in loaded.sources.values():
        result = client.submit(wire.to_payload(source.request, "me@example.org"))
        back = wire.from_job_pars(result.job_pars).request
        assert back.name == source.name
        assert set(back.products) == set(source.request.products)
        # what the server had to resolve is now in the job
        for directive, filled in (("getCoords", "RA"), ("getTargs", "targ"), ("getT0", "T0")):
            if source.request.globals.get(directive):
                assert back.globals.get(filled) not in (None, ""), (source.name, filled)
    assert sim.stats()["submissions"]["me@example.org"] == len(loaded.sources)
