"""Timeouts, bounded retries and what a failure proves about a submission."""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Iterator
from typing import Callable

import pytest
import requests

from reconciler.client.errors import SubmitNotSent, SubmitOutcomeUnknown, TransportError
from reconciler.client.transport import (
    HTTPStatus,
    Redirected,
    RetryPolicy,
    call,
    check_base_url,
    nothing_sent,
    off_server,
    retry_after_seconds,
)
from reconciler.errors import UserError


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def policy(self, **kw: float) -> RetryPolicy:
        return RetryPolicy(sleep=self.sleep, random=lambda: 1.0, clock=lambda: self.now, **kw)


def scripted(*outcomes: object) -> tuple[Callable[[], str], list[int]]:
    """An attempt that raises or returns the outcomes in turn; counts calls."""
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        item = outcomes[len(calls) - 1]
        if isinstance(item, BaseException):
            raise item
        return str(item)

    return attempt, calls


# --- real sockets, to classify real requests exceptions ----------------------------------------

@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dropping_server() -> Iterator[str]:
    """Accepts connections, reads the request, closes without answering; stops by itself
    after 10 s or when the test ends."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.05)
    stop = threading.Event()

    def serve() -> None:
        deadline = time.monotonic() + 10
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    conn.recv(65536)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/x"
    stop.set()
    thread.join(timeout=5)
    server.close()


def _raised(url: str) -> requests.RequestException:
    try:
        requests.post(url, json={}, timeout=(2, 2))
    except requests.RequestException as exc:
        return exc
    raise AssertionError("no exception")


def test_refused_connection_provably_sent_nothing(closed_port: int) -> None:
    assert nothing_sent(_raised(f"http://127.0.0.1:{closed_port}/x"))


def test_dropped_answer_may_have_been_received(dropping_server: str) -> None:
    exc = _raised(dropping_server)
    assert isinstance(exc, requests.ConnectionError)
    assert not nothing_sent(exc)


def test_read_timeout_may_have_been_received() -> None:
    assert not nothing_sent(requests.ReadTimeout("slow"))
    assert nothing_sent(requests.ConnectTimeout("no route"))


def test_submit_over_a_dropped_connection_is_outcome_unknown(dropping_server: str) -> None:
    clock = FakeTime()
    sent: list[int] = []

    def attempt() -> bytes:
        sent.append(1)
        return requests.post(dropping_server, json={}, timeout=(2, 2)).content

    with pytest.raises(SubmitOutcomeUnknown) as caught:
        call("run_userobject.php", dropping_server, attempt, clock.policy(), idempotent=False)
    assert len(sent) == 1 and clock.sleeps == []
    assert "job history" in str(caught.value)


def test_submit_to_a_closed_port_is_not_sent_after_bounded_retries(closed_port: int) -> None:
    clock = FakeTime()
    url = f"http://127.0.0.1:{closed_port}/x"
    with pytest.raises(SubmitNotSent) as caught:
        call("run_userobject.php", url,
             lambda: requests.post(url, json={}, timeout=(2, 2)).content,
             clock.policy(attempts=3), idempotent=False)
    assert caught.value.attempts == 3
    assert "nothing was submitted" in str(caught.value)


# --- the retry loop -------------------------------------------------------------------------------

def test_reads_retry_5xx_and_connection_errors_with_growing_backoff() -> None:
    clock = FakeTime()
    attempt, calls = scripted(HTTPStatus(503, "Busy"), requests.ConnectionError("reset"),
                              requests.ReadTimeout("slow"), "fine")
    assert call("listOldJobs.php", "u", attempt, clock.policy(base_delay=0.5),
                idempotent=True) == "fine"
    assert len(calls) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, random=lambda: 0.5)
    assert [policy.delay(n) for n in range(5)] == [0.5, 1.0, 2.0, 2.5, 2.5]
    assert policy.delay(5000) == 2.5  # no float overflow for long-running policies
    assert RetryPolicy(random=lambda: 0.0).delay(3) == 0.0


def test_reads_give_up_after_the_attempt_limit() -> None:
    clock = FakeTime()
    attempt, calls = scripted(*[HTTPStatus(502, "Bad Gateway")] * 10)
    with pytest.raises(TransportError) as caught:
        call("getNumJobs.php", "http://h/getNumJobs.php", attempt, clock.policy(attempts=4),
             idempotent=True)
    assert len(calls) == 4 and caught.value.attempts == 4
    assert caught.value.status == 502
    assert "getNumJobs.php" in str(caught.value) and "502" in str(caught.value)
    assert not isinstance(caught.value, (SubmitNotSent, SubmitOutcomeUnknown))


def test_reads_give_up_when_the_time_budget_is_spent() -> None:
    clock = FakeTime()
    attempt, calls = scripted(*[requests.ConnectionError("down")] * 50)
    with pytest.raises(TransportError):
        call("x", "u", attempt, clock.policy(attempts=50, base_delay=1.0, max_delay=100.0,
                                             total=10.0), idempotent=True)
    # sleeps 1, 2, 4 fit in 10 s; the next (8) would end after the budget
    assert clock.sleeps == [1.0, 2.0, 4.0] and len(calls) == 4


@pytest.mark.parametrize("exc", [HTTPStatus(404, "Not Found"), HTTPStatus(400, "Bad"),
                                 requests.exceptions.SSLError("bad certificate")])
def test_permanent_failures_are_not_retried(exc: Exception) -> None:
    clock = FakeTime()
    attempt, calls = scripted(exc, "never")
    with pytest.raises(TransportError):
        call("x", "u", attempt, clock.policy(), idempotent=True)
    assert len(calls) == 1 and clock.sleeps == []


@pytest.mark.parametrize("exc", [HTTPStatus(500, "Oops"), requests.ReadTimeout("slow"),
                                 requests.ConnectionError("reset by peer"),
                                 HTTPStatus(404, "Not Found")])
def test_submit_is_never_retried_once_it_may_have_been_sent(exc: Exception) -> None:
    clock = FakeTime()
    attempt, calls = scripted(exc, "a second job")
    with pytest.raises(SubmitOutcomeUnknown):
        call("run_userobject.php", "u", attempt, clock.policy(), idempotent=False)
    assert len(calls) == 1


# --- URLs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "https://www.swift.ac.uk/user_objects", "http://127.0.0.1:8765/user_objects",
    "http://127.4.5.6/user_objects", "http://localhost:1/u", "http://[::1]:9/u",
])
def test_https_or_loopback_urls_are_accepted(url: str) -> None:
    assert check_base_url(url) == url


@pytest.mark.parametrize("url, why", [
    ("http://www.swift.ac.uk/user_objects", "plain http to another machine"),
    ("http://10.0.0.1/u", "plain http to another machine"),
    ("http://128.0.0.1/u", "plain http to another machine"),
    ("http://localhost.example.org/u", "plain http to another machine"),
    ("ftp://127.0.0.1/u", "not an http"), ("www.swift.ac.uk/user_objects", "not an http"),
    ("https:///user_objects", "not an http"),
])
def test_plain_http_elsewhere_or_other_schemes_are_refused(url: str, why: str) -> None:
    with pytest.raises(UserError, match=why):
        check_base_url(url)


# --- Retry-After ---------------------------------------------------------------------------------------

def answer(status: int, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_read_as_seconds_or_an_http_date(status: int) -> None:
    assert retry_after_seconds(answer(status, **{"Retry-After": "7"})) == 7.0
    later = email.utils.formatdate(time.time() + 100, usegmt=True)
    assert 90 <= (retry_after_seconds(answer(status, **{"Retry-After": later})) or 0) <= 100
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert retry_after_seconds(answer(status, **{"Retry-After": past})) == 0.0


@pytest.mark.parametrize("response", [
    answer(500, **{"Retry-After": "7"}),  # only 429 and 503 say when to come back
    answer(503), answer(503, **{"Retry-After": "soon"}), answer(429, **{"Retry-After": "-3"}),
])
def test_retry_after_is_ignored_where_it_is_not_meant_or_unreadable(
        response: requests.Response) -> None:
    assert retry_after_seconds(response) is None


def test_a_retry_after_is_obeyed_instead_of_the_jittered_backoff() -> None:
    clock = FakeTime()
    attempt, calls = scripted(HTTPStatus(503, "Busy", retry_after=7.0),
                              HTTPStatus(429, "Slow down", retry_after=0.0),
                              HTTPStatus(503, "Busy"), "fine")
    assert call("x", "u", attempt, clock.policy(base_delay=0.5, max_delay=30.0),
                idempotent=True) == "fine"
    assert len(calls) == 4
    assert clock.sleeps == [7.0, 0.0, 2.0]  # the last one is the backoff again (0.5 * 2**2)


def test_a_retry_after_is_capped_by_the_policy() -> None:
    clock = FakeTime()
    attempt, calls = scripted(*[HTTPStatus(503, "Busy", retry_after=3600.0)] * 10)
    with pytest.raises(TransportError) as caught:
        call("getNumJobs.php", "u", attempt,
             clock.policy(attempts=10, max_delay=30.0, total=100.0), idempotent=True)
    # 30 s each (the cap); a fourth wait would end after the 100 s budget
    assert clock.sleeps == [30.0, 30.0, 30.0] and len(calls) == 4
    assert caught.value.retry_after == 3600.0  # the caller can see what the server asked
    assert "retry after 3600 s" in str(caught.value)


def test_a_retry_after_on_a_submit_changes_nothing() -> None:
    clock = FakeTime()
    attempt, calls = scripted(HTTPStatus(503, "Busy", retry_after=1.0), "a second job")
    with pytest.raises(SubmitOutcomeUnknown):
        call("run_userobject.php", "u", attempt, clock.policy(), idempotent=False)
    assert len(calls) == 1 and clock.sleeps == []


def test_a_refused_redirect_is_not_retried() -> None:
    clock = FakeTime()
    attempt, calls = scripted(Redirected(302, "Found", "http://evil.example.org/x", "because"),
                              "never")
    with pytest.raises(TransportError, match="'http://evil.example.org/x' that was not followed"):
        call("x", "u", attempt, clock.policy(), idempotent=True)
    assert len(calls) == 1 and clock.sleeps == []


@pytest.mark.parametrize("url, server, why", [
    ("https://h.example/a", "https://h.example/user_objects", None),
    ("https://H.example:443/a", "https://h.example/user_objects", None),
    ("http://127.0.0.1:8/a", "http://127.0.0.1:8/u", None),
    ("http://h.example/a", "https://h.example/u", "plain http"),
    ("https://h.example:8443/a", "https://h.example/u", "leaves"),
    ("https://g.example/a", "https://h.example/u", "leaves"),
    ("https://h.example.evil.org/a", "https://h.example/u", "leaves"),
    ("https://me@h.example/a", "https://h.example/u", "leaves"),
    ("https://h.example:99999/a", "https://h.example/u", "leaves"),
    ("file:///etc/passwd", "https://h.example/u", "leaves"),
])
def test_off_server(url: str, server: str, why: str | None) -> None:
    found = off_server(url, server)
    assert (found is None) if why is None else (why in (found or ""))
