"""What can go wrong talking to the UKSSDC server, as exceptions and warnings.

All exceptions are :class:`~reconciler.errors.UserError` so the CLI prints them as one
paragraph. They are split by what the caller can conclude: the server said no
(:class:`ServerError`), the server said something unreadable (:class:`ProtocolError`), the
answer never arrived (:class:`TransportError`), and, for a submission only, whether a job may
exist anyway (:class:`SubmitOutcomeUnknown`) or provably does not (:class:`SubmitNotSent`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UserError
from ..protocol.catalogue import Endpoint

#: How a submission refused for the per-user limit on active jobs reads. The real server's
#: wording is undocumented (ukssdc-api.md §1.5); the simulator says "You already have N jobs
#: queued or running, which is the maximum allowed (L)". Deliberately narrow: a refusal taken
#: for this one is retried, so a false match would retry a request that can never succeed.
_TOO_MANY_JOBS = re.compile(
    r"\btoo many (?:\w+ )?jobs\b"
    r"|\balready (?:have|has) \d+ (?:\w+ )?jobs\b"
    r"|\b(?:maximum|limit) (?:number )?of (?:\d+ )?(?:\w+ )?jobs\b",
    re.IGNORECASE,
)


class ClientError(UserError):
    """Any failure of a call to the UKSSDC API. ``endpoint`` names the call (e.g.
    ``listOldJobs.php``) so the message says which conversation failed."""

    def __init__(self, endpoint: str, message: str) -> None:
        super().__init__(message)
        self.endpoint = endpoint


class ServerError(ClientError):
    """The server answered ``OK: 0``. ``error`` is its ``ERROR`` text and ``problems`` its
    ``listErr`` groups as ``(label, items)``, both with wire names already turned into Python
    names; nothing was changed on the server."""

    def __init__(
        self, endpoint: str, error: str, problems: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ) -> None:
        parts = [error.strip()]
        for label, items in problems:
            text = label.strip()
            if items:
                text += (" " if text.endswith(":") else ": ") + "; ".join(items)
            parts.append(text if text.endswith(".") else text + ".")
        super().__init__(endpoint, f"the UKSSDC server refused {endpoint}: " + " ".join(parts))
        self.error = error
        self.problems = problems

    @property
    def too_many_jobs(self) -> bool:
        """A submission refused because the user already has as many active jobs as the
        server allows: nothing is wrong with it, and it may be sent again once some finish."""
        return self.endpoint == Endpoint.SUBMIT and bool(_TOO_MANY_JOBS.search(self.error))


class ProtocolError(ClientError):
    """The reply does not follow the protocol (not JSON, no ``OK``/``APIVersion``, a missing or
    unreadable field): the server or this tool needs updating, retrying will not help."""

    def __init__(self, endpoint: str, problem: str) -> None:
        super().__init__(
            endpoint,
            f"the reply to {endpoint} does not follow the UKSSDC protocol: {problem} "
            "(is the server URL right, or does this tool need updating?)",
        )
        self.problem = problem


class TransportError(ClientError):
    """No usable answer: connection failures, timeouts, an HTTP status other than 2xx, or a
    redirect this tool does not follow, after the retries allowed for the call. ``status`` is
    the last HTTP status, if any."""

    def __init__(
        self, endpoint: str, message: str, *, status: int | None = None, attempts: int = 1,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(endpoint, message)
        self.status = status
        self.attempts = attempts
        #: seconds the server's last answer (429 or 503) asked the client to wait, if it said
        self.retry_after = retry_after


class SubmitNotSent(TransportError):
    """The submission never reached the server (the connection could not be opened): no job
    was created and submitting again is safe."""


class SubmitOutcomeUnknown(TransportError):
    """The submission may have reached the server but its answer was lost (connection dropped,
    timeout, HTTP error, garbled reply). A job may or may not exist: look for it in the job
    history (``listOldJobs``) before submitting again."""


class DestinationExists(UserError):
    """A file is already where a download or an extraction would put one; nothing was
    replaced. Callers that skip existing files catch this rather than test first, which
    would race with another writer."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists already; not overwriting it (remove it, or ask to "
                         "overwrite)")
        self.path = path


class ServerVersionWarning(UserWarning):
    """The server speaks a newer API version than this tool; replies may carry things it does
    not understand."""


class ServerDeprecationWarning(UserWarning):
    """The server announced that something this tool does will stop working.

    A ``UserWarning`` rather than a ``DeprecationWarning`` so that it is shown by default.
    """
