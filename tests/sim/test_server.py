"""The HTTP side: paths, faults, introspection, bounds, persistence and concurrency."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from reconciler.sim import run_simulator
from reconciler.sim.server import _Handler

from .support import USER, payload, post, submit


def test_unknown_paths_are_404_html(sim) -> None:
    for path in ("/", "/user_objects/", "/user_objects/nothing.php",
                 "/user_objects/tprods/getPSFPos.php", "/other/getNumJobs.php"):
        response = requests.post(sim.root_url + path, json={"UserID": USER})
        assert response.status_code == 404, path
        assert response.headers["Content-Type"].startswith("text/html")
        assert "Not Found" in response.text


def test_replies_look_like_php(sim) -> None:
    response = requests.post(f"{sim.base_url}/run_userobject.php", json=payload())
    assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "\n" not in response.text and "\\/" in response.text
    assert json.loads(response.text)["URL"].startswith("http://127.0.0.1:")


def test_http_errors_are_html(sim_factory) -> None:
    fsim = sim_factory(fail_rate=1.0)
    response = requests.post(f"{fsim.base_url}/getNumJobs.php", json={"UserID": USER})
    assert response.status_code in (500, 502, 503, 504)
    assert "<html>" in response.text
    assert fsim.stats()["faults"] == {"http_error": 1}


@pytest.mark.parametrize("code, retry_after, header", [
    (503, 7, "7"), (429, 0, "0"), (503, None, None), (500, 7, None), (502, 7, None),
])
def test_retry_after_on_busy_answers(sim_factory, code: int, retry_after: int | None,
                                     header: str | None) -> None:
    """RFC 9110 §10.2.3: 429 and 503 may say when to come back; other errors never do."""
    fsim = sim_factory(fail_rate=1.0, error_codes=(code,), retry_after=retry_after)
    response = requests.post(f"{fsim.base_url}/run_userobject.php", json=payload())
    assert response.status_code == code
    assert response.headers.get("Retry-After") == header
    assert response.reason in response.text and "<html>" in response.text
    assert fsim.stats()["submissions"] == {}  # refused before anything was done


def test_dropped_connections_get_no_answer(sim_factory) -> None:
    fsim = sim_factory(drop_rate=1.0, drop_after=0.0)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{fsim.base_url}/run_userobject.php", json=payload(), timeout=5)
    assert fsim.stats()["submissions"] == {}


def test_a_dropped_submission_may_have_been_recorded(sim_factory) -> None:
    fsim = sim_factory(drop_rate=1.0, drop_after=1.0)
    with pytest.raises(requests.ConnectionError):
        requests.post(f"{fsim.base_url}/run_userobject.php", json=payload(), timeout=5)
    stats = fsim.stats()
    assert stats["submissions"] == {USER: 1} and stats["faults"] == {"drop_after": 1}


def outcomes(sim, n: int) -> list[str]:
    out = []
    for _ in range(n):
        try:
            response = requests.post(f"{sim.base_url}/getNumJobs.php", json={"UserID": USER},
                                     timeout=5)
            out.append(str(response.status_code))
        except requests.ConnectionError:
            out.append("dropped")
    return out


def test_faults_are_deterministic_per_seed(sim_factory) -> None:
    first = outcomes(sim_factory(fail_rate=0.3, drop_rate=0.2, seed=11), 40)
    again = outcomes(sim_factory(fail_rate=0.3, drop_rate=0.2, seed=11), 40)
    other = outcomes(sim_factory(fail_rate=0.3, drop_rate=0.2, seed=12), 40)
    assert first == again != other
    assert {"200", "dropped"} <= set(first) and set(first) - {"200", "dropped"}


def test_latency_delays_answers(sim_factory) -> None:
    slow = sim_factory(latency=0.3)
    start = time.monotonic()
    post(slow, "getNumJobs.php", {"UserID": USER})
    assert time.monotonic() - start >= 0.3


def test_stats_count_requests_and_jobs(sim_factory) -> None:
    # A manual clock: on the wall clock a job could finish between the two stats reads below.
    sim = sim_factory(manual_clock=True)
    submit(sim, payload("GK Per"))
    submit(sim, payload("GK Per"))
    submit(sim, payload("RS Oph"))
    post(sim, "listOldJobs.php", {"UserID": USER})
    requests.get(f"{sim.base_url}/tprods/USERPROD_1/lc.zip")
    stats = requests.get(f"{sim.root_url}/_sim/stats").json()
    assert stats["submissions"] == {USER: 3}
    assert stats["jobs_per_name"] == {USER: {"GK Per": 2, "RS Oph": 1}}
    assert stats["requests"] == {"run_userobject.php": 3, "listOldJobs.php": 1, "download": 1}
    assert stats["active"] == stats["peak_active"] == {USER: 3}
    assert stats == sim.stats()


def test_manual_clock_over_http(sim_factory) -> None:
    msim = sim_factory(manual_clock=True)
    before = msim.stats()["now"]
    reply = requests.post(f"{msim.root_url}/_sim/advance", json={"seconds": 12.5}).json()
    assert reply["now"] == pytest.approx(before + 12.5)
    assert requests.post(f"{msim.root_url}/_sim/advance", json={"seconds": -1}).status_code == 409
    for bad in (b'{"seconds": NaN}', b'{"seconds": 1' + b"0" * 400 + b"}", b"[" * 100_000):
        reply = requests.post(f"{msim.root_url}/_sim/advance", data=bad)
        assert reply.status_code == 409, bad[:20]
    assert msim.stats()["now"] == pytest.approx(before + 12.5)


def test_advance_needs_a_manual_clock(sim) -> None:
    assert requests.post(f"{sim.root_url}/_sim/advance", json={"seconds": 1}).status_code == 409
    with pytest.raises(RuntimeError, match="manual_clock"):
        sim.advance(1)


def test_oversized_bodies_are_refused(sim) -> None:
    response = requests.post(f"{sim.base_url}/getNumJobs.php", data=b"x" * 1_000_001)
    assert response.status_code == 413


def test_a_client_that_stalls_mid_request_is_dropped(sim, monkeypatch) -> None:
    assert _Handler.timeout is not None and 0 < _Handler.timeout <= 60
    monkeypatch.setattr(_Handler, "timeout", 0.2)  # the same mechanism, quicker
    with socket.create_connection(("127.0.0.1", sim.port), timeout=5) as client:
        client.sendall(b"POST /user_objects/getNumJobs.php HTTP/1.0\r\n"
                       b"Content-Length: 100\r\n\r\n{")  # and then nothing more
        assert client.recv(1024) == b""  # closed by the server, long before our 5 s


def test_stops_by_itself_after_max_requests(tmp_path: Path) -> None:
    with run_simulator(tmp_path / "s.db", max_requests=2) as limited:
        post(limited, "getNumJobs.php", {"UserID": USER})
        post(limited, "getNumJobs.php", {"UserID": USER})
        assert limited.wait(5)


def test_stops_by_itself_after_max_seconds(tmp_path: Path) -> None:
    with run_simulator(tmp_path / "s.db", max_seconds=0.2) as limited:
        assert limited.wait(5)
        with pytest.raises(requests.ConnectionError):
            requests.post(f"{limited.base_url}/getNumJobs.php", json={"UserID": USER}, timeout=2)


def test_state_and_manual_clock_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with run_simulator(db, manual_clock=True, job_seconds=10) as first:
        job = submit(first, payload())
        first.advance(15)
        now = first.stats()["now"]
    with run_simulator(db, manual_clock=True, job_seconds=10) as second:
        assert second.stats()["now"] == now
        jobs = post(second, "listOldJobs.php", {"UserID": USER})["jobs"]
        assert [j["JobID"] for j in jobs] == [int(job["JobID"])]
        reply = post(second, "checkProductStatus.php",
                     {"UserID": USER, "JobID": job["JobID"], "what": "lc"})
        assert reply["lc"]["statusCode"] == 2
        second.advance(20)
        reply = post(second, "checkProductStatus.php",
                     {"UserID": USER, "JobID": job["JobID"], "what": "lc"})
        assert reply["lc"]["statusCode"] == 4
        assert submit(second, payload())["JobID"] == str(int(job["JobID"]) + 1)


def test_concurrent_submissions_over_http_respect_the_limit(sim_factory) -> None:
    lsim = sim_factory(manual_clock=True, max_queued=10)
    results: list[int] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        reply = submit(lsim, payload(f"src {i}"))
        with lock:
            results.append(reply["OK"])

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0] * 15 + [1] * 10
    stats = lsim.stats()
    assert stats["submissions"][USER] == 10 and stats["peak_active"][USER] == 10
    assert stats["refused"][USER] == 15


def test_api_version_and_deprecation_warning_are_configurable(sim_factory) -> None:
    newer = sim_factory(api_version="1.13", deprecation=("old-lc", "Light curves change soon"))
    reply = post(newer, "getNumJobs.php", {"UserID": USER})
    assert reply["APIVersion"] == "1.13"
    assert reply["deprecationWarning"] == {"type": "old-lc", "message": "Light curves change soon"}
    plain = post(sim_factory(), "getNumJobs.php", {"UserID": USER})
    assert plain["APIVersion"] == "1.12" and "deprecationWarning" not in plain


def test_a_simulator_bug_is_a_500_not_a_hang(sim, monkeypatch, capsys) -> None:
    def broken(endpoint, body):
        raise KeyError("bug")

    monkeypatch.setattr(sim.protocol, "handle", broken)
    response = requests.post(f"{sim.base_url}/getNumJobs.php", json={"UserID": USER}, timeout=5)
    assert response.status_code == 500 and "<html>" in response.text
    assert "KeyError: 'bug'" in capsys.readouterr().err
