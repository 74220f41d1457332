"""The UKSSDC XRT product API (``user_objects``) as typed calls over one HTTP session.

Each method is one endpoint of ukssdc-api.md §2 and returns a small frozen result in this
tool's terms (Python product names, ``int`` job ids, UTC datetimes). The envelope rules live in
:mod:`reconciler.client.envelope`, timeouts and retries in :mod:`reconciler.client.transport`, the failure
types in :mod:`reconciler.client.errors` (re-exported here).

Reads are retried; a submission never is once it may have been sent (see
:class:`SubmitOutcomeUnknown`): the caller settles it from :meth:`Client.list_old_jobs`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

import requests

from .. import __version__
from ..errors import UserError
from ..protocol.catalogue import (
    ACTIVE_STATUSES,
    ALL_PRODUCTS,
    API_NAME,
    API_VERSION,
    DOWNLOAD_ALL,
    DOWNLOAD_FORMATS,
    TERMINAL_STATUSES,
    Endpoint,
    Status,
    product_by_key,
)
from ..protocol.values import server_bool, server_int
from .envelope import WarningGate, read_reply
from .errors import (
    ProtocolError,
    SubmitOutcomeUnknown,
)
from .transport import RetryPolicy, Timeouts, call, check_base_url, raise_for_status

SUBMIT, COUNT, LIST = Endpoint.SUBMIT, Endpoint.COUNT_JOBS, Endpoint.LIST_JOBS
OLD_PRODUCT, STATUS, CANCEL = Endpoint.OLD_PRODUCT, Endpoint.STATUS, Endpoint.CANCEL

_CHUNK = 1 << 16


# --- results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubmitResult:
    """A job the server accepted. ``job_pars`` is what it will run (wire names, server forms)."""

    job_id: int
    url: str
    job_pars: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class OldJob:
    """One entry of the user's job history. ``products`` are catalogue product names in
    catalogue order; ``has_prod`` is false once the server has removed the job's files."""

    job_id: int
    name: str
    submitted: datetime
    products: tuple[str, ...]
    has_prod: bool


@dataclass(frozen=True)
class OldProduct:
    """The parameters an old job ran with. ``url`` is None when the server does not send it
    (the RAW docs show no URL; swifttools requires one, D9)."""

    job_id: int
    url: str | None
    job_pars: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class ProgressStep:
    label: str
    #: 0 not reached, 1 active, 2 done
    status: int
    extra: str | None = None
    substeps: tuple[ProgressStep, ...] = ()


@dataclass(frozen=True)
class Progress:
    """``got_progress``: 0 not asked for (or finished), 1 given, 2 unavailable."""

    got_progress: int = 0
    time_running: str | None = None
    pre_progress: str | None = None
    steps: tuple[ProgressStep, ...] = ()


@dataclass(frozen=True)
class ProductStatus:
    """A product's state. ``code`` is None when the product is not part of the job, or when
    the server left it out of its answer (then ``reported`` is false)."""

    product: str
    code: int | None
    text: str
    progress: Progress = Progress()
    reported: bool = True

    @property
    def terminal(self) -> bool:
        return self.code in TERMINAL_STATUSES

    @property
    def active(self) -> bool:
        return self.code in ACTIVE_STATUSES

    @property
    def complete(self) -> bool:
        """Finished with products available (status 4)."""
        return self.code == Status.COMPLETE


@dataclass(frozen=True)
class CancelOutcome:
    """Per-product cancel code (0 cancelled, 1 already finished, 2 no such product, 3 reason
    unknown, 4 outcome unknown) and the server's text."""

    code: int
    text: str

    @property
    def cancelled(self) -> bool:
        return self.code == 0


@dataclass(frozen=True)
class CancelResult:
    """``ok`` is the server's 1 (all cancelled) or 2 (processed, some not cancelled)."""

    job_id: int
    ok: int
    products: Mapping[str, CancelOutcome] = field(hash=False)

    @property
    def all_cancelled(self) -> bool:
        return all(o.cancelled for o in self.products.values())


@dataclass(frozen=True)
class Download:
    path: Path
    size: int
    sha256: str


# --- reading replies -------------------------------------------------------------------------

def _int_or_none(endpoint: str, what: str, value: Any) -> int | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        return server_int(value)
    except (TypeError, ValueError):
        raise ProtocolError(endpoint, f"{what} {value!r:.40} is not a whole number") from None


def _job_id(endpoint: str, value: Any) -> int:
    """JobID is a string in the submit reply and an int elsewhere (§2.1)."""
    job_id = _int_or_none(endpoint, "JobID", value)
    if job_id is None or job_id < 1:
        raise ProtocolError(endpoint, f"JobID {value!r} is not a job number")
    return job_id


def _utc(endpoint: str, text: Any) -> datetime:
    """``YYYY-MM-DD HH:MM:SS``, UTC per the swifttools docstring (§2.3)."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        raise ProtocolError(endpoint, f"DateSubmitted {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def _old_job(entry: Any) -> OldJob:
    if not isinstance(entry, Mapping):
        raise ProtocolError(LIST, f"a jobs entry is {entry!r}, not an object")
    missing = [k for k in ("JobID", "Name", "DateSubmitted") if k not in entry]
    if missing:
        raise ProtocolError(LIST, f"a jobs entry lacks {', '.join(missing)}: {dict(entry)!r}")
    return OldJob(
        job_id=_job_id(LIST, entry["JobID"]),
        name=str(entry["Name"]),
        submitted=_utc(LIST, entry["DateSubmitted"]),
        products=tuple(p for p in ALL_PRODUCTS if server_bool(entry.get(p, False))),
        has_prod=server_bool(entry.get("hasProd", False)),
    )


def _step(value: Any) -> ProgressStep:
    if not isinstance(value, Mapping):
        raise ProtocolError(STATUS, f"a progress step is {value!r}, not an object")
    subs = value.get("SubStep") or ()
    return ProgressStep(
        label=str(value.get("StepLabel", "")),
        status=_int_or_none(STATUS, "StepStatus", value.get("StepStatus", 0)) or 0,
        extra=None if value.get("StepExtra") is None else str(value["StepExtra"]),
        substeps=tuple(_step(s) for s in subs),
    )


def _progress(value: Any) -> Progress:
    if not isinstance(value, Mapping):
        return Progress()
    return Progress(
        got_progress=_int_or_none(STATUS, "GotProgress", value.get("GotProgress", 0)) or 0,
        time_running=value.get("TimeRunning"),
        pre_progress=value.get("PreProgress"),
        steps=tuple(_step(s) for s in value.get("ProgressSteps") or ()),
    )


def _product_status(product: str, value: Any) -> ProductStatus:
    if value is None:
        return ProductStatus(product, None, "The server did not return a status for this product",
                             reported=False)
    if not isinstance(value, Mapping):
        raise ProtocolError(STATUS, f"the status of {product} is {value!r}, not an object")
    return ProductStatus(
        product=product,
        code=_int_or_none(STATUS, f"{product} statusCode", value.get("statusCode")),
        text=str(value.get("statusText", "")),
        progress=_progress(value.get("progress")),
    )


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


# --- safe file writing -----------------------------------------------------------------------

def _stream_to_temp(response: requests.Response, dest: Path) -> tuple[Path, int, str]:
    """Write the body beside ``dest`` under a hidden temporary name; removed on any failure."""
    handle = tempfile.NamedTemporaryFile(
        dir=dest.parent, prefix=f".{dest.name}.", suffix=".part", delete=False
    )
    tmp = Path(handle.name)
    digest, size = hashlib.sha256(), 0
    try:
        with handle:
            for chunk in response.iter_content(chunk_size=_CHUNK):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size, digest.hexdigest()


def _exists_error(dest: Path) -> UserError:
    return UserError(f"{dest} exists already; not overwriting it (remove it, or ask to overwrite)")


def _place(tmp: Path, dest: Path, overwrite: bool) -> None:
    """Move the finished file into place atomically; without ``overwrite`` a hard link makes
    "create only if absent" atomic even against a concurrent writer."""
    try:
        if overwrite:
            os.replace(tmp, dest)
            return
        try:
            os.link(tmp, dest)
        except FileExistsError:
            raise _exists_error(dest) from None
        except OSError:  # file system without hard links
            if dest.exists():
                raise _exists_error(dest) from None
            os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


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

        def attempt() -> bytes:
            response = self._session.post(url, json=dict(body),
                                          timeout=self.timeouts.as_requests())
            raise_for_status(response)
            return response.content

        return call(endpoint, url, attempt, self.retry, idempotent=idempotent)

    def _read(self, endpoint: str, fields: Mapping[str, Any] | None = None,
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        body = {**(fields or {}), **self._envelope()}
        return read_reply(endpoint, self._exchange(endpoint, body, idempotent=True),
                          self._gate, required)

    # -- endpoints --

    def submit(self, payload: Mapping[str, Any]) -> SubmitResult:
        """Submit one job (the exact payload of :func:`reconciler.protocol.wire.to_payload`).

        Raises :class:`ServerError` when the server refused it (no job exists),
        :class:`SubmitNotSent` when it never left, and :class:`SubmitOutcomeUnknown` when the
        answer was lost or unreadable: then a job may exist and the history must be checked.
        """
        given = payload.get("UserID", self.user)
        if given != self.user:
            raise UserError(f"the payload is for user {given!r} but this client speaks for "
                            f"{self.user!r}")
        body = {**payload, **self._envelope()}
        raw = self._exchange(SUBMIT, body, idempotent=False)
        try:
            reply = read_reply(SUBMIT, raw, self._gate, ("JobID", "URL", "jobPars"))
            job_pars = reply["jobPars"]
            if not isinstance(job_pars, Mapping):
                raise ProtocolError(SUBMIT, "jobPars is not an object")
            return SubmitResult(_job_id(SUBMIT, reply["JobID"]), str(reply["URL"]), dict(job_pars))
        except ProtocolError as error:
            raise SubmitOutcomeUnknown(
                SUBMIT,
                f"the submission reached the server but its answer could not be read "
                f"({error.problem}). A job may exist now; look for it in the job history "
                "before submitting again",
            ) from error

    def count_active_jobs(self) -> int:
        """Jobs of this user that are queued or running."""
        reply = self._read(COUNT, required=("numJobs",))
        count = _int_or_none(COUNT, "numJobs", reply["numJobs"])
        if count is None or count < 0:
            raise ProtocolError(COUNT, f"numJobs {reply['numJobs']!r} is not a count")
        return count

    def list_old_jobs(self) -> tuple[OldJob, ...]:
        """Every job the user ever submitted, in the server's order (newest first)."""
        jobs = self._read(LIST, required=("jobs",))["jobs"]
        if not isinstance(jobs, list):
            raise ProtocolError(LIST, f"jobs is {type(jobs).__name__}, not a list")
        return tuple(_old_job(entry) for entry in jobs)

    def get_old_product(self, job_id: int) -> OldProduct:
        """The parameters job ``job_id`` ran with (only the user's own jobs)."""
        reply = self._read(OLD_PRODUCT, {"oldJob": int(job_id)}, required=("jobPars",))
        job_pars = reply["jobPars"]
        if not isinstance(job_pars, Mapping):
            raise ProtocolError(OLD_PRODUCT, f"jobPars is {type(job_pars).__name__}, not an object")
        url = reply.get("URL")
        return OldProduct(int(job_id), None if url is None else str(url), dict(job_pars))

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
        reply = self._read(STATUS, fields)
        names = {key: product_by_key(key).name for key in keys}
        return {name: _product_status(name, reply.get(key)) for key, name in names.items()}

    def cancel(self, job_id: int, products: Iterable[str]) -> CancelResult:
        """Ask the server to cancel ``products`` of a job; per-product outcomes by name."""
        keys = _product_keys(products)
        reply = self._read(CANCEL, {"JobID": int(job_id), "what": ",".join(keys)},
                           required=("status", "statusCodes"))
        texts, codes = reply["status"], reply["statusCodes"]
        if not isinstance(texts, Mapping) or not isinstance(codes, Mapping):
            raise ProtocolError(CANCEL, "status and statusCodes must be objects")
        missing = [k for k in keys if k not in codes]
        if missing:
            raise ProtocolError(CANCEL, f"no cancel outcome for {', '.join(missing)}")
        outcomes = {}
        for key in keys:
            code = _int_or_none(CANCEL, f"{key} statusCode", codes[key])
            if code is None:
                raise ProtocolError(CANCEL, f"the cancel code of {key} is null")
            outcomes[product_by_key(key).name] = CancelOutcome(code, str(texts.get(key, "")))
        return CancelResult(int(job_id), int(reply["OK"]), outcomes)

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

        Streamed in chunks to a temporary file beside ``dest`` and renamed into place only when
        complete, so ``dest`` is either absent or whole; an existing ``dest`` is an error
        unless ``overwrite``. Retried like any read; a 404 means not built or expired.
        """
        url = check_base_url(archive_url(job_url, product, fmt), "product URL")
        target = Path(dest)
        if target.is_dir():
            raise UserError(f"{target} is a directory; give the file name to save the archive as")
        if target.exists() and not overwrite:
            raise _exists_error(target)
        endpoint = f"download of {url.rsplit('/', 1)[-1]}"

        def attempt() -> tuple[Path, int, str]:
            with self._session.get(url, stream=True, timeout=self.timeouts.as_requests()) as response:
                raise_for_status(response)
                return _stream_to_temp(response, target)

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp, size, digest = call(endpoint, url, attempt, self.retry, idempotent=True)
            _place(tmp, target, overwrite)
        except OSError as error:  # disk full, no permission, a file where a folder should be
            raise UserError(f"could not save {target}: {error.strerror or error}") from error
        return Download(target, size, digest)
