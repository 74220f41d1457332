"""Default drift: recorded from what the server filled, reported once per parameter, never a
replace."""

from __future__ import annotations

from pathlib import Path

from reconciler.plan.drift import drifts, observe
from reconciler.state.lock import Observation, ObservedDefault

from .support import Server, actions, applied, load, plan

SPEC = "A: {RA: 1.5, Dec: 2.5, targ: '00000001', LightCurve: {binMeth: counts, pcCounts: 20, " \
       "wtCounts: 30, dynamic: true}}\n"


def test_the_server_filling_the_catalogue_default_is_no_drift() -> None:
    assert drifts({"LightCurve.minSNR": ObservedDefault(value=2.4, job=3)}) == ()


def test_a_default_unlike_the_catalogue_is_drift() -> None:
    (drift,) = drifts({"LightCurve.minSNR": ObservedDefault(value=1.5, job=3)})
    assert (drift.parameter, drift.catalogue_default, drift.observed, drift.job) == \
        ("LightCurve.minSNR", 2.4, ((1.5, 3),), 3)


def test_a_default_unlike_the_one_seen_before_is_drift() -> None:
    entry = ObservedDefault(value="simple", job=9, earlier=[Observation(value="iterative", job=4)])
    (drift,) = drifts({"positions.centMeth": entry})
    assert drift.observed == (("iterative", 4), ("simple", 9))


def test_observe_records_only_what_the_payload_did_not_send(tmp_path: Path) -> None:
    source = load(tmp_path, SPEC)["A"]
    server = Server()
    server.add(1, "A", source.request, overrides={"minsnr": 1.5})
    from reconciler.protocol.wire import to_payload
    from .support import USER
    seen = observe({}, to_payload(source.request, USER), server.params[1].job_pars, 1)
    assert seen["LightCurve.minSNR"] == ObservedDefault(value=1.5, job=1)
    assert "LightCurve.pcCounts" not in seen  # sent
    assert "RA" not in seen and "name" not in seen
    later = observe(seen, to_payload(source.request, USER),
                    {**server.params[1].job_pars, "minsnr": 2.0}, 5)
    assert later["LightCurve.minSNR"].value == 2.0
    assert later["LightCurve.minSNR"].earlier == [Observation(value=1.5, job=1)]


def test_a_moved_default_shows_as_drift_and_the_plan_stays_unchanged(tmp_path: Path) -> None:
    sources = load(tmp_path, SPEC)
    server = Server()
    first = plan(sources, server)
    # the server fills minSNR 1.5 where the catalogue says 2.4: the job records it
    from reconciler.state.ledger import Accepted, Ledger
    from .support import request_of
    ledger = Ledger(tmp_path / "a.lock.yaml", first.lock)
    (submission,) = first.submissions
    server.add(1, "A", request_of(submission.payload), overrides={"minsnr": 1.5})
    ledger.accepted(submission, Accepted(1, "u", server.params[1].job_pars, "2026-12-01"))
    ledger.statuses(1, server.statuses[1])
    result = plan(sources, server, ledger.lock)
    assert set(actions(result).values()) == {"noop"}
    assert [d.parameter for d in result.drift] == ["LightCurve.minSNR"]
    assert not result.has_changes
    assert applied(result, server, tmp_path / "b.lock.yaml") == ledger.lock
