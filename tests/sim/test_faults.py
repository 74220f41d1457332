"""Seeded, deterministic fault injection."""

from __future__ import annotations

from collections import Counter

from reconciler.sim.config import GATEWAY_ERRORS, SimConfig
from reconciler.sim.faults import (
    Fault,
    FaultInjector,
    product_fails,
    uniform,
)


def decisions(config: SimConfig, n: int) -> list[tuple[Fault, int]]:
    injector = FaultInjector(config)
    return [(d.fault, d.status) for d in (injector.next() for _ in range(n))]


def test_uniform_is_reproducible_and_spread() -> None:
    assert uniform(1, "a", 2) == uniform(1, "a", 2)
    assert uniform(1, "a", 2) != uniform(2, "a", 2)
    values = [uniform(0, i) for i in range(2000)]
    assert all(0 <= v < 1 for v in values)
    assert 0.45 < sum(values) / len(values) < 0.55


def test_same_seed_same_faults_other_seed_other_faults() -> None:
    config = SimConfig(fail_rate=0.3, drop_rate=0.3, seed=7)
    assert decisions(config, 200) == decisions(config, 200)
    assert decisions(config, 200) != decisions(SimConfig(fail_rate=0.3, drop_rate=0.3, seed=8), 200)


def test_rates_are_honoured() -> None:
    counts = Counter(f for f, _ in decisions(SimConfig(fail_rate=0.2, drop_rate=0.1, seed=1), 5000))
    assert 0.17 < counts[Fault.HTTP_ERROR] / 5000 < 0.23
    assert 0.08 < (counts[Fault.DROP_BEFORE] + counts[Fault.DROP_AFTER]) / 5000 < 0.12
    assert counts[Fault.DROP_BEFORE] and counts[Fault.DROP_AFTER]


def test_no_faults_by_default_and_5xx_codes() -> None:
    assert {f for f, _ in decisions(SimConfig(), 500)} == {Fault.NONE}
    codes = {c for f, c in decisions(SimConfig(fail_rate=1.0), 200)}
    assert codes == set(GATEWAY_ERRORS)


def test_error_codes_can_be_chosen() -> None:
    """A server too busy answers 429 only; a client's backoff test may want 503 only."""
    assert {c for _, c in decisions(SimConfig(fail_rate=1.0, error_codes=(429,)), 50)} == {429}
    chosen = {c for _, c in decisions(SimConfig(fail_rate=1.0, error_codes=(429, 503)), 100)}
    assert chosen == {429, 503}


def test_drop_after_share() -> None:
    only_after = {f for f, _ in decisions(SimConfig(drop_rate=1.0, drop_after=1.0), 100)}
    only_before = {f for f, _ in decisions(SimConfig(drop_rate=1.0, drop_after=0.0), 100)}
    assert only_after == {Fault.DROP_AFTER} and only_before == {Fault.DROP_BEFORE}


def test_product_failure_patterns() -> None:
    config = SimConfig(fail_products=("spec", "GRB*:lc"))
    assert product_fails(config, 1, "GK Per", "spec")
    assert not product_fails(config, 1, "GK Per", "lc")
    assert product_fails(config, 1, "GRB 200416A", "lc")
    assert not product_fails(config, 1, "GRB 200416A", "psf")
    assert product_fails(SimConfig(fail_products=("*:*",)), 5, "x", "image")


def test_product_fail_rate_is_per_job_and_product() -> None:
    config = SimConfig(product_fail_rate=0.5, seed=3)
    first = [product_fails(config, job, "x", "lc") for job in range(200)]
    assert first == [product_fails(config, job, "x", "lc") for job in range(200)]
    assert 60 < sum(first) < 140
    assert not any(product_fails(SimConfig(), job, "x", "lc") for job in range(200))
