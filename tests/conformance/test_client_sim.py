"""The project's own client against the simulator: the scenarios the swifttools conformance
tests run, plus the failure semantics under injected faults.

Statuses move on the simulator's manual clock, so nothing here waits for real time.
"""

from __future__ import annotations

import tarfile
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import pytest

from reconciler.client import (
    Client,
    RetryPolicy,
    ServerError,
    SubmitNotSent,
    SubmitOutcomeUnknown,
    Timeouts,
    TransportError,
)
from reconciler.protocol.catalogue import (
    ALL_PRODUCTS,
    DOWNLOAD_FORMATS,
    GLOBALS,
    PRODUCTS,
    Endpoint,
)
from reconciler.protocol.request import Request, build
from reconciler.protocol.values import canonical_equal
from reconciler.protocol.wire import from_job_pars, to_payload
from reconciler.sim import Simulator, run_simulator
from reconciler.sim.targets import by_name

pytestmark = pytest.mark.conformance

USER = "client-conformance@example.org"
OTHER = "someone-else@example.org"
STAGE = 10.0  # seconds per status stage, on the manual clock

#: (name, globals, products): together they use getCoords/getTargs/getT0 and every product.
REQUESTS: dict[str, tuple[dict[str, Any], dict[str, dict[str, Any]]]] = {
    "GRB 200416A": (
        {"getCoords": True, "getTargs": True, "getT0": True, "centroid": True, "posErr": 1,
         "useSXPS": False},
        {"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True},
         "Spectrum": {"hasRedshift": False}, "StandardPos": {}, "EnhancedPos": {},
         "AstromPos": {"useAllObs": True}},
    ),
    "GK Per": (
        {"RA": 52.799, "Dec": 43.9047, "targ": "00030842", "centroid": False, "useSXPS": False,
         "getT0": True},
        {"LightCurve": {"binMeth": "time", "pcBinTime": 100, "wtBinTime": 10, "matchHR": False},
         "Spectrum": {"hasRedshift": True, "redshift": 0.1, "whichData": "all"},
         "Image": {"energies": "0.3-10"}},
    ),
    "Sgr A*": (
        {"getTargs": True, "RA": 266.4168, "Dec": -29.0078},
        {"SourceDet": {"whichData": "all", "whichBands": "all"}},
    ),
}


def fast_retries() -> RetryPolicy:
    return RetryPolicy(attempts=8, base_delay=0.01, max_delay=0.05, total=10.0)


def make_request(name: str) -> Request:
    globals_, products = REQUESTS[name]
    request, problems = build(name, globals_, products)
    assert problems == []
    return request


@pytest.fixture
def msim(sim_factory: Callable[..., Simulator]) -> Simulator:
    """A simulator on a manual clock: statuses move only when the test advances it."""
    return sim_factory(job_seconds=STAGE, manual_clock=True, fail_products=("Doomed*:lc",),
                       expire_seconds=1000.0)


@pytest.fixture
def client(msim: Simulator) -> Iterator[Client]:
    with Client(msim.base_url, USER, retry=fast_retries(), timeouts=Timeouts(5, 10)) as c:
        yield c


def submit(client: Client, name: str) -> tuple[Request, Any]:
    request = make_request(name)
    return request, client.submit(to_payload(request, USER))


# --- submission and read-back ---------------------------------------------------------------------

def _resolved(name: str) -> dict[str, Any]:
    """What the server fills in for the directives a request uses."""
    globals_, _ = REQUESTS[name]
    target = by_name(name)
    assert target is not None
    out: dict[str, Any] = {}
    if globals_.get("getCoords"):
        out.update(RA=target.ra, Dec=target.dec)
    if globals_.get("getT0"):
        out["T0"] = target.t0
    return out


def _assert_same(scope: str, table: Mapping[str, Any], wanted: Mapping[str, Any],
                 got: Mapping[str, Any]) -> None:
    for key, value in wanted.items():
        assert key in got, f"{scope} {key} missing from the read-back"
        assert canonical_equal(table[key], got[key], value), f"{scope} {key}: {got[key]!r} != {value!r}"


@pytest.mark.parametrize("name", list(REQUESTS))
def test_job_pars_reproduce_the_submitted_request(client: Client, name: str) -> None:
    request, result = submit(client, name)
    assert isinstance(result.job_id, int) and result.job_id > 0
    assert result.url.startswith(client.base_url.rsplit("/user_objects", 1)[0])
    old = client.get_old_product(result.job_id)
    assert old.job_id == result.job_id and old.url == result.url
    back = from_job_pars(old.job_pars)
    assert back.unreadable == []
    assert from_job_pars(result.job_pars).request == back.request
    got = back.request
    assert got.name == name
    # every value asked for comes back; directives are replaced by what they resolved
    directives = {p for p, param in GLOBALS.items() if param.fills}
    wanted = {k: v for k, v in request.globals.items() if k not in directives}
    _assert_same("global", GLOBALS, {**wanted, **_resolved(name)}, got.globals)
    if request.globals.get("getTargs"):
        target = by_name(name)
        assert target is not None and target.targets[0] in got.globals["targ"].split(",")
    assert set(got.products) == set(request.products)
    for prod, params in request.products.items():
        table = PRODUCTS[prod].params
        _assert_same(prod, table, params, got.products[prod])
        # anything else the server filled in is the documented default
        for key, value in got.products[prod].items():
            if key not in params and table[key].has_default:
                assert canonical_equal(table[key], value, table[key].default), f"{prod} {key}"


def test_resubmitting_the_read_back_request_is_accepted_unchanged(client: Client) -> None:
    _, first = submit(client, "GRB 200416A")
    copy = from_job_pars(client.get_old_product(first.job_id).job_pars).request
    second = client.submit(to_payload(copy, USER))
    assert second.job_id > first.job_id
    assert from_job_pars(second.job_pars).request == copy


def test_refused_submissions_name_python_parameters(client: Client, msim: Simulator) -> None:
    payload = to_payload(make_request("GRB 200416A"), USER)
    del payload[GLOBALS["posErr"].wire]
    with pytest.raises(ServerError) as caught:
        client.submit(payload)
    assert not caught.value.too_many_jobs
    assert "posErr" in str(caught.value)
    assert GLOBALS["posErr"].wire not in str(caught.value)
    assert any("posErr" in items for _, items in caught.value.problems)
    request, problems = build("No Such Object 123", {"getCoords": True, "getTargs": True,
                                                     "centroid": False, "useSXPS": False},
                              {"Image": {}})
    assert problems == []
    with pytest.raises(ServerError):
        client.submit(to_payload(request, USER))
    assert client.list_old_jobs() == ()


def test_the_active_job_limit_refuses_with_a_server_error(
        sim_factory: Callable[..., Simulator]) -> None:
    sim = sim_factory(job_seconds=STAGE, manual_clock=True, max_queued=2)
    with Client(sim.base_url, USER, retry=fast_retries()) as client:
        for _ in range(2):
            submit(client, "Sgr A*")
        with pytest.raises(ServerError) as caught:
            submit(client, "Sgr A*")
        assert caught.value.too_many_jobs  # the simulator's own wording is recognised
        assert client.count_active_jobs() == 2
        assert len(client.list_old_jobs()) == 2
        sim.advance(4 * STAGE)
        assert client.count_active_jobs() == 0
        submit(client, "Sgr A*")
    assert sim.stats()["refused"][USER] == 1


# --- history -----------------------------------------------------------------------------------------------

def test_count_and_history(client: Client, msim: Simulator) -> None:
    assert client.count_active_jobs() == 0
    assert client.list_old_jobs() == ()
    ids = [submit(client, name)[1].job_id for name in REQUESTS]
    assert client.count_active_jobs() == len(REQUESTS)
    jobs = client.list_old_jobs()
    assert [j.job_id for j in jobs] == sorted(ids, reverse=True)  # newest first
    by_id = {j.job_id: j for j in jobs}
    now = datetime.now(timezone.utc)
    for job_id, name in zip(ids, REQUESTS):
        job = by_id[job_id]
        assert job.name == name
        # the simulator also flags SourceDet, which the RAW docs do not list (§2.3)
        assert job.products == tuple(p for p in ALL_PRODUCTS if p in REQUESTS[name][1])
        assert job.has_prod
        assert job.submitted.tzinfo == timezone.utc
        assert abs(job.submitted - now) < timedelta(days=1)
    msim.advance(10 * STAGE)
    assert client.count_active_jobs() == 0


def test_another_users_jobs_are_invisible_and_untouchable(client: Client, msim: Simulator) -> None:
    _, result = submit(client, "Sgr A*")
    with Client(msim.base_url, OTHER, retry=fast_retries()) as other:
        assert other.list_old_jobs() == ()
        assert other.count_active_jobs() == 0
        with pytest.raises(ServerError):
            other.get_old_product(result.job_id)
        with pytest.raises(ServerError):
            other.cancel(result.job_id, ["SourceDet"])
    assert client.check_status(result.job_id, ["SourceDet"])["SourceDet"].code == 1


# --- status and cancel -------------------------------------------------------------------------------

def test_status_moves_through_the_documented_codes(client: Client, msim: Simulator) -> None:
    _, result = submit(client, "GRB 200416A")
    products = list(REQUESTS["GRB 200416A"][1])
    seen: dict[str, list[int | None]] = {p: [] for p in products}
    for _ in range(8):
        for prod, status in client.check_status(result.job_id, products).items():
            if not seen[prod] or seen[prod][-1] != status.code:
                seen[prod].append(status.code)
            if status.code == 3:
                assert status.progress.got_progress == 1
                assert status.progress.steps and all(s.label for s in status.progress.steps)
        msim.advance(STAGE)
    for prod in ("LightCurve", "Spectrum", "StandardPos", "EnhancedPos"):
        assert seen[prod] == [1, 2, 3, 4], prod
    assert seen["AstromPos"][0] == 1 and 5 in seen["AstromPos"] and seen["AstromPos"][-1] == 4
    final = client.check_status(result.job_id, ALL_PRODUCTS)
    assert all(final[p].complete and final[p].terminal for p in products)
    assert final["Image"].code is None and final["Image"].text == "Unknown status"


def test_a_failing_product_ends_with_minus_3(client: Client, msim: Simulator) -> None:
    globals_, _ = REQUESTS["Sgr A*"]
    request, _ = build("Doomed source", {**globals_, "centroid": False, "useSXPS": False,
                                         "targ": "00035063", "getTargs": False},
                       {"LightCurve": {"binMeth": "snapshot"}, "Image": {}})
    job = client.submit(to_payload(request, USER))
    msim.advance(5 * STAGE)
    status = client.check_status(job.job_id, ["LightCurve", "Image"])
    assert (status["LightCurve"].code, status["LightCurve"].terminal) == (-3, True)
    assert not status["LightCurve"].complete
    assert status["Image"].code == 4


def test_cancel_codes(client: Client, msim: Simulator) -> None:
    _, result = submit(client, "GK Per")
    msim.advance(2 * STAGE)  # running
    first = client.cancel(result.job_id, ["LightCurve"])
    assert (first.ok, first.all_cancelled, first.products["LightCurve"].code) == (1, True, 0)
    assert client.check_status(result.job_id, ["LightCurve"])["LightCurve"].code == -4
    again = client.cancel(result.job_id, ["LightCurve", "Spectrum", "StandardPos"])
    assert again.ok == 2 and not again.all_cancelled
    codes = {p: o.code for p, o in again.products.items()}
    assert codes == {"LightCurve": 1, "Spectrum": 0, "StandardPos": 2}
    assert client.count_active_jobs() == 1  # Image still runs
    msim.advance(5 * STAGE)
    done = client.cancel(result.job_id, ["Image"])
    assert (done.ok, done.products["Image"].code) == (2, 1)


# --- downloads ----------------------------------------------------------------------------------------------

def _members(path: Path, fmt: str) -> list[str]:
    if fmt == "zip":
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            return archive.namelist()
    with tarfile.open(path) as archive:
        return archive.getnames()


def test_downloads_are_real_archives(client: Client, msim: Simulator, tmp_path: Path) -> None:
    _, result = submit(client, "GK Per")
    with pytest.raises(TransportError) as early:
        client.download(result.url, "Image", tmp_path / "early.zip", "zip")
    assert early.value.status == 404
    assert not (tmp_path / "early.zip").exists()
    msim.advance(5 * STAGE)
    stem = f"USERPROD_{result.job_id}"
    for fmt in DOWNLOAD_FORMATS:
        for product in (*REQUESTS["GK Per"][1], "all"):
            dest = tmp_path / fmt / f"{product}.{fmt}"
            got = client.download(result.url, product, dest, fmt)
            assert got.size == dest.stat().st_size > 0
            names = _members(dest, fmt)
            assert names and all(n.startswith(stem) for n in names), names
    with pytest.raises(Exception, match="exists"):
        client.download(result.url, "all", tmp_path / "zip" / "all.zip", "zip")


def test_products_expire(client: Client, msim: Simulator, tmp_path: Path) -> None:
    _, result = submit(client, "Sgr A*")
    msim.advance(5 * STAGE)
    assert client.list_old_jobs()[0].has_prod
    client.download(result.url, "SourceDet", tmp_path / "det.tar.gz")
    msim.advance(2000.0)
    assert not client.list_old_jobs()[0].has_prod
    with pytest.raises(TransportError) as gone:
        client.download(result.url, "SourceDet", tmp_path / "det2.tar.gz")
    assert gone.value.status == 404


# --- faults ----------------------------------------------------------------------------------------------------

def _submit_calls(sim: Simulator) -> int:
    return int(sim.stats()["requests"].get(Endpoint.SUBMIT, 0))


def test_reads_survive_injected_faults_within_bounds(tmp_path: Path) -> None:
    db = tmp_path / "db"
    with run_simulator(db, job_seconds=STAGE, manual_clock=True, max_seconds=60) as calm:
        with Client(calm.base_url, USER, retry=fast_retries()) as client:
            _, result = submit(client, "GK Per")
    with run_simulator(db, job_seconds=STAGE, manual_clock=True, fail_rate=0.25,
                       drop_rate=0.25, seed=7, max_seconds=60) as stormy:
        with Client(stormy.base_url, USER, retry=fast_retries(), timeouts=Timeouts(2, 5)) as client:
            for _ in range(10):
                assert client.count_active_jobs() == 1
                assert [j.job_id for j in client.list_old_jobs()] == [result.job_id]
                assert client.get_old_product(result.job_id).job_pars["name"] == "GK Per"
                assert client.check_status(result.job_id, ["Image"])["Image"].code == 1
            stats = stormy.stats()
    requests_made = sum(stats["requests"].values())
    # faults of both kinds happened and were retried, boundedly (at most 8 attempts per call)
    assert stats["faults"].get("http_error", 0) > 0
    assert stats["faults"].get("drop_before", 0) + stats["faults"].get("drop_after", 0) > 0
    assert requests_made == 40 + sum(stats["faults"].values()) <= 40 * 8


@pytest.mark.parametrize("recorded", [True, False])
def test_a_dropped_submit_is_outcome_unknown_and_not_resubmitted(tmp_path: Path,
                                                                 recorded: bool) -> None:
    """The connection closes with no answer, after (or before) the job was recorded."""
    db = tmp_path / "db"
    with run_simulator(db, job_seconds=STAGE, manual_clock=True, drop_rate=1.0,
                       drop_after=1.0 if recorded else 0.0, max_seconds=60) as sim:
        with Client(sim.base_url, USER, retry=fast_retries()) as client:
            with pytest.raises(SubmitOutcomeUnknown) as caught:
                submit(client, "GK Per")
        assert "job history" in str(caught.value)
        assert _submit_calls(sim) == 1
        assert sim.stats()["submissions"].get(USER, 0) == int(recorded)
    with run_simulator(db, job_seconds=STAGE, manual_clock=True, max_seconds=60) as sim:
        with Client(sim.base_url, USER, retry=fast_retries()) as client:
            # the caller settles the outcome from the history
            names = [j.name for j in client.list_old_jobs()]
    assert names == (["GK Per"] if recorded else [])


def test_a_submit_answered_with_5xx_is_outcome_unknown(tmp_path: Path) -> None:
    with run_simulator(tmp_path / "db", job_seconds=STAGE, manual_clock=True,
                       fail_rate=1.0, max_seconds=60) as sim:
        with Client(sim.base_url, USER, retry=fast_retries()) as client:
            with pytest.raises(SubmitOutcomeUnknown):
                submit(client, "GK Per")
        assert _submit_calls(sim) == 1


def test_a_submit_to_a_stopped_server_is_not_sent(tmp_path: Path) -> None:
    with run_simulator(tmp_path / "db", job_seconds=STAGE, manual_clock=True, max_seconds=60) as sim:
        url = sim.base_url
    with Client(url, USER, retry=RetryPolicy(attempts=2, base_delay=0.01)) as client:
        with pytest.raises(SubmitNotSent):
            submit(client, "GK Per")


def test_on_the_wall_clock_a_job_completes_and_downloads(sim: Simulator, tmp_path: Path) -> None:
    """The default fixture's products finish a fraction of a second after submission."""
    with Client(sim.base_url, USER, retry=fast_retries()) as client:
        _, result = submit(client, "Sgr A*")
        deadline = time.monotonic() + 20
        while not (status := client.check_status(result.job_id, ["SourceDet"])["SourceDet"]).terminal:
            assert time.monotonic() < deadline, status
            time.sleep(0.05)
        assert status.complete and client.count_active_jobs() == 0
        got = client.download(result.url, "SourceDet", tmp_path / "det.zip", "zip")
        assert _members(got.path, "zip")
