"""One source's decision, scenario by scenario, against jobs built as the simulator records
them; each scenario also checks what it asked of the server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from reconciler.plan import compare, desired
from reconciler.plan.compute import compute
from reconciler.plan.model import Action, Needs, Options
from reconciler.protocol.wire import to_payload
from reconciler.state.lock import JobRef, Lock, Pending

from .support import (
    NOW,
    SERVER,
    USER,
    Server,
    actions,
    applied,
    load,
    plan,
)

GK = """\
GK Per:
  RA: 52.7990
  Dec: 43.9047
  targ: "00030842"
  LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}
  Spectrum: {hasRedshift: false}
  StandardPos: {}
"""
GRB = """\
GRB 200416A:
  getCoords: true
  getTargs: true
  getT0: true
  LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}
  Spectrum: {hasRedshift: false}
  rebuild: {max_age: 30d}
"""


def test_nothing_on_the_server_is_one_create_per_source_with_the_validate_payload(
        tmp_path: Path) -> None:
    sources = load(tmp_path, GK + GRB)
    server = Server()
    result = plan(sources, server)
    assert set(actions(result).values()) == {"create"}
    assert [s.source for s in result.submissions] == ["GK Per", "GRB 200416A"]
    for submission in result.submissions:
        assert submission.payload == to_payload(sources[submission.source].request, USER)
    assert server.asked == {"params": 0, "status": 0}


def _one_job_each(tmp_path: Path) -> tuple[dict, Server]:
    """GK Per and GRB 200416A, each with one complete job that matches (jobs 1 and 2)."""
    sources = load(tmp_path, GK + GRB)
    server = Server()
    for job, name in enumerate(sources, 1):
        server.add(job, name, sources[name].request)
    return sources, server


def test_a_fresh_clone_adopts_matching_jobs_asking_one_job_each(tmp_path: Path) -> None:
    sources, server = _one_job_each(tmp_path)
    result = plan(sources, server)
    assert set(actions(result).values()) == {"adopt"}
    assert not result.submissions
    assert server.asked == {"params": 2, "status": 2}
    record = result.lock.sources["GK Per"].products["LightCurve"]
    assert record.serving is not None and record.serving.job == 1
    assert result.lock.sources["GRB 200416A"].resolved.values["RA"] == 335.6985
    again = Server(server.rows, server.params, server.statuses)
    assert set(actions(plan(sources, again, result.lock)).values()) == {"noop"}
    assert again.asked == {"params": 0, "status": 0}  # a warm plan asks nothing per job


def test_among_matches_a_complete_job_with_files_beats_a_newer_running_one(
        tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    request = sources["GK Per"].request
    server.add(1, "GK Per", request, status="failed")
    server.add(2, "GK Per", request, has_prod=False)
    server.add(3, "GK Per", request)
    server.add(4, "GK Per", request, status="running")
    server.add(5, "GK Per", request, status="cancelled")
    result = plan(sources, server)
    assert {p.job for s in result.sources for p in s.products} == {3}
    assert [f.job for f in result.foreign] == [5, 4]
    assert "cancelled" in result.foreign[0].note


def test_a_running_match_is_adopted_as_the_attempt_and_failed_ones_never(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    server.add(1, "GK Per", sources["GK Per"].request, status="failed")
    server.add(2, "GK Per", sources["GK Per"].request, status="running")
    result = plan(sources, server)
    assert set(actions(result).values()) == {"adopt"}
    record = result.lock.sources["GK Per"].products["Spectrum"]
    assert record.serving is None and record.attempt.job == 2

    only_failed = Server()
    only_failed.add(1, "GK Per", sources["GK Per"].request, status="failed")
    assert set(actions(plan(sources, only_failed)).values()) == {"create"}


def test_the_search_is_capped_per_source(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    other = load(tmp_path, GK.replace("binMeth: counts", "binMeth: time"))["GK Per"].request
    server = Server()
    server.add(1, "GK Per", sources["GK Per"].request)
    for job in range(2, 9):
        server.add(job, "GK Per", other)
    result = plan(sources, server, options=Options(walk_cap=5))
    # the matching job 1 lies beyond the five looked at: the newest one is replaced
    replaced = next(p for p in result.sources[0].products if p.product == "LightCurve")
    assert (replaced.action.value, replaced.job) == ("replace", 8)
    assert [c.parameter for c in replaced.diff] == ["binMeth"]
    assert server.asked["params"] == 5


def test_without_a_lock_a_changed_product_replaces_the_newest_job_of_the_name(
        tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    server.add(1, "GK Per", sources["GK Per"].request)
    edited = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 25"))
    result = plan(edited, server)
    assert actions(result) == {("GK Per", "LightCurve"): "replace",
                               ("GK Per", "Spectrum"): "adopt",
                               ("GK Per", "StandardPos"): "adopt"}
    (submission,) = result.submissions
    assert submission.products == ("LightCurve",) and submission.cancel == ()


def test_one_changed_parameter_is_one_replace_of_that_product(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 25"))
    result = plan(edited, server, lock)
    assert actions(result) == {("GK Per", "LightCurve"): "replace",
                               ("GK Per", "Spectrum"): "noop",
                               ("GK Per", "StandardPos"): "noop"}
    (product,) = [p for p in result.sources[0].products if p.action is Action.REPLACE]
    assert [(c.parameter, c.old, c.new) for c in product.diff] == [("pcCounts", 20, 25)]
    (submission,) = result.submissions
    assert submission.products == ("LightCurve",)
    assert submission.payload["pccounts"] == 25 and "spec" not in submission.payload


def test_a_changed_global_replaces_only_the_products_it_affects(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GK.replace("StandardPos: {}", "StandardPos: {}\n  sss: true"))
    assert actions(plan(edited, server, lock)) == {("GK Per", "LightCurve"): "replace",
                                                   ("GK Per", "Spectrum"): "replace",
                                                   ("GK Per", "StandardPos"): "noop"}


def test_a_defaults_or_template_change_fans_out(tmp_path: Path) -> None:
    head = ("version: 1\nuser: planner@example.org\n"
            "defaults: {centroid: true, posErr: 1, useSXPS: false}\n"
            "templates:\n  lc: {LightCurve: {binMeth: snapshot}}\nsources:\n")
    body = "".join(f"A{i}: {{RA: 1.0, Dec: 2.0, targ: '0000000{i}', use: [lc]}}\n"
                   for i in range(3))
    sources = load(tmp_path, body, head)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    assert set(actions(plan(sources, server, lock)).values()) == {"noop"}
    template = load(tmp_path, body, head.replace("binMeth: snapshot", "binMeth: obsid"))
    assert set(actions(plan(template, server, lock)).values()) == {"replace"}
    defaults = load(tmp_path, body, head.replace("posErr: 1", "posErr: 2"))
    assert set(actions(plan(defaults, server, lock)).values()) == {"replace"}


def test_max_age_rebuilds_only_whichdata_all_and_asks_for_target_ids_again(
        tmp_path: Path) -> None:
    sources = load(tmp_path, GRB)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml",
                   age=timedelta(days=45))
    result = plan(sources, server, lock)
    assert actions(result) == {("GRB 200416A", "LightCurve"): "rebuild",  # lcobs: all
                               ("GRB 200416A", "Spectrum"): "noop"}  # specobs: hours
    (submission,) = result.submissions
    payload = submission.payload
    assert payload["getTargs"] == 1 and "targ" not in payload
    assert payload["getCoords"] == 0 and payload["RA"] == 335.6985
    assert payload["getT0"] == 0 and payload["Tstart"] == 608713541.952
    fresh = Server()
    young = applied(plan(sources, fresh), fresh, tmp_path / "b.lock.yaml")
    assert "rebuild" not in actions(plan(sources, fresh, young)).values()


def test_pins_are_sent_with_their_directives_off(tmp_path: Path) -> None:
    sources = load(tmp_path, GRB)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    edited = load(tmp_path, GRB.replace("pcCounts: 20", "pcCounts: 30"))
    (submission,) = plan(edited, server, lock).submissions
    assert submission.payload["getCoords"] == 0 and submission.payload["getTargs"] == 0
    assert submission.payload["targ"] == "00966554"
    refreshed = plan(sources, server, lock, Options(targets=frozenset({"GRB 200416A"}),
                                                    refresh_resolved=True))
    assert set(actions(refreshed).values()) == {"rebuild"}
    assert refreshed.submissions[0].payload["getCoords"] == 1


def test_expired_products_are_shown_and_rebuilt_only_by_policy(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    server.add(1, "GK Per", sources["GK Per"].request, has_prod=False)
    shown = plan(sources, server)
    assert {p.state for s in shown.sources for p in s.products} == {"expired"}
    assert not shown.submissions
    policy = load(tmp_path, GK + "  rebuild: {expired: true}\n")
    assert set(actions(plan(policy, server)).values()) == {"rebuild"}


def test_a_failed_attempt_is_shown_not_resubmitted_unless_asked(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml", status="failed")
    shown = plan(sources, server, lock)
    assert set(actions(shown).values()) == {"noop"}
    assert {p.state for s in shown.sources for p in s.products} == {"failed"}
    assert not shown.submissions
    assert set(actions(plan(sources, server, lock, Options(retry_failed=True))).values()) == \
        {"create"}
    policy = load(tmp_path, GK + "  rebuild: {failed: true}\n")
    assert set(actions(plan(policy, server, lock)).values()) == {"create"}
    changed = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 21"))
    assert actions(plan(changed, server, lock))[("GK Per", "LightCurve")] == "create"


def test_a_cancelled_product_is_never_resubmitted_by_policy(tmp_path: Path) -> None:
    sources = load(tmp_path, GK + "  rebuild: {failed: true}\n")
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml",
                   status="cancelled")
    result = plan(sources, server, lock)
    assert {p.state for s in result.sources for p in s.products} == {"cancelled"}
    assert not result.submissions


def test_a_running_attempt_is_waited_for_and_a_superseded_one_cancelled(
        tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml", status="running")
    waiting = plan(sources, server, lock)
    assert set(actions(waiting).values()) == {"noop"} and not waiting.submissions
    changed = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 21"))
    (submission,) = plan(changed, server, lock).submissions
    assert submission.products == ("LightCurve",)
    assert submission.cancel == ((1, "LightCurve"),)


def test_a_finished_attempt_becomes_the_serving_job(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml", status="running")
    server.statuses[1] = {p: "complete" for p in server.statuses[1]}
    result = plan(sources, server, lock)
    assert set(actions(result).values()) == {"noop"}
    record = result.lock.sources["GK Per"].products["LightCurve"]
    assert record.serving.job == 1 and record.attempt is None
    assert result.lock.jobs[1].status["LightCurve"] == "complete"


def test_going_back_to_older_parameters_adopts_the_older_job(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    changed = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 21"))
    lock = applied(plan(changed, server, lock), server, tmp_path / "a.lock.yaml")
    back = plan(sources, server, lock)
    assert actions(back)[("GK Per", "LightCurve")] == "adopt"
    assert back.lock.sources["GK Per"].products["LightCurve"].serving.job == 1
    assert not back.submissions


def test_products_and_sources_that_left_the_spec_are_forgotten(tmp_path: Path) -> None:
    sources = load(tmp_path, GK + GRB)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    fewer = load(tmp_path, GK.replace("  StandardPos: {}\n", ""))
    result = plan(fewer, server, lock)
    assert actions(result)[("GK Per", "StandardPos")] == "forget"
    assert actions(result)[("GRB 200416A", "LightCurve")] == "forget"
    assert "GRB 200416A" not in result.lock.sources
    assert "StandardPos" not in result.lock.sources["GK Per"].products
    assert set(result.lock.jobs) == {1}
    assert not result.submissions


def test_newer_jobs_under_a_managed_name_are_foreign_and_not_compared(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    lock = applied(plan(sources, server), server, tmp_path / "a.lock.yaml")
    other = load(tmp_path, GK.replace("binMeth: counts", "binMeth: time"))["GK Per"].request
    server.add(7, "GK Per", other)
    server.add(8, "Someone else", other)
    result = plan(sources, server, lock)
    assert set(actions(result).values()) == {"noop"}
    assert [(f.job, f.note) for f in result.foreign] == [(7, "not compared")]
    assert [(u.name, u.jobs) for u in result.unmanaged] == [("Someone else", (8,))]
    assert server.asked == {"params": 0, "status": 0}
    targeted = plan(sources, server, lock, Options(targets=frozenset({"GK Per"})))
    assert targeted.unmanaged == ()


def test_a_pending_submission_whose_job_exists_is_adopted(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    first = plan(sources, server)
    (submission,) = first.submissions
    pending = Pending(name="GK Per", products=list(submission.products),
                      payload=dict(submission.payload), mark=0,
                      fingerprints=dict(submission.fingerprints))
    lock = first.lock.model_copy(update={"pending": [pending]})
    lost = plan(sources, server, lock)  # the submit never reached the server
    assert set(actions(lost).values()) == {"create"} and lost.lock.pending == []
    server.add(1, "GK Per", sources["GK Per"].request, status="running")
    found = plan(sources, server, lock)
    assert set(actions(found).values()) == {"adopt"} and not found.submissions
    assert found.lock.pending == []
    assert found.lock.sources["GK Per"].products["Spectrum"].attempt == \
        JobRef(job=1, fingerprint=submission.fingerprints["Spectrum"])


def test_a_plan_that_lacks_facts_says_which(tmp_path: Path) -> None:
    sources = load(tmp_path, GK)
    server = Server()
    server.add(4, "GK Per", sources["GK Per"].request)
    from reconciler.plan.model import Facts, Inputs
    needs = compute(Inputs(SERVER, USER, sources, Lock(server=SERVER, user=USER),
                           Facts(tuple(server.rows)), NOW))
    assert needs == Needs(params=frozenset({4}))


def test_a_warm_plan_of_an_unchanged_spec_compares_nothing_and_keeps_the_lock_s_entries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources, server = _one_job_each(tmp_path)
    lock = plan(sources, server).lock
    worked_out: list[str] = []
    real = desired.effective

    def counted(want: desired.Wanted, *args: object) -> object:
        worked_out.append(want.product)
        return real(want, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(desired, "effective", counted)
    again = plan(sources, Server(server.rows, server.params, server.statuses), lock)
    assert set(actions(again).values()) == {"noop"}
    assert worked_out == []  # the fingerprints matched: no effective values, no comparison
    for name in sources:
        assert again.lock.sources[name] is lock.sources[name]
    # one edited product: only its values are worked out; the other source keeps its entry
    edited = load(tmp_path, GK.replace("pcCounts: 20", "pcCounts: 25") + GRB)
    changed = plan(edited, Server(server.rows, server.params, server.statuses), lock)
    assert actions(changed)[("GK Per", "LightCurve")] == "replace"
    assert worked_out == ["LightCurve"]
    assert changed.lock.sources["GRB 200416A"] is lock.sources["GRB 200416A"]


def test_a_job_s_parameters_are_read_once_however_many_rounds_look_at_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources, server = _one_job_each(tmp_path)
    read: list[int] = []
    real = compare.read_pars

    def counted(job_pars: dict) -> compare.ParsRead:
        read.append(int(str(job_pars["outdir"]).rsplit("_", 1)[1]))
        return real(job_pars)

    monkeypatch.setattr(compare, "read_pars", counted)
    result = plan(sources, server)  # rounds: parameters, then statuses, then the decision
    assert set(actions(result).values()) == {"adopt"}
    assert sorted(read) == [1, 2]
