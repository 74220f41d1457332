"""Each endpoint's reply read into this tool's results, refusing anything out of shape.

A reply comes from a server that may be wrong, misconfigured or hostile, and what is read here
ends up in the lock and the job cache. So every field is checked for its type and form, and
anything else is a :class:`ProtocolError` naming the field: never a traceback, never a value of
the wrong type passed on. Extra top-level fields are ignored. ``jobPars`` is stored whole, so
it is checked whole: a flat object of parameter-like names to single values. Names outside the
catalogue are kept, because the server adds internal keys the documentation does not list
(§4.1) and refusing them would stop every plan the day it adds one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from ..protocol.catalogue import ALL_PRODUCTS, Endpoint, product_by_key
from ..protocol.values import server_bool, server_int
from .errors import ProtocolError
from .results import (
    CancelOutcome,
    CancelResult,
    OldJob,
    OldProduct,
    ProductStatus,
    Progress,
    ProgressStep,
    SubmitResult,
)

SUBMIT, COUNT, LIST = Endpoint.SUBMIT, Endpoint.COUNT_JOBS, Endpoint.LIST_JOBS
OLD_PRODUCT, STATUS, CANCEL = Endpoint.OLD_PRODUCT, Endpoint.STATUS, Endpoint.CANCEL

#: characters in any one text value (a name, a status text, a targ list)
MAX_TEXT = 10_000
#: keys in one jobPars (the catalogue has a few hundred wire keys)
MAX_JOB_PARS = 2_000
MAX_URL = 2_048
#: levels of SubStep inside a progress step (one in practice)
MAX_STEP_DEPTH = 8
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}", re.ASCII)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\s]")


def _shown(value: Any) -> str:
    return f"{value!r:.60}"


def whole(endpoint: str, what: str, value: Any) -> int | None:
    """A whole number in any of the server's spellings (``"20"``, ``20``), or None for null."""
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise TypeError(value)
        return server_int(value)
    except (TypeError, ValueError):
        raise ProtocolError(endpoint, f"{what} {_shown(value)} is not a whole number") from None


def job_id(endpoint: str, value: Any) -> int:
    """JobID is a string in the submit reply and an int elsewhere (§2.1)."""
    number = whole(endpoint, "JobID", value)
    if number is None or number < 1:
        raise ProtocolError(endpoint, f"JobID {_shown(value)} is not a job number")
    return number


def text(endpoint: str, what: str, value: Any) -> str:
    """Text, or a number the server printed without quotes; nothing else."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ProtocolError(endpoint, f"{what} is {_shown(value)}, not text")
    shown = str(value)
    if len(shown) > MAX_TEXT:
        raise ProtocolError(endpoint, f"{what} is {len(shown)} characters long, more than the "
                                      f"{MAX_TEXT} this tool accepts")
    return shown


def optional_text(endpoint: str, what: str, value: Any) -> str | None:
    return None if value is None else text(endpoint, what, value)


def flag(endpoint: str, what: str, value: Any) -> bool:
    if value is not None and not isinstance(value, (bool, int, str)):
        raise ProtocolError(endpoint, f"{what} is {_shown(value)}, not a yes/no value")
    return server_bool(value)


def url(endpoint: str, value: Any) -> str:
    """An absolute http(s) URL, as the job URL must be. Where it points is judged when it is
    used (downloads go only to the configured server)."""
    if not isinstance(value, str) or len(value) > MAX_URL or _UNPRINTABLE.search(value):
        raise ProtocolError(endpoint, f"URL {_shown(value)} is not a URL")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProtocolError(endpoint, f"URL {_shown(value)} is not an http(s) URL")
    return value


#: items in a list value of jobPars (``models`` is a list of a few names)
MAX_LIST = 100


def _single(endpoint: str, what: str, item: Any) -> None:
    """A JSON scalar: null, yes/no, a finite number or bounded text."""
    if item is None or isinstance(item, (bool, int)):
        return
    if isinstance(item, float) and not math.isfinite(item):
        raise ProtocolError(endpoint, f"{what} is {item}, not a number")
    if not isinstance(item, (str, float)):
        raise ProtocolError(endpoint, f"{what} is {_shown(item)}, not a single value")
    text(endpoint, what, item)


def job_pars(endpoint: str, value: Any, user: str) -> dict[str, Any]:
    """``jobPars``: flat, parameter-like names, single values or short lists of them (a list
    parameter such as ``models``), and (where the server echoes it) this user's UserID."""
    if not isinstance(value, Mapping):
        raise ProtocolError(endpoint, f"jobPars is {_shown(value)}, not an object")
    if len(value) > MAX_JOB_PARS:
        raise ProtocolError(endpoint, f"jobPars has {len(value)} keys, more than the "
                                      f"{MAX_JOB_PARS} this tool accepts")
    for key, item in value.items():
        if not _PARAM_NAME.fullmatch(key):
            raise ProtocolError(endpoint, f"jobPars has a key {_shown(key)}, which is not a "
                                          "parameter name")
        if isinstance(item, list) and len(item) <= MAX_LIST:
            for element in item:
                if isinstance(element, list):
                    raise ProtocolError(endpoint, f"jobPars {key} is a list of lists")
                _single(endpoint, f"an item of jobPars {key}", element)
        else:
            _single(endpoint, f"jobPars {key}", item)
    owner = value.get("UserID")
    if owner is not None and str(owner).strip().casefold() != user.strip().casefold():
        raise ProtocolError(endpoint, "jobPars belongs to another user "
                                      f"({_shown(owner)}, not {user!r})")
    return dict(value)


def _echo(endpoint: str, reply: Mapping[str, Any], key: str, asked: int) -> None:
    """A reply that names a job must name the one asked about: a reply about another job must
    never be recorded as this one's."""
    if key in reply and job_id(endpoint, reply[key]) != asked:
        raise ProtocolError(endpoint, f"the answer is about job {_shown(reply[key])}, "
                                      f"not job {asked}")


def _utc(endpoint: str, value: Any) -> datetime:
    """``YYYY-MM-DD HH:MM:SS``, UTC per the swifttools docstring (§2.3)."""
    shown = text(endpoint, "DateSubmitted", value)
    try:
        moment = datetime.fromisoformat(shown.strip())
    except ValueError:
        raise ProtocolError(endpoint, f"DateSubmitted {_shown(value)} is not a date and time") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# --- one reader per endpoint ------------------------------------------------------------------

def submitted(reply: Mapping[str, Any], user: str) -> SubmitResult:
    return SubmitResult(job_id(SUBMIT, reply["JobID"]), url(SUBMIT, reply["URL"]),
                        job_pars(SUBMIT, reply["jobPars"], user))


def count(reply: Mapping[str, Any]) -> int:
    number = whole(COUNT, "numJobs", reply["numJobs"])
    if number is None or number < 0:
        raise ProtocolError(COUNT, f"numJobs {_shown(reply['numJobs'])} is not a count")
    return number


def _old_job(entry: Any) -> OldJob:
    if not isinstance(entry, Mapping):
        raise ProtocolError(LIST, f"a jobs entry is {_shown(entry)}, not an object")
    missing = [k for k in ("JobID", "Name", "DateSubmitted") if k not in entry]
    if missing:
        raise ProtocolError(LIST, f"a jobs entry lacks {', '.join(missing)}: {_shown(dict(entry))}")
    number = job_id(LIST, entry["JobID"])
    return OldJob(
        job_id=number,
        name=text(LIST, f"the Name of job {number}", entry["Name"]),
        submitted=_utc(LIST, entry["DateSubmitted"]),
        products=tuple(p for p in ALL_PRODUCTS
                       if flag(LIST, f"{p} of job {number}", entry.get(p, False))),
        has_prod=flag(LIST, f"hasProd of job {number}", entry.get("hasProd", False)),
    )


def old_jobs(reply: Mapping[str, Any]) -> tuple[OldJob, ...]:
    jobs = reply["jobs"]
    if not isinstance(jobs, list):
        raise ProtocolError(LIST, f"jobs is {type(jobs).__name__}, not a list")
    return tuple(_old_job(entry) for entry in jobs)


def old_product(reply: Mapping[str, Any], asked: int, user: str) -> OldProduct:
    _echo(OLD_PRODUCT, reply, "oldJob", asked)
    given = reply.get("URL")
    return OldProduct(asked, None if given is None else url(OLD_PRODUCT, given),
                      job_pars(OLD_PRODUCT, reply["jobPars"], user))


def _list(what: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(STATUS, f"{what} is {_shown(value)}, not a list")
    return value


def _step(value: Any, depth: int = 0) -> ProgressStep:
    if not isinstance(value, Mapping):
        raise ProtocolError(STATUS, f"a progress step is {_shown(value)}, not an object")
    if depth > MAX_STEP_DEPTH:
        raise ProtocolError(STATUS, f"progress steps are nested more than {MAX_STEP_DEPTH} deep")
    return ProgressStep(
        label=text(STATUS, "StepLabel", value.get("StepLabel", "")),
        status=whole(STATUS, "StepStatus", value.get("StepStatus", 0)) or 0,
        extra=optional_text(STATUS, "StepExtra", value.get("StepExtra")),
        substeps=tuple(_step(s, depth + 1) for s in _list("SubStep", value.get("SubStep"))),
    )


def _progress(value: Any) -> Progress:
    if value is None:
        return Progress()
    if not isinstance(value, Mapping):
        raise ProtocolError(STATUS, f"progress is {_shown(value)}, not an object")
    return Progress(
        got_progress=whole(STATUS, "GotProgress", value.get("GotProgress", 0)) or 0,
        time_running=optional_text(STATUS, "TimeRunning", value.get("TimeRunning")),
        pre_progress=optional_text(STATUS, "PreProgress", value.get("PreProgress")),
        steps=tuple(_step(s) for s in _list("ProgressSteps", value.get("ProgressSteps"))),
    )


def _product_status(product: str, value: Any) -> ProductStatus:
    if value is None:
        return ProductStatus(product, None, "The server did not return a status for this product",
                             reported=False)
    if not isinstance(value, Mapping):
        raise ProtocolError(STATUS, f"the status of {product} is {_shown(value)}, not an object")
    return ProductStatus(
        product=product,
        code=whole(STATUS, f"{product} statusCode", value.get("statusCode")),
        text=text(STATUS, f"{product} statusText", value.get("statusText", "")),
        progress=_progress(value.get("progress")),
    )


def statuses(reply: Mapping[str, Any], asked: int, keys: list[str]) -> dict[str, ProductStatus]:
    """Per product name, for the short ``keys`` asked about."""
    _echo(STATUS, reply, "JobID", asked)
    names = {key: product_by_key(key).name for key in keys}
    return {name: _product_status(name, reply.get(key)) for key, name in names.items()}


def cancelled(reply: Mapping[str, Any], asked: int, keys: list[str]) -> CancelResult:
    _echo(CANCEL, reply, "JobID", asked)
    texts, codes = reply["status"], reply["statusCodes"]
    if not isinstance(texts, Mapping) or not isinstance(codes, Mapping):
        raise ProtocolError(CANCEL, "status and statusCodes must be objects")
    missing = [k for k in keys if k not in codes]
    if missing:
        raise ProtocolError(CANCEL, f"no cancel outcome for {', '.join(missing)}")
    outcomes = {}
    for key in keys:
        code = whole(CANCEL, f"{key} statusCode", codes[key])
        if code is None:
            raise ProtocolError(CANCEL, f"the cancel code of {key} is null")
        outcomes[product_by_key(key).name] = CancelOutcome(
            code, text(CANCEL, f"{key} status", texts.get(key, "")))
    return CancelResult(asked, int(reply["OK"]), outcomes)
