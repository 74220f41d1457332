"""The typed client over a scripted HTTP adapter: request shapes, reply parsing, failure
semantics and safe downloads. The same behaviour against the simulator is in
tests/conformance/test_client_sim.py."""

from __future__ import annotations

import hashlib
import io
import json
import random
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
import urllib3.exceptions
from requests.adapters import BaseAdapter

from reconciler import __version__
from reconciler.client import (
    Client,
    DestinationExists,
    ProtocolError,
    RetryPolicy,
    ServerError,
    ServerVersionWarning,
    SubmitNotSent,
    SubmitOutcomeUnknown,
    TransportError,
    archive_url,
)
from reconciler.errors import UserError
from reconciler.protocol.catalogue import ALL_PRODUCTS, API_NAME, API_VERSION, PRODUCTS
from reconciler.protocol.request import build
from reconciler.protocol.wire import to_payload

from .support import archive

BASE = "http://127.0.0.1:9/user_objects"
JOB_URL = f"{BASE}/tprods/USERPROD_14"
USER = "frodo@mount.doom"


class Scripted(BaseAdapter):
    """Answers requests from a script: ``(status, body)`` or ``(status, body, headers)``
    tuples, or exceptions to raise."""

    def __init__(self, *script: Any) -> None:
        super().__init__()
        self.script = list(script)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        if not self.script:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        status, payload, *more = item
        headers = more[0] if more else {}
        raw = payload if isinstance(payload, (bytes, io.IOBase)) else (
            payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        response = requests.Response()
        response.status_code = status
        response.reason = {200: "OK", 404: "Not Found", 500: "Internal Server Error",
                           503: "Service Unavailable"}.get(status, "")
        body = raw if isinstance(raw, io.IOBase) else io.BytesIO(raw)
        response.headers = requests.structures.CaseInsensitiveDict(headers)
        response.raw = urllib3.HTTPResponse(body, headers=headers, status=status,
                                            preload_content=False)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.body) for r in self.sent if r.body]


def ok(**fields: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"OK": 1, "APIVersion": API_VERSION, **fields}


def client_with(*script: Any, user: str = USER) -> tuple[Client, Scripted, list[float]]:
    adapter = Scripted(*script)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    sleeps: list[float] = []
    retry = RetryPolicy(attempts=4, sleep=sleeps.append, random=lambda: 1.0)
    return Client(BASE, user, session=session, retry=retry), adapter, sleeps


def dropped() -> requests.ConnectionError:
    """What requests raises when the server closes the connection without an answer."""
    return requests.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", ConnectionResetError("closed")))


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens on the port."""
    reason = urllib3.exceptions.NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", reason))  # type: ignore[arg-type]


def grb_payload() -> dict[str, Any]:
    request, problems = build(
        "GRB 200416A",
        {"getCoords": True, "getTargs": True, "getT0": True, "centroid": True, "posErr": 1,
         "useSXPS": False},
        {"LightCurve": {"binMeth": "snapshot"}, "StandardPos": {}},
    )
    assert problems == []
    return to_payload(request, USER)


# --- construction -------------------------------------------------------------------------------

def test_plain_http_to_another_host_is_refused() -> None:
    with pytest.raises(UserError, match="https"):
        Client("http://www.swift.ac.uk/user_objects", USER)
    assert Client("https://www.swift.ac.uk/user_objects/", USER).base_url.endswith("user_objects")


def test_a_user_is_required() -> None:
    with pytest.raises(UserError, match="e-mail"):
        Client(BASE, " ")


# --- every call carries the envelope --------------------------------------------------------------

def test_every_call_carries_user_and_api_identity() -> None:
    client, adapter, _ = client_with(
        ok(numJobs=0), ok(jobs=[]), ok(oldJob=5, jobPars={}, URL=JOB_URL),
        ok(lc={"statusCode": 4, "statusText": "Complete", "progress": {"GotProgress": 0}}),
        ok(status={"lc": "x"}, statusCodes={"lc": 1}),
        ok(JobID="5", URL=JOB_URL, jobPars={}),
    )
    client.count_active_jobs()
    client.list_old_jobs()
    client.get_old_product(5)
    client.check_status(5, ["lc"])
    client.cancel(5, ["lc"])
    client.submit(grb_payload())
    paths = [r.url.rsplit("/", 1)[-1] for r in adapter.sent]
    assert paths == ["getNumJobs.php", "listOldJobs.php", "getOldProduct.php",
                     "checkProductStatus.php", "canceljob.php", "run_userobject.php"]
    assert all(r.method == "POST" for r in adapter.sent)
    for body in adapter.bodies():
        assert (body["UserID"], body["api_name"], body["api_version"]) == (USER, API_NAME, API_VERSION)
    assert {r.headers["User-Agent"] for r in adapter.sent} == {f"xrt-reconcile/{__version__}"}


def test_a_user_agent_chosen_by_the_caller_is_kept() -> None:
    session = requests.Session()
    session.headers["User-Agent"] = "my-pipeline/2"
    assert Client(BASE, USER, session=session)._session.headers["User-Agent"] == "my-pipeline/2"


# --- submit ---------------------------------------------------------------------------------------------

def test_submit_sends_the_payload_and_normalises_the_job_id() -> None:
    payload = grb_payload()
    job_pars = {"name": "GRB 200416A", "RA": "335.6985", "lc": 1}
    client, adapter, _ = client_with(
        ok(JobID="14", URL="https://www.swift.ac.uk/user_objects/tprods/USERPROD_14",
           jobPars=job_pars))
    result = client.submit(payload)
    assert result.job_id == 14 and isinstance(result.job_id, int)
    assert result.url.endswith("USERPROD_14")
    assert result.job_pars == job_pars
    assert adapter.bodies() == [payload]


def test_submit_for_another_user_is_refused_before_sending() -> None:
    client, adapter, _ = client_with(user="sam@shire.me")
    with pytest.raises(UserError, match="frodo@mount.doom"):
        client.submit(grb_payload())
    assert adapter.sent == []


def test_refused_submission_is_a_server_error_with_python_names() -> None:
    client, adapter, _ = client_with((200, {
        "OK": 0, "APIVersion": 0.1, "ERROR": "There were problems with the parameters you supplied.",
        "listErr": [{"label": "The following parameters are needed, but were not supplied:",
                     "list": ["Dec", "cent", "pccounts"]}],
    }))
    with pytest.raises(ServerError) as caught:
        client.submit(grb_payload())
    assert "Dec; centroid; LightCurve: pcCounts" in str(caught.value)
    assert isinstance(caught.value, UserError)
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("failure", [
    dropped(), requests.ReadTimeout("slow"), (500, "<html>oops</html>"), (503, "busy"),
    (200, "<html>not json</html>"), ok(URL=JOB_URL, jobPars={}),  # no JobID
    ok(JobID="14", URL=JOB_URL, jobPars="nope"), ok(JobID="fourteen", URL=JOB_URL, jobPars={}),
])
def test_a_lost_or_unreadable_submit_answer_is_outcome_unknown_and_not_retried(failure: Any) -> None:
    client, adapter, sleeps = client_with(failure, ok(JobID="15", URL=JOB_URL, jobPars={}))
    with pytest.raises(SubmitOutcomeUnknown) as caught:
        client.submit(grb_payload())
    assert len(adapter.sent) == 1 and sleeps == []
    assert "job history" in str(caught.value)
    assert isinstance(caught.value, UserError)


def test_a_submit_that_could_not_connect_is_retried_then_reported_not_sent() -> None:
    client, adapter, _ = client_with(refused(), ok(JobID="15", URL=JOB_URL, jobPars={}))
    assert client.submit(grb_payload()).job_id == 15
    client, adapter, _ = client_with(*[refused()] * 4)
    with pytest.raises(SubmitNotSent):
        client.submit(grb_payload())
    assert len(adapter.sent) == 4


# --- reads ----------------------------------------------------------------------------------------------

def test_reads_survive_5xx_and_dropped_connections() -> None:
    client, adapter, sleeps = client_with((503, "busy"), dropped(), ok(numJobs=3))
    assert client.count_active_jobs() == 3
    assert len(adapter.sent) == 3 and sleeps == [0.5, 1.0]


def test_reads_wait_as_long_as_a_busy_server_asks() -> None:
    client, adapter, sleeps = client_with((503, "busy", {"Retry-After": "3"}),
                                          (429, "slow down", {"Retry-After": "1"}), ok(numJobs=2))
    assert client.count_active_jobs() == 2
    assert sleeps == [3.0, 1.0] and len(adapter.sent) == 3  # not the jittered 0.5, 1.0


def test_reads_give_up_after_bounded_attempts() -> None:
    client, adapter, _ = client_with(*[(502, "bad gateway")] * 4)
    with pytest.raises(TransportError) as caught:
        client.list_old_jobs()
    assert len(adapter.sent) == 4 and caught.value.status == 502
    assert "listOldJobs.php" in str(caught.value)


def test_server_errors_on_reads_are_not_retried() -> None:
    client, adapter, _ = client_with(
        (200, {"OK": 0, "APIVersion": 0.1, "ERROR": "The user `NO-ONE` is not recognised / validated"}))
    with pytest.raises(ServerError, match="not recognised"):
        client.count_active_jobs()
    assert len(adapter.sent) == 1


@pytest.mark.parametrize("value", [-1, "many", None, 2.5, True, "NaN", "1e400",
                                   pytest.param(10**400, id="10**400")])
def test_count_must_be_a_count(value: Any) -> None:
    client, _, _ = client_with(ok(numJobs=value))
    with pytest.raises(ProtocolError, match="numJobs"):
        client.count_active_jobs()


def test_list_old_jobs_reads_entries() -> None:
    flags = {p: False for p in ALL_PRODUCTS if p != "SourceDet"}
    client, _, _ = client_with(ok(jobs=[
        {"JobID": 12, "Name": "GK Per", "DateSubmitted": "2024-03-01 12:30:05",
         **flags, "Spectrum": True, "LightCurve": True, "hasProd": True},
        {"JobID": "7", "Name": "GRB 200416A", "DateSubmitted": "2020-04-16 10:00:00",
         **flags, "StandardPos": 1, "AstromPos": "1", "hasProd": False},
    ]))
    newest, oldest = client.list_old_jobs()
    assert (newest.job_id, newest.name, newest.has_prod) == (12, "GK Per", True)
    assert newest.products == ("LightCurve", "Spectrum")  # catalogue order, not reply order
    assert newest.submitted == datetime(2024, 3, 1, 12, 30, 5, tzinfo=timezone.utc)
    assert (oldest.job_id, oldest.products, oldest.has_prod) == (7, ("StandardPos", "AstromPos"), False)


@pytest.mark.parametrize("entry, needle", [
    ({"JobID": 1, "DateSubmitted": "2024-01-01 00:00:00"}, "Name"),
    ({"JobID": 1, "Name": "x", "DateSubmitted": "yesterday"}, "DateSubmitted"),
    ({"JobID": "one", "Name": "x", "DateSubmitted": "2024-01-01 00:00:00"}, "JobID"),
    ({"JobID": "²", "Name": "x", "DateSubmitted": "2024-01-01 00:00:00"}, "JobID"),
    ({"JobID": 0, "Name": "x", "DateSubmitted": "2024-01-01 00:00:00"}, "JobID"),
    ({"JobID": True, "Name": "x", "DateSubmitted": "2024-01-01 00:00:00"}, "JobID"),
    ("job 1", "not an object"),
])
def test_bad_history_entries_are_protocol_errors(entry: Any, needle: str) -> None:
    client, _, _ = client_with(ok(jobs=[entry]))
    with pytest.raises(ProtocolError, match=needle):
        client.list_old_jobs()


def test_get_old_product_asks_for_the_job_and_tolerates_a_missing_url() -> None:
    client, adapter, _ = client_with(ok(oldJob=800, jobPars={"spec": 1}, URL="https://h/USERPROD_800"),
                                     ok(oldJob=801, jobPars={"lc": 1}))
    first, second = client.get_old_product(800), client.get_old_product(801)
    assert [b["oldJob"] for b in adapter.bodies()] == [800, 801]
    assert (first.job_id, first.url, first.job_pars) == (800, "https://h/USERPROD_800", {"spec": 1})
    assert (second.url, second.job_pars) == (None, {"lc": 1})


def test_status_sends_short_keys_and_reads_codes_and_progress() -> None:
    running = {
        "statusCode": 3, "statusText": "Running",
        "progress": {"GotProgress": 1, "TimeRunning": "00:01:02", "PreProgress": "Trying",
                     "ProgressSteps": [
                         {"StepLabel": "Prepare data.", "StepStatus": 2},
                         {"StepLabel": "Build spectra.", "StepStatus": 1, "StepExtra": "1/2",
                          "SubStep": [{"StepLabel": "Fit spectrum.", "StepStatus": "0"}]}]},
    }
    client, adapter, _ = client_with(ok(JobID=5, spec=running, psf={
        "statusCode": "4", "statusText": "Complete", "progress": {"GotProgress": 0}},
        image={"statusCode": None, "statusText": "Unknown status", "progress": {"GotProgress": 0}}))
    result = client.check_status("5", ["Spectrum", "psf", "Image", "LightCurve"])
    assert adapter.bodies()[0]["what"] == "spec,psf,image,lc"
    assert adapter.bodies()[0]["whatProg"] == "spec,psf,image,lc"
    assert adapter.bodies()[0]["JobID"] == 5
    spec, psf, image, lc = (result[p] for p in ("Spectrum", "StandardPos", "Image", "LightCurve"))
    assert (spec.code, spec.active, spec.terminal) == (3, True, False)
    assert spec.progress.time_running == "00:01:02"
    assert [s.status for s in spec.progress.steps] == [2, 1]
    assert spec.progress.steps[1].extra == "1/2"
    assert spec.progress.steps[1].substeps[0].label == "Fit spectrum."
    assert (psf.code, psf.complete, psf.terminal) == (4, True, True)
    assert (image.code, image.text, image.reported) == (None, "Unknown status", True)
    assert (lc.code, lc.reported) == (None, False)


def test_status_progress_can_be_limited_or_omitted() -> None:
    entry = {"statusCode": 1, "statusText": "x", "progress": {"GotProgress": 0}}
    client, adapter, _ = client_with(ok(lc=entry, spec=entry), ok(lc=entry))
    client.check_status(1, ["lc", "spec"], progress=["spec"])
    client.check_status(1, ["lc"], progress=False)
    first, second = adapter.bodies()
    assert (first["what"], first["whatProg"]) == ("lc,spec", "spec")
    assert "whatProg" not in second


def test_unknown_products_are_rejected_before_sending() -> None:
    client, adapter, _ = client_with()
    with pytest.raises(ValueError, match="LightCurve"):
        client.check_status(1, ["LightCurves"])
    assert adapter.sent == []


def test_cancel_reads_per_product_codes() -> None:
    client, adapter, _ = client_with(
        (200, {"JobID": 1, "OK": 2, "APIVersion": 0.1,
               "status": {"lc": "Job could not be cancelled - has it already finished?",
                          "spec": "Job cancelled OK"},
               "statusCodes": {"lc": 1, "spec": 0}}))
    result = client.cancel(1, ["LightCurve", "Spectrum"])
    assert adapter.bodies()[0]["what"] == "lc,spec"
    assert (result.ok, result.all_cancelled) == (2, False)
    assert result.products["Spectrum"].cancelled and result.products["Spectrum"].code == 0
    assert result.products["LightCurve"].code == 1
    assert "already finished" in result.products["LightCurve"].text


def test_cancel_without_an_outcome_for_a_product_is_a_protocol_error() -> None:
    client, _, _ = client_with(ok(status={"lc": "ok"}, statusCodes={"lc": 0}))
    with pytest.raises(ProtocolError, match="spec"):
        client.cancel(1, ["lc", "spec"])


def test_cancel_of_another_users_job_is_a_server_error() -> None:
    client, _, _ = client_with(
        (200, {"OK": 0, "APIVersion": 0.1, "ERROR": "Job 147 is not owned by user frodo@mount.doom"}))
    with pytest.raises(ServerError, match="not owned"):
        client.cancel(147, ["lc"])


def test_newer_server_warns_once_per_client() -> None:
    newer = (200, {"OK": 1, "APIVersion": "99.1", "numJobs": 0})
    client, _, _ = client_with(newer, newer)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        client.count_active_jobs()
        client.count_active_jobs()
    assert [w.category for w in seen] == [ServerVersionWarning]


# --- downloads ------------------------------------------------------------------------------------------


def test_archive_url_uses_short_keys_and_known_formats() -> None:
    assert archive_url(JOB_URL, "LightCurve", "zip") == f"{JOB_URL}/lc.zip"
    assert archive_url(JOB_URL + "/", "all") == f"{JOB_URL}/all.tar.gz"
    assert [archive_url(JOB_URL, p).rsplit("/", 1)[1] for p in ALL_PRODUCTS] == [
        f"{PRODUCTS[p].key}.tar.gz" for p in ALL_PRODUCTS]
    with pytest.raises(ValueError, match="format"):
        archive_url(JOB_URL, "lc", ".zip")


def test_download_streams_to_the_destination(tmp_path: Path) -> None:
    data = archive("tar.gz", {"USERPROD_14/lc/curve.qdp": random.Random(1).randbytes(300_000)})
    assert len(data) > 4 * (1 << 16)  # several chunks
    client, adapter, _ = client_with((200, data))
    dest = tmp_path / "new" / "lc.tar.gz"
    result = client.download(JOB_URL, "LightCurve", dest)
    assert adapter.sent[0].method == "GET" and adapter.sent[0].url == f"{JOB_URL}/lc.tar.gz"
    assert dest.read_bytes() == data
    assert (result.path, result.size, result.sha256) == (dest, len(data), hashlib.sha256(data).hexdigest())
    assert sorted(p.name for p in dest.parent.iterdir()) == ["lc.tar.gz"]


def test_download_keeps_the_bytes_as_served(tmp_path: Path) -> None:
    """A server that labels a .tar.gz Content-Encoding: gzip must not get it unpacked into a
    plain tar under a .tar.gz name; and the request asks for no re-encoding."""
    data = archive("tar.gz")
    client, adapter, _ = client_with((200, data, {"Content-Encoding": "gzip"}))
    client.download(JOB_URL, "lc", tmp_path / "lc.tar.gz")
    assert (tmp_path / "lc.tar.gz").read_bytes() == data
    assert adapter.sent[0].headers["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("fmt", ["tar.gz", "tar", "zip"])
def test_download_never_overwrites_silently(tmp_path: Path, fmt: str) -> None:
    dest = tmp_path / f"lc.{fmt}"
    dest.write_bytes(b"precious")
    new = archive(fmt)
    client, adapter, _ = client_with((200, new))
    with pytest.raises(DestinationExists, match="exists") as caught:
        client.download(JOB_URL, "lc", dest, fmt)
    assert caught.value.path == dest
    assert dest.read_bytes() == b"precious" and adapter.sent == []
    client.download(JOB_URL, "lc", dest, fmt, overwrite=True)
    assert dest.read_bytes() == new


def test_download_is_retried_and_a_404_leaves_nothing(tmp_path: Path) -> None:
    data = archive("tar")
    client, adapter, sleeps = client_with((503, b"busy"), (200, data), (404, b"gone"))
    client.download(JOB_URL, "spec", tmp_path / "spec.tar", "tar")
    assert (tmp_path / "spec.tar").read_bytes() == data and len(sleeps) == 1
    assert len(adapter.sent) == 2
    with pytest.raises(TransportError) as caught:
        client.download(JOB_URL, "image", tmp_path / "image.tar", "tar")
    assert caught.value.status == 404
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.tar"]


class BreaksMidway(io.RawIOBase):
    """A body that delivers some bytes and then loses the connection."""

    def __init__(self, first: bytes = b"PK\x03\x04half") -> None:
        self.first = first
        self.sent = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.sent:
            raise requests.exceptions.ChunkedEncodingError("connection broken")
        self.sent = True
        buffer[:len(self.first)] = self.first
        return len(self.first)


def test_a_download_broken_midway_is_restarted_and_leaves_no_partial_file(tmp_path: Path) -> None:
    whole = archive("zip")
    client, _, _ = client_with((200, BreaksMidway()), (200, whole))
    client.download(JOB_URL, "psf", tmp_path / "psf.zip", "zip")
    assert (tmp_path / "psf.zip").read_bytes() == whole
    client, _, _ = client_with(*[(200, BreaksMidway()) for _ in range(4)])
    with pytest.raises(TransportError):
        client.download(JOB_URL, "psf", tmp_path / "psf.zip", "zip", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["psf.zip"]
    assert (tmp_path / "psf.zip").read_bytes() == whole


def test_a_body_shorter_than_its_content_length_never_replaces_a_good_file(tmp_path: Path) -> None:
    good, new = archive("tar.gz"), archive("tar.gz", {"USERPROD_14/lc/new.qdp": b"new" * 1000})
    dest = tmp_path / "lc.tar.gz"
    dest.write_bytes(good)
    short = [(200, new[: len(new) // 2], {"Content-Length": str(len(new))}) for _ in range(4)]
    client, adapter, _ = client_with(*short)
    with pytest.raises(TransportError, match="lost the connection"):
        client.download(JOB_URL, "lc", dest, overwrite=True)
    assert len(adapter.sent) == 4  # retried, as a lost connection is
    assert dest.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lc.tar.gz"]


@pytest.mark.parametrize("fmt, body, why", [
    ("tar.gz", b"<html>Service temporarily unavailable</html>", "not a zip, tar or tar.gz archive .it starts b'<html>Service"),
    ("tar.gz", archive("zip"), "is a zip archive, not a tar.gz one"),
    ("zip", archive("tar.gz"), "a tar.gz archive, not a zip"),
    ("tar.gz", archive("tar.gz", {"a": bytes(100_000)})[:-8], "not a readable tar.gz"),  # no trailer
    ("zip", archive("zip", {}), "empty zip"),
    ("tar", archive("tar", {"a": bytes(5000)})[:3000], "not a readable tar"),
])
def test_an_archive_that_does_not_open_is_refused_and_the_old_file_kept(
        tmp_path: Path, fmt: str, body: bytes, why: str) -> None:
    dest = tmp_path / f"lc.{fmt}"
    dest.write_bytes(b"the good old archive")
    client, adapter, _ = client_with((200, body))
    with pytest.raises(ProtocolError, match=why) as caught:
        client.download(JOB_URL, "lc", dest, fmt, overwrite=True)
    assert "left as it was" in str(caught.value) and len(adapter.sent) == 1
    assert dest.read_bytes() == b"the good old archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == [dest.name]


def test_download_places_it_cannot_write_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"x")
    client, adapter, _ = client_with((200, archive()))
    with pytest.raises(UserError, match="is a directory"):
        client.download(JOB_URL, "lc", tmp_path, overwrite=True)
    with pytest.raises(UserError, match="could not save"):
        client.download(JOB_URL, "lc", tmp_path / "a-file" / "lc.tar.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"] and adapter.sent == []


@pytest.mark.parametrize("job_url, why", [
    ("http://evil.example.org/tprods/USERPROD_1", "plain http to another machine"),
    ("https://evil.example.org/user_objects/tprods/USERPROD_1", "leaves the configured server"),
    ("http://127.0.0.1:10/user_objects/tprods/USERPROD_1", "leaves the configured server"),
    ("https://127.0.0.1:9/user_objects/tprods/USERPROD_1", "leaves the configured server"),
    ("http://localhost:9/user_objects/tprods/USERPROD_1", "leaves the configured server"),
    ("http://user:pw@127.0.0.1:9/user_objects/tprods/USERPROD_1", "leaves the configured server"),
])
def test_a_job_url_off_the_configured_server_is_refused_before_any_request(
        tmp_path: Path, job_url: str, why: str) -> None:
    client, adapter, _ = client_with((200, archive()))
    with pytest.raises(UserError, match=why):
        client.download(job_url, "lc", tmp_path / "lc.tar.gz")
    assert adapter.sent == [] and list(tmp_path.iterdir()) == []


# --- redirects -------------------------------------------------------------------------------------------

def moved(location: str, status: int = 302) -> tuple[int, bytes, dict[str, str]]:
    return status, b"", {"Location": location}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_post_is_never_redirected(status: int) -> None:
    evil = "http://evil.example.org/getNumJobs.php"
    client, adapter, sleeps = client_with(moved(evil, status), ok(numJobs=1))
    with pytest.raises(TransportError) as caught:
        client.count_active_jobs()
    assert len(adapter.sent) == 1 and sleeps == []  # not followed, not retried
    assert caught.value.status == status
    assert evil in str(caught.value) and "not followed" in str(caught.value)


def test_a_redirected_submit_is_not_followed_and_its_outcome_is_unknown() -> None:
    client, adapter, _ = client_with(moved("https://other.example.org/run_userobject.php", 307),
                                     ok(JobID="15", URL=JOB_URL, jobPars={}))
    with pytest.raises(SubmitOutcomeUnknown, match="other.example.org") as caught:
        client.submit(grb_payload())
    assert len(adapter.sent) == 1 and "job history" in str(caught.value)


def test_a_download_follows_redirects_on_the_same_server(tmp_path: Path) -> None:
    data = archive()
    client, adapter, _ = client_with(moved("/user_objects/files/lc.tar.gz"),
                                     moved(f"{BASE}/files2/lc.tar.gz", 307), (200, data))
    client.download(JOB_URL, "lc", tmp_path / "lc.tar.gz")
    assert [r.url for r in adapter.sent] == [
        f"{JOB_URL}/lc.tar.gz", f"{BASE}/files/lc.tar.gz", f"{BASE}/files2/lc.tar.gz"]
    assert (tmp_path / "lc.tar.gz").read_bytes() == data


@pytest.mark.parametrize("base, location, why", [
    (BASE, "https://evil.example.org/lc.tar.gz", "leaves the configured server"),
    (BASE, "http://127.0.0.1:10/user_objects/lc.tar.gz", "leaves the configured server"),
    ("https://ukssdc.example/user_objects", "http://ukssdc.example/user_objects/lc.tar.gz",
     "plain http"),
    ("https://ukssdc.example/user_objects", "//elsewhere.example/lc.tar.gz",
     "leaves the configured server"),
])
def test_a_download_redirect_off_the_server_or_to_plain_http_is_refused(
        tmp_path: Path, base: str, location: str, why: str) -> None:
    client, adapter, sleeps = client_with(moved(location), (200, archive()))
    client = Client(base, USER, session=client._session, retry=client.retry)
    with pytest.raises(TransportError, match=why) as caught:
        client.download(f"{base}/tprods/USERPROD_14", "lc", tmp_path / "lc.tar.gz")
    assert len(adapter.sent) == 1 and sleeps == []
    assert caught.value.status == 302 and "not followed" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_download_follows_a_bounded_number_of_redirects(tmp_path: Path) -> None:
    loop = [moved(f"{BASE}/hop{n}") for n in range(10)]
    client, adapter, _ = client_with(*loop)
    with pytest.raises(TransportError, match="more than 5 redirects"):
        client.download(JOB_URL, "lc", tmp_path / "lc.tar.gz")
    assert len(adapter.sent) == 6
