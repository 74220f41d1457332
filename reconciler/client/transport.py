"""HTTP calls with timeouts and bounded retries, and what a failed call proves.

Reads are idempotent, so an HTTP 5xx or a lost connection is retried with exponential backoff
and full jitter (or after the server's ``Retry-After`` on 429/503), bounded both in attempts
and in total time. A submission is not idempotent: once its bytes may have reached the server,
a lost answer says nothing about whether a job now exists, so it is never retried and is
reported as :class:`SubmitOutcomeUnknown` for the caller to settle from the job history. Only a
failure to open the connection at all proves nothing was sent; that alone may be retried for a
submission.

Where a request may go is decided here too. The UserID is the only credential and travels in
every POST body, so a POST never follows a redirect (requests would resend the body to
wherever the server points, plain http included). Downloads carry no UserID but still go only
to the configured server: a redirect is followed only while it stays on the same scheme, host
and port.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
import urllib3.exceptions
from urllib3.util import Retry

from ..errors import UserError
from ..loopback import is_loopback
from .errors import ProtocolError, SubmitNotSent, SubmitOutcomeUnknown, TransportError

log = logging.getLogger(__name__)
T = TypeVar("T")
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for the TCP connection, and between bytes of the answer."""

    connect: float = 10.0
    read: float = 60.0

    def as_requests(self) -> tuple[float, float]:
        return (self.connect, self.read)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try a call before giving up. ``sleep``, ``random`` and ``clock`` are
    injectable so that tests run instantly and deterministically."""

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: no retry starts after this many seconds since the first attempt
    total: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**retry)), so that many clients that
        failed together do not come back together. A server that said when to come back
        (``retry_after`` seconds) is obeyed instead, up to ``max_delay``."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        # the exponent is capped so that a policy allowing thousands of attempts cannot
        # overflow a float long after the delay reached max_delay
        return self.random() * min(self.max_delay, self.base_delay * 2.0 ** min(retry, 64))


class HTTPStatus(Exception):
    """Raised inside an attempt for a non-2xx answer, so the retry loop can judge it.
    ``retry_after`` is the server's ``Retry-After`` in seconds (429 and 503 only)."""

    def __init__(self, status: int, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status
        self.retry_after = retry_after


class Redirected(HTTPStatus):
    """A redirect that was not followed: ``location`` is where it pointed, ``why`` says why
    it was refused. Never retried: the server will point the same way again."""

    def __init__(self, status: int, reason: str, location: str, why: str) -> None:
        super().__init__(status, reason)
        self.location = location
        self.why = why


#: The statuses whose Retry-After is honoured (RFC 9110 §10.2.3 also allows it on 3xx, where
#: it means something else).
_RETRY_AFTER_STATUSES = (429, 503)
_SHOWN = 200  # characters of a server-chosen URL quoted in a message


def retry_after_seconds(response: requests.Response) -> float | None:
    """Seconds the server asked us to wait (delta-seconds or an HTTP-date), or None when it
    did not say or said something unreadable."""
    value = response.headers.get("Retry-After")
    if response.status_code not in _RETRY_AFTER_STATUSES or value is None:
        return None
    try:
        return Retry().parse_retry_after(value)
    except (urllib3.exceptions.InvalidHeader, ValueError, OverflowError):
        return None


def _quoted(url: str) -> str:
    return repr(url if len(url) <= _SHOWN else url[:_SHOWN] + "...")


def _location(response: requests.Response) -> str:
    """The absolute redirect target; decoded as requests does (servers send UTF-8 that
    http.client read as latin-1)."""
    location = response.headers.get("Location", "")
    try:
        location = location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        pass
    return urljoin(response.url or "", location)


def raise_for_status(response: requests.Response) -> None:
    """Nothing for a 2xx answer; :class:`Redirected` for a redirect (this function is only
    reached by redirects nobody may follow), :class:`HTTPStatus` for anything else."""
    status, reason = response.status_code, response.reason or ""
    if 200 <= status < 300:
        return
    if response.is_redirect:
        raise Redirected(status, reason, _location(response),
                         "a request carrying your UserID is never sent on to another address")
    raise HTTPStatus(status, reason, retry_after=retry_after_seconds(response))


def _retryable_status(status: int) -> bool:
    return status >= 500 or status == 429


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception with everything it wraps (requests hides urllib3's reason in args)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop()
        if e in seen:
            continue
        seen.append(e)
        todo += [a for a in e.args if isinstance(a, BaseException)]
        for nested in (getattr(e, "reason", None), e.__cause__, e.__context__):
            if isinstance(nested, BaseException):
                todo.append(nested)
    return seen


def nothing_sent(exc: BaseException) -> bool:
    """Whether the failure provably happened before any byte of the request left: the TCP
    connection was never established (refused, unresolvable, connect timeout)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    return any(
        isinstance(e, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))
        for e in _chain(exc)
    )


def _retryable_exception(exc: requests.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.SSLError):
        return False  # certificate problems do not heal by waiting
    return isinstance(exc, (requests.ConnectionError, requests.Timeout,
                            requests.exceptions.ChunkedEncodingError))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, Redirected):
        return f"answered {exc}, a redirect to {_quoted(exc.location)} that was not followed: {exc.why}"
    if isinstance(exc, HTTPStatus):
        wait = "" if exc.retry_after is None else f" asking to retry after {exc.retry_after:g} s"
        return f"answered {exc}{wait}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if nothing_sent(exc):
        return "could not connect"
    return "lost the connection before an answer"


def call(
    endpoint: str,
    url: str,
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    idempotent: bool,
) -> T:
    """Run ``attempt`` (one HTTP exchange that raises :class:`HTTPStatus` or a requests
    exception on failure) under ``policy``.

    Idempotent calls are retried on 5xx/429 and connection problems. A non-idempotent call is
    retried only while nothing was sent; any other failure raises
    :class:`SubmitOutcomeUnknown` at once.
    """
    deadline = policy.clock() + policy.total
    tries = 0
    while True:
        tries += 1
        try:
            return attempt()
        except (HTTPStatus, requests.RequestException) as exc:
            status = exc.status if isinstance(exc, HTTPStatus) else None
            hint = exc.retry_after if isinstance(exc, HTTPStatus) else None
            what = f"{endpoint} ({url}) {_describe(exc)}"
            if not idempotent and not nothing_sent(exc):
                raise SubmitOutcomeUnknown(
                    endpoint,
                    f"the submission may have reached the server but its answer was lost: {what}. "
                    "A job may exist now; look for it in the job history before submitting again",
                    status=status, attempts=tries,
                ) from exc
            retryable = (
                _retryable_status(exc.status) if isinstance(exc, HTTPStatus)
                else _retryable_exception(exc)
            )
            delay = policy.delay(tries - 1, hint)
            if not retryable or tries >= policy.attempts or policy.clock() + delay > deadline:
                gave_up = f" after {tries} attempts" if tries > 1 else ""
                if not idempotent:
                    raise SubmitNotSent(
                        endpoint, f"{what}{gave_up}; nothing was submitted",
                        status=status, attempts=tries, retry_after=hint,
                    ) from exc
                raise TransportError(endpoint, f"{what}{gave_up}", status=status,
                                     attempts=tries, retry_after=hint) from exc
            log.info("%s; retry %d in %.2fs", what, tries, delay)
            policy.sleep(delay)


def check_base_url(url: str, what: str = "server URL") -> str:
    """``url`` if it is safe to send a UserID to: https, or plain http to this machine only."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(
            f"the {what} {url!r} is not an http(s) URL; "
            "use e.g. https://www.swift.ac.uk/user_objects"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UserError(
            f"the {what} {url!r} uses plain http to another machine, which would send your "
            "UserID and requests unencrypted; use https (plain http is allowed only for "
            "localhost, 127.0.0.0/8 and ::1)"
        )
    return url


_DEFAULT_PORTS = {"http": 80, "https": 443}
_DIGITS = re.compile(r"[0-9]{1,20}")
#: redirects followed for one download; the UKSSDC serves its files directly
MAX_REDIRECTS = 5


def _origin(url: str) -> tuple[str, str, int, str | None, str | None] | None:
    """Scheme, host, port and credentials of ``url`` (None if it has no usable host)."""
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    except ValueError:  # a port out of range
        return None
    if not parts.hostname:
        return None
    return parts.scheme, parts.hostname, port, parts.username, parts.password


def off_server(url: str, server: str) -> str | None:
    """Why ``url`` is not on ``server`` (same scheme, host and port), or None if it is."""
    here, there = _origin(server), _origin(url)
    if there is not None and there == here:
        return None
    if there is not None and here is not None and there[0] == "http" and here[0] != "http":
        return "it would go over plain http, unencrypted"
    return f"it leaves the configured server {server}"


def check_same_server(url: str, server: str, what: str) -> str:
    """``url`` if it is on ``server``; a :class:`UserError` before any request otherwise."""
    why = off_server(url, server)
    if why is not None:
        raise UserError(f"refusing the {what} {_quoted(url)}: {why}; this tool fetches "
                        f"files only from the server it was given ({server})")
    return url


def read_limited(response: requests.Response, endpoint: str, limit: int) -> bytes:
    """The (decoded) body, read in chunks and abandoned as soon as it passes ``limit``
    bytes, so a runaway answer never sits in memory whole."""
    declared = response.headers.get("Content-Length", "").strip()
    if _DIGITS.fullmatch(declared) and int(declared) > limit:
        raise ProtocolError(endpoint, f"the answer is {int(declared)} bytes long, more than "
                                      f"the {limit} this tool accepts; refused without reading it")
    body = bytearray()
    for chunk in response.iter_content(chunk_size=_CHUNK):
        body += chunk
        if len(body) > limit:
            raise ProtocolError(endpoint, f"the answer is longer than the {limit} bytes this "
                                          "tool accepts; refused without reading the rest")
    return bytes(body)


def post_json(session: requests.Session, url: str, endpoint: str, body: Mapping[str, Any],
              timeouts: Timeouts, limit: int) -> bytes:
    """One POST exchange: the body of a 2xx answer (at most ``limit`` bytes). Never follows a
    redirect: the body carries the UserID."""
    with session.post(url, json=dict(body), timeout=timeouts.as_requests(),
                      allow_redirects=False, stream=True) as response:
        raise_for_status(response)
        return read_limited(response, endpoint, limit)


@contextmanager
def open_download(session: requests.Session, url: str, server: str,
                  timeouts: Timeouts) -> Iterator[requests.Response]:
    """The 2xx answer to a GET of ``url`` (on ``server``), body not yet read, following at
    most :data:`MAX_REDIRECTS` redirects and only while they stay on ``server``."""
    for hop in range(MAX_REDIRECTS + 1):
        # identity: the archive's own bytes, not a copy some server chose to re-encode
        response = session.get(url, stream=True, allow_redirects=False,
                               timeout=timeouts.as_requests(),
                               headers={"Accept-Encoding": "identity"})
        if not response.is_redirect:
            break
        response.close()
        target = _location(response)
        why = off_server(target, server)
        if why is None and hop == MAX_REDIRECTS:
            why = f"more than {MAX_REDIRECTS} redirects in a row"
        if why is not None:
            raise Redirected(response.status_code, response.reason or "", target, why)
        url = target
    with response:
        raise_for_status(response)
        yield response


def raw_chunks(response: requests.Response) -> Iterator[bytes]:
    """The body exactly as served (no content decoding: a ``.tar.gz`` stays gzip even when a
    server labels it ``Content-Encoding: gzip``), failures translated as requests'
    ``iter_content`` does so the retry loop can judge them. urllib3 raises for a body shorter
    than its Content-Length."""
    try:
        yield from response.raw.stream(_CHUNK, decode_content=False)
    except urllib3.exceptions.ReadTimeoutError as error:
        raise requests.ConnectionError(error) from error
    except urllib3.exceptions.SSLError as error:
        raise requests.exceptions.SSLError(error) from error
    except urllib3.exceptions.ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error
