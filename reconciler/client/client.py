"""The UKSSDC XRT product API (``user_objects``) as typed calls over one HTTP session.

Each method is one endpoint of ukssdc-api.md §2 and returns a small frozen result
(:mod:`reconciler.client.results`) read by :mod:`reconciler.client.replies`. The envelope rules
live in :mod:`reconciler.client.envelope`, timeouts, retries and where requests may go in
:mod:`reconciler.client.transport`, the failure types in :mod:`reconciler.client.errors`.

Reads are retried; a submission never is once it may have been sent (see
:class:`SubmitOutcomeUnknown`): the caller settles it from :meth:`Client.list_old_jobs`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, Mapping

import requests

from .. import __version__
from ..errors import UserError
from ..protocol.catalogue import (
    ALL_PRODUCTS,
    API_NAME,
    API_VERSION,
    DOWNLOAD_ALL,
    DOWNLOAD_FORMATS,
    product_by_key,
)
from . import replies
from .archive import ArchiveError, verify
from .envelope import WarningGate, read_reply
from .errors import DestinationExists, ProtocolError, SubmitOutcomeUnknown
from .files import place, write_temp
from .replies import CANCEL, COUNT, LIST, OLD_PRODUCT, STATUS, SUBMIT
from .results import (
    CancelResult,
    Download,
    OldJob,
    OldProduct,
    ProductStatus,
    SubmitResult,
)
from .transport import (
    RetryPolicy,
    Timeouts,
    call,
    check_base_url,
    check_same_server,
    open_download,
    post_json,
    raw_chunks,
)

#: Bytes of one JSON reply: far above any status, count or jobPars answer (a few kB)...
REPLY_LIMIT = 1 << 20
#: ...and for the job history, which grows with the user's jobs: 10,000 jobs are about 2.5 MB.
HISTORY_LIMIT = 16 << 20


def _product_keys(products: Iterable[str]) -> list[str]:
    """Short keys (``lc``) for product names or keys, in the given order, without repeats."""
    keys: list[str] = []
    for name in [products] if isinstance(products, str) else products:
        try:
            key = product_by_key(name).key
        except KeyError:
            raise ValueError(f"unknown product {name!r}; use one of {', '.join(ALL_PRODUCTS)}") from None
        if key not in keys:
            keys.append(key)
    if not keys:
        raise ValueError("no product named")
    return keys


def archive_url(job_url: str, product: str, fmt: str = "tar.gz") -> str:
    """Where a job's archive lives: ``{URL}/{key}.{fmt}``; ``product`` may be ``"all"``."""
    if fmt not in DOWNLOAD_FORMATS:
        raise ValueError(f"unknown archive format {fmt!r}; use one of {', '.join(DOWNLOAD_FORMATS)}")
    stem = DOWNLOAD_ALL if product == DOWNLOAD_ALL else _product_keys([product])[0]
    return f"{job_url.rstrip('/')}/{stem}.{fmt}"


# --- the client ------------------------------------------------------------------------------

class Client:
    """One user's conversation with one UKSSDC server (or the simulator).

    ``base_url`` is the ``user_objects`` root; it must be https unless it is this machine.
    """

    def __init__(
        self,
        base_url: str,
        user: str,
        *,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(),
        session: requests.Session | None = None,
    ) -> None:
        if not isinstance(user, str) or not user.strip():
            raise UserError("no UKSSDC user given; set `user:` in the spec, --user or XRT_USER "
                            "to your registered e-mail address")
        self.base_url = check_base_url(base_url).rstrip("/")
        self.user = user
        self.timeouts = timeouts
        self.retry = retry
        self._session = session or requests.Session()
        # every Session starts with requests' own User-Agent; replace only that one
        if self._session.headers.get("User-Agent") in (None, requests.utils.default_user_agent()):
            self._session.headers["User-Agent"] = f"xrt-reconcile/{__version__}"
        self._gate = WarningGate()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --

    def _envelope(self) -> dict[str, Any]:
        return {"UserID": self.user, "api_name": API_NAME, "api_version": API_VERSION}

    def _exchange(self, endpoint: str, body: Mapping[str, Any], *, idempotent: bool) -> bytes:
        url = f"{self.base_url}/{endpoint}"
        limit = HISTORY_LIMIT if endpoint == LIST else REPLY_LIMIT
        return call(endpoint, url,
                    lambda: post_json(self._session, url, endpoint, body, self.timeouts, limit),
                    self.retry, idempotent=idempotent)

    def _read(self, endpoint: str, fields: Mapping[str, Any] | None = None,
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        body = {**(fields or {}), **self._envelope()}
        return read_reply(endpoint, self._exchange(endpoint, body, idempotent=True),
                          self._gate, required)

    # -- endpoints --

    def submit(self, payload: Mapping[str, Any]) -> SubmitResult:
        """Submit one job (the exact payload of :func:`reconciler.protocol.wire.to_payload`).

        Raises :class:`ServerError` when the server refused it (no job exists; see
        ``too_many_jobs``), :class:`SubmitNotSent` when it never left, and
        :class:`SubmitOutcomeUnknown` when the answer was lost or unreadable: then a job may
        exist and the history must be checked.
        """
        given = payload.get("UserID", self.user)
        if given != self.user:
            raise UserError(f"the payload is for user {given!r} but this client speaks for "
                            f"{self.user!r}")
        body = {**payload, **self._envelope()}
        try:
            raw = self._exchange(SUBMIT, body, idempotent=False)
            reply = read_reply(SUBMIT, raw, self._gate, ("JobID", "URL", "jobPars"))
            return replies.submitted(reply, self.user)
        except ProtocolError as error:
            raise SubmitOutcomeUnknown(
                SUBMIT,
                f"the submission reached the server but its answer could not be read "
                f"({error.problem}). A job may exist now; look for it in the job history "
                "before submitting again",
            ) from error

    def count_active_jobs(self) -> int:
        """Jobs of this user that are queued or running."""
        return replies.count(self._read(COUNT, required=("numJobs",)))

    def list_old_jobs(self) -> tuple[OldJob, ...]:
        """Every job the user ever submitted, in the server's order (newest first)."""
        return replies.old_jobs(self._read(LIST, required=("jobs",)))

    def get_old_product(self, job_id: int) -> OldProduct:
        """The parameters job ``job_id`` ran with (only the user's own jobs)."""
        reply = self._read(OLD_PRODUCT, {"oldJob": int(job_id)}, required=("jobPars",))
        return replies.old_product(reply, int(job_id), self.user)

    def check_status(
        self, job_id: int, products: Iterable[str], *, progress: bool | Iterable[str] = True
    ) -> dict[str, ProductStatus]:
        """Status of ``products`` (names or short keys) of a job, keyed by product name.

        ``progress``: True for a progress report on every product, or the ones wanted.
        """
        keys = _product_keys(products)
        fields: dict[str, Any] = {"JobID": int(job_id), "what": ",".join(keys)}
        if progress is True:
            fields["whatProg"] = fields["what"]
        elif progress:
            fields["whatProg"] = ",".join(_product_keys(progress))  # type: ignore[arg-type]
        return replies.statuses(self._read(STATUS, fields), int(job_id), keys)

    def cancel(self, job_id: int, products: Iterable[str]) -> CancelResult:
        """Ask the server to cancel ``products`` of a job; per-product outcomes by name."""
        keys = _product_keys(products)
        reply = self._read(CANCEL, {"JobID": int(job_id), "what": ",".join(keys)},
                           required=("status", "statusCodes"))
        return replies.cancelled(reply, int(job_id), keys)

    def download(
        self,
        job_url: str,
        product: str,
        dest: str | os.PathLike[str],
        fmt: str = "tar.gz",
        *,
        overwrite: bool = False,
    ) -> Download:
        """Fetch a product archive (a product name or key, or ``"all"``) to ``dest``.

        Only from the configured server: a job URL elsewhere is refused before any request,
        and a redirect is followed only while it stays there. Streamed to a temporary file
        beside ``dest``, checked to be a whole ``fmt`` archive, and only then moved into
        place, so ``dest`` is absent, untouched, or the complete new archive. An existing
        ``dest`` raises :class:`DestinationExists` unless ``overwrite``. Retried like any
        read; a 404 means not built or expired; an archive that does not open is a
        :class:`ProtocolError`.
        """
        url = archive_url(job_url, product, fmt)
        check_base_url(url, "product URL")
        check_same_server(url, self.base_url, "product URL")
        target = Path(dest)
        if target.is_dir():
            raise UserError(f"{target} is a directory; give the file name to save the archive as")
        if os.path.lexists(target) and not overwrite:
            raise DestinationExists(target)
        endpoint = f"download of {url.rsplit('/', 1)[-1]}"

        def attempt() -> tuple[Path, int, str]:
            with open_download(self._session, url, self.base_url, self.timeouts) as response:
                return write_temp(raw_chunks(response), target)

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp, size, digest = call(endpoint, url, attempt, self.retry, idempotent=True)
            try:
                verify(tmp, fmt)
                place(tmp, target, overwrite=overwrite)
            finally:
                tmp.unlink(missing_ok=True)
        except ArchiveError as error:
            raise ProtocolError(endpoint, f"what {url} sent cannot be used: {error.problem}; "
                                          f"{target} was left as it was") from error
        except OSError as error:  # disk full, no permission, a file where a folder should be
            raise UserError(f"could not save {target}: {error.strerror or error}") from error
        return Download(target, size, digest)
