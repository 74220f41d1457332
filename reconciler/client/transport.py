"""HTTP calls with timeouts and bounded retries, and what a failed call proves.

Reads are idempotent, so an HTTP 5xx or a lost connection is retried with exponential backoff
and full jitter, bounded both in attempts and in total time. A submission is not idempotent:
once its bytes may have reached the server, a lost answer says nothing about whether a job
now exists, so it is never retried and is reported as :class:`SubmitOutcomeUnknown` for the
caller to settle from the job history. Only a failure to open the connection at all proves
nothing was sent; that alone may be retried for a submission.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from ..errors import UserError
from ..loopback import is_loopback
from .errors import SubmitNotSent, SubmitOutcomeUnknown, TransportError

log = logging.getLogger(__name__)
T = TypeVar("T")


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

    def delay(self, retry: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**retry)), so that many clients that
        failed together do not come back together."""
        # the exponent is capped so that a policy allowing thousands of attempts cannot
        # overflow a float long after the delay reached max_delay
        return self.random() * min(self.max_delay, self.base_delay * 2.0 ** min(retry, 64))


class HTTPStatus(Exception):
    """Raised inside an attempt for a non-2xx answer, so the retry loop can judge it."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".strip())
        self.status = status


def raise_for_status(response: requests.Response) -> None:
    if not 200 <= response.status_code < 300:
        raise HTTPStatus(response.status_code, response.reason or "")


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
    if isinstance(exc, HTTPStatus):
        return f"answered {exc}"
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
            delay = policy.delay(tries - 1)
            if not retryable or tries >= policy.attempts or policy.clock() + delay > deadline:
                gave_up = f" after {tries} attempts" if tries > 1 else ""
                if not idempotent:
                    raise SubmitNotSent(
                        endpoint, f"{what}{gave_up}; nothing was submitted",
                        status=status, attempts=tries,
                    ) from exc
                raise TransportError(endpoint, f"{what}{gave_up}", status=status,
                                     attempts=tries) from exc
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
