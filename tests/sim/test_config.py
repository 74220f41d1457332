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


@pytest.mark.parametrize("config, fragment", [
    (SimConfig(error_codes=()), "--error-code"),
    (SimConfig(error_codes=(200,)), "--error-code"),
    (SimConfig(error_codes=(599,)), "--error-code"),
    (SimConfig(retry_after=-1), "--retry-after"),
])
def test_bad_fault_answers_are_named(config: SimConfig, fragment: str) -> None:
    problems = config.problems()
    assert len(problems) == 1 and fragment in problems[0]


def test_moved_defaults_by_wire_name_any_spelling() -> None:
    assert SimConfig(defaults={"minsnr": 1.5, "sinceT0": "1", "SinceT0": 1,
                               "models": "apec,powerlaw", "posobs": "all",
                               "specobs": "all"}).problems() == []


@pytest.mark.parametrize("defaults, problem", [
    ({"minSNR": 1.5}, "--default minSNR: no parameter has that wire name (did you mean minsnr?)"),
    ({"minsnr": "lots"}, "--default minsnr=lots: minsnr is lots, but must be a number"),
    ({"lcobs": "some"}, "--default lcobs=some: lcobs is some, but must be one of: all, user"),
    ({"RA": 1.0}, "--default RA: the server has no default for it to move"),
    ({"getTargs": 1}, "--default getTargs: a directive, not a value with a default"),
    ({"specobs": "user"}, ("--default specobs=user would make usespecobs required whenever "
                           "specobs is omitted")),
])
def test_a_default_the_server_could_not_have_is_refused(defaults: dict, problem: str) -> None:
    [found] = SimConfig(defaults=defaults).problems()
    assert found.startswith(problem)


def test_moved_defaults_cannot_be_changed_after_the_fact() -> None:
    moved = {"minsnr": 1.5}
    config = SimConfig(defaults=moved)
    moved["minsnr"] = 9
    assert config.defaults == {"minsnr": 1.5}
    with pytest.raises(TypeError):
        config.defaults["minsnr"] = 2  # type: ignore[index]
