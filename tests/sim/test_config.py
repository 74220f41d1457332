"""Configuration checks that ``sim serve`` reports as user errors."""

from __future__ import annotations

import pytest

from reconciler.sim.config import SimConfig, is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    assert is_loopback(host) and SimConfig(host=host).problems() == []


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "example.org", "::"])
def test_other_hosts_are_refused(host: str) -> None:
    [problem] = SimConfig(host=host).problems()
    assert "not a loopback address" in problem


@pytest.mark.parametrize("config, fragment", [
    (SimConfig(job_seconds=-1), "--job-seconds"),
    (SimConfig(max_queued=0), "--max-queued"),
    (SimConfig(fail_rate=1.5), "--fail-rate"),
    (SimConfig(fail_rate=0.6, drop_rate=0.6), "together"),
    (SimConfig(latency=-0.1), "--latency"),
    (SimConfig(latency=float("nan")), "--latency"),
    (SimConfig(job_seconds=float("inf")), "--job-seconds"),
    (SimConfig(expire_seconds=float("nan")), "--expire-seconds"),
    (SimConfig(max_seconds=float("inf")), "--max-seconds"),
    (SimConfig(max_seconds=0), "--max-seconds"),
    (SimConfig(port=70000), "--port"),
    (SimConfig(fail_products=("a:b:c",)), "--fail-product"),
])
def test_bad_values_are_named(config: SimConfig, fragment: str) -> None:
    problems = config.problems()
    assert len(problems) == 1 and fragment in problems[0]


def test_api_version_must_look_like_a_version() -> None:
    assert SimConfig(api_version="1.13.1").problems() == []
    assert "api_version" in SimConfig(api_version="v2").problems()[0]
