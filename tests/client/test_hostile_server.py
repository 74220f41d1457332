"""The client against a real HTTP server on loopback that misbehaves in ways the simulator
cannot: redirects, hostile or huge answers, truncated downloads.

Every server here answers from a script, records what it was asked, listens on 127.0.0.1
only, and stops when the test ends (or after 30 s, whichever comes first).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from reconciler.client import (
    Client,
    ProtocolError,
    RetryPolicy,
    SubmitOutcomeUnknown,
    Timeouts,
    TransportError,
)
from reconciler.client.client import HISTORY_LIMIT, REPLY_LIMIT
from reconciler.errors import UserError
from reconciler.protocol.catalogue import ALL_PRODUCTS, API_VERSION

from .support import archive

USER = "frodo@mount.doom"
#: (status, headers, body chunks) answered to one request
Answer = tuple[int, dict[str, str], Iterable[bytes]]


@dataclass
class Seen:
    method: str
    path: str
    body: bytes


@dataclass
class Server:
    url: str
    seen: list[Seen] = field(default_factory=list)
    #: bytes of answer bodies actually written before the client hung up
    written: int = 0


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Seen], Answer]], Server]]:
    """``serve(answer)`` starts a loopback server that answers each request with
    ``answer(request)``; it is stopped when the test ends."""
    started: list[ThreadingHTTPServer] = []

    def start(answer: Callable[[Seen], Answer]) -> Server:
        record = Server("")

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                self.connection.settimeout(5)
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, self.rfile.read(length))
                record.seen.append(seen)
                status, headers, chunks = answer(seen)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in chunks:
                        self.wfile.write(chunk)
                        record.written += len(chunk)
                except OSError:  # the client hung up, as it should on a runaway answer
                    pass
                self.close_connection = True

            do_GET = do_POST = _handle

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        started.append(server)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        threading.Timer(30, server.shutdown).start()  # a stuck test still stops the server
        record.url = f"http://127.0.0.1:{server.server_address[1]}/user_objects"
        return record

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


def client_for(server: Server) -> Client:
    return Client(server.url, USER, timeouts=Timeouts(2, 2),
                  retry=RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, total=5))


def json_answer(reply: Any, status: int = 200) -> Answer:
    data = json.dumps(reply).encode() if not isinstance(reply, bytes) else reply
    return status, {"Content-Type": "text/html", "Content-Length": str(len(data))}, [data]


def ok(**fields: Any) -> Answer:
    return json_answer({"OK": 1, "APIVersion": API_VERSION, **fields})


# --- redirects --------------------------------------------------------------------------------

def test_a_post_redirected_elsewhere_sends_nothing_there(serve: Any) -> None:
    elsewhere = serve(lambda seen: ok(numJobs=0))
    target = f"{elsewhere.url}/getNumJobs.php"
    redirecting = serve(lambda seen: (307, {"Location": target, "Content-Length": "0"}, []))
    with client_for(redirecting) as client:
        with pytest.raises(TransportError) as caught:
            client.count_active_jobs()
        with pytest.raises(SubmitOutcomeUnknown):
            client.submit({"name": "x"})
    assert target in str(caught.value) and "not followed" in str(caught.value)
    assert len(redirecting.seen) == 2
    assert elsewhere.seen == []  # the UserID never reached it


def test_a_download_redirect_is_followed_on_the_server_only(serve: Any, tmp_path: Path) -> None:
    data = archive("tar.gz", {"USERPROD_1/lc/curve.qdp": b"1 2 3\n"})
    elsewhere = serve(lambda seen: (200, {"Content-Length": str(len(data))}, [data]))

    def answer(seen: Seen) -> Answer:
        if seen.path.endswith("USERPROD_1/lc.tar.gz"):  # moved within the server
            return 302, {"Location": "/user_objects/store/lc.tar.gz", "Content-Length": "0"}, []
        if seen.path.endswith("USERPROD_1/spec.tar.gz"):  # moved off it
            return 302, {"Location": f"{elsewhere.url}/spec.tar.gz", "Content-Length": "0"}, []
        return 200, {"Content-Length": str(len(data))}, [data]

    server = serve(answer)
    with client_for(server) as client:
        job = f"{server.url}/tprods/USERPROD_1"
        client.download(job, "lc", tmp_path / "lc.tar.gz")
        with pytest.raises(TransportError, match="leaves the configured server"):
            client.download(job, "spec", tmp_path / "spec.tar.gz")
    assert (tmp_path / "lc.tar.gz").read_bytes() == data
    assert [s.path for s in server.seen] == ["/user_objects/tprods/USERPROD_1/lc.tar.gz",
                                             "/user_objects/store/lc.tar.gz",
                                             "/user_objects/tprods/USERPROD_1/spec.tar.gz"]
    assert elsewhere.seen == [] and sorted(p.name for p in tmp_path.iterdir()) == ["lc.tar.gz"]


# --- hostile answers --------------------------------------------------------------------------

GOOD_PARS = {"name": "GK Per", "lc": 1, "UserID": USER, "models": ["powerlaw"]}
STATUS_OK = {"statusCode": 3, "statusText": "Running", "progress": {"GotProgress": 0}}


def _submit(client: Client) -> Any:
    return client.submit({"name": "GK Per"})


CALLS: dict[str, Callable[[Client], Any]] = {
    "count": lambda c: c.count_active_jobs(),
    "list": lambda c: c.list_old_jobs(),
    "old": lambda c: c.get_old_product(7),
    "status": lambda c: c.check_status(7, ["lc"]),
    "cancel": lambda c: c.cancel(7, ["lc"]),
    "submit": _submit,
}


@pytest.mark.parametrize("call, answer, needle", [
    ("list", json_answer(b"<html><body>Gateway timeout</body></html>"), "not JSON"),
    ("list", json_answer(b'{"OK": 1, "APIVersion": "1.12", "jobs": [}'), "not JSON"),
    ("count", ok(numJobs=[3]), "numJobs"),
    ("list", ok(jobs={"JobID": 1}), "jobs is dict"),
    ("list", ok(jobs=[{"JobID": 1, "Name": {"a": 1}, "DateSubmitted": "2024-01-01 00:00:00"}]),
     "Name of job 1"),
    ("list", ok(jobs=[{"JobID": 1, "Name": "x", "DateSubmitted": 5e9}]), "DateSubmitted"),
    ("list", ok(jobs=[{"JobID": 1, "Name": "x", "DateSubmitted": "2024-01-01 00:00:00",
                       "LightCurve": {"yes": 1}}]), "LightCurve of job 1"),
    ("list", ok(jobs=[{"JobID": 1, "Name": "x" * 20_000, "DateSubmitted": "2024-01-01 00:00:00"}]),
     "20000 characters"),
    ("old", ok(oldJob=7, jobPars=["lc", 1], URL="http://127.0.0.1/x"), "jobPars is"),
    ("old", ok(oldJob=8, jobPars=GOOD_PARS), "about job 8, not job 7"),
    ("old", ok(oldJob=7, jobPars={**GOOD_PARS, "../../lock": 1}), "not a parameter name"),
    ("old", ok(oldJob=7, jobPars={**GOOD_PARS, "has space": 1}), "not a parameter name"),
    ("old", ok(oldJob=7, jobPars={**GOOD_PARS, "lc": {"binMeth": "counts"}}), "jobPars lc is"),
    ("old", ok(oldJob=7, jobPars={**GOOD_PARS, "models": [["powerlaw"]]}), "list of lists"),
    ("old", ok(oldJob=7, jobPars={**GOOD_PARS, "UserID": "sam@shire.me"}), "another user"),
    ("old", ok(oldJob=7, jobPars={f"k{n}": n for n in range(5000)}), "5000 keys"),
    ("old", ok(oldJob=7, jobPars=GOOD_PARS, URL="javascript:alert(1)"), "not an http"),
    ("old", ok(oldJob=7, jobPars=GOOD_PARS, URL=["http://h/x"]), "not a URL"),
    ("status", ok(JobID=8, lc=STATUS_OK), "about job 8"),
    ("status", ok(lc={**STATUS_OK, "statusText": ["Running"]}), "statusText"),
    ("status", ok(lc={**STATUS_OK, "progress": "half way"}), "progress is"),
    ("status", ok(lc={**STATUS_OK, "progress": {"GotProgress": 1, "ProgressSteps": 5}}),
     "ProgressSteps"),
    ("status", ok(lc={**STATUS_OK, "progress": {"GotProgress": 1, "ProgressSteps": [
        {"StepLabel": "a", "SubStep": [{"StepLabel": "b", "SubStep": 7}]}]}}), "SubStep"),
    ("cancel", ok(JobID=7, status={"lc": {"text": 1}}, statusCodes={"lc": 0}), "lc status"),
    ("cancel", ok(JobID=9, status={"lc": "ok"}, statusCodes={"lc": 0}), "about job 9"),
    ("submit", ok(JobID="15", URL="http://127.0.0.1/x", jobPars={"lc": [{}]}), "jobPars lc"),
    ("submit", ok(JobID="15", URL=15, jobPars=GOOD_PARS), "not a URL"),
    ("submit", json_answer(b"\x00" * 100), "not JSON"),
])
def test_hostile_answers_are_one_clear_error_and_return_nothing(
        serve: Any, call: str, answer: Answer, needle: str) -> None:
    server = serve(lambda seen: answer)
    with client_for(server) as client, pytest.raises(UserError) as caught:
        CALLS[call](client)
    error = caught.value
    if call == "submit":  # the job may exist all the same: the history must be checked
        assert isinstance(error, SubmitOutcomeUnknown) and "job history" in str(error)
        assert isinstance(error.__cause__, ProtocolError)
        error = error.__cause__
    assert isinstance(error, ProtocolError)
    assert needle in str(error), str(error)
    assert "\n" not in str(error) and len(str(error)) < 600
    assert len(server.seen) == 1  # not retried: the same question gets the same answer


def test_a_well_formed_history_of_ten_thousand_jobs_is_read(serve: Any) -> None:
    flags = {p: False for p in ALL_PRODUCTS}
    jobs = [{"JobID": n, "Name": f"GRB {n:06d}A with a longish name", "DateSubmitted":
             "2024-03-01 12:30:05", **flags, "LightCurve": True, "hasProd": True}
            for n in range(10_000, 0, -1)]
    answer = ok(jobs=jobs)
    size = sum(len(c) for c in answer[2])
    assert 2 << 20 < size < HISTORY_LIMIT // 4  # a few MB, well inside the limit
    server = serve(lambda seen: ok(jobs=jobs))
    with client_for(server) as client:
        history = client.list_old_jobs()
    assert len(history) == 10_000 and history[0].job_id == 10_000


def _endless(piece: bytes, total: int) -> Iterator[bytes]:
    yield b'{"OK": 1, "APIVersion": "1.12", "jobs": ['
    for _ in range(total // len(piece)):
        yield piece


@pytest.mark.parametrize("call, limit", [("list", HISTORY_LIMIT), ("count", REPLY_LIMIT)])
def test_a_runaway_answer_is_abandoned_without_being_read_whole(
        serve: Any, call: str, limit: int) -> None:
    piece = b'{"JobID": 1, "Name": "x", "DateSubmitted": "2024-01-01 00:00:00"},' * 100
    total = 4 * limit + (256 << 20) * (call == "list")
    server = serve(lambda seen: (200, {}, _endless(piece, total)))  # no Content-Length
    started = time.monotonic()
    with client_for(server) as client, \
            pytest.raises(ProtocolError, match=f"longer than the {limit} bytes"):
        CALLS[call](client)
    assert time.monotonic() - started < 20
    assert len(server.seen) == 1
    deadline = time.monotonic() + 5
    while server.written >= total and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.written < total  # the client hung up long before the end


def test_an_announced_huge_answer_is_refused_before_reading(serve: Any) -> None:
    server = serve(lambda seen: (200, {"Content-Length": str(10 ** 12)}, [b"{" * 1000]))
    with client_for(server) as client, \
            pytest.raises(ProtocolError, match="1000000000000 bytes long"):
        client.get_old_product(7)


# --- truncated downloads ----------------------------------------------------------------------

GOOD = archive("tar.gz", {"USERPROD_1/lc/curve.qdp": b"the good light curve\n"})
NEW = archive("tar.gz", {"USERPROD_1/lc/curve.qdp": bytes(range(256)) * 2000})


@pytest.mark.parametrize("announced", [True, False])
def test_a_truncated_download_never_replaces_a_good_file(
        serve: Any, tmp_path: Path, announced: bool) -> None:
    """The connection closes half way: with a Content-Length the client knows at once and
    retries; without one the archive check finds it. Either way the old file stays."""
    half = NEW[: len(NEW) // 2]
    headers = {"Content-Length": str(len(NEW))} if announced else {}
    server = serve(lambda seen: (200, headers, [half]))
    dest = tmp_path / "lc.tar.gz"
    dest.write_bytes(GOOD)
    with client_for(server) as client, \
            pytest.raises((TransportError, ProtocolError)) as caught:
        client.download(f"{server.url}/tprods/USERPROD_1", "lc", dest, overwrite=True)
    if announced:
        assert isinstance(caught.value, TransportError) and len(server.seen) == 3
    else:
        assert isinstance(caught.value, ProtocolError) and "not a readable tar.gz" in str(caught.value)
    assert dest.read_bytes() == GOOD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lc.tar.gz"]
