"""Does a job give what one (source, product) wants? Parameter by parameter, on canonical values.

A job is seen through what is known of it: its ``jobPars`` (every effective value, defaults
filled by the server) and, for a job this tool submitted, the payload it sent (which keys the
user wrote). The rules (DESIGN §3): a key neither side wrote compares equal whatever the server
filled (a moved default is drift, never a replace); a key the spec writes is compared with the
job's value; a key the spec dropped compares its default with what the job was sent; a value a
directive filled without a pin is a wildcard. Only parameters active for the product count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any, Mapping

from ..protocol.catalogue import (
    DIRECTIVES,
    ENVELOPE_KEYS,
    GLOBAL_BY_WIRE,
    GLOBAL_SCOPE,
    GLOBALS,
    PRODUCT_BY_FLAG,
    PRODUCTS,
    Param,
)
from ..protocol.request import Request
from ..protocol.values import canonical_equal, from_server, server_bool
from ..protocol.wire import from_job_pars
from .desired import (
    UNWRITTEN,
    Key,
    Origin,
    Wanted,
    active,
    filled_by,
    observed_key,
    param_of,
)
from .model import ABSENT, WILDCARD, ParamChange


def keyed(request: Request) -> dict[Key, Any]:
    """A request's values by (scope, name), globals and products alike."""
    out: dict[Key, Any] = {(GLOBAL_SCOPE, n): v for n, v in request.globals.items()}
    for product, params in request.products.items():
        out.update({(product, n): v for n, v in params.items()})
    return out


@dataclass(frozen=True)
class JobView:
    """What is known of one job's parameters.

    ``values``: every effective value (from ``jobPars``), None when not fetched. ``sent``: the
    values its payload wrote, None when the payload is unknown (a job this tool did not
    submit). ``filled``: values the server filled for the directives in ``directives``.
    """

    job_id: int
    values: Mapping[Key, Any] | None = field(default=None, hash=False)
    sent: Mapping[Key, Any] | None = field(default=None, hash=False)
    directives: frozenset[str] = frozenset()
    filled: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: wire keys whose values could not be read, with the reasons
    unreadable: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class ParsRead:
    """What a job's ``jobPars`` say, read once: every value by key, the wire keys that could
    not be read (with the reasons), and the directives the job ran."""

    values: Mapping[Key, Any] = field(hash=False)
    unreadable: Mapping[str, str] = field(hash=False)
    directives: frozenset[str]


def read_pars(job_pars: Mapping[str, Any]) -> ParsRead:
    read = from_job_pars(job_pars)
    unreadable: dict[str, str] = {}
    for text in read.unreadable:
        unreadable.setdefault(text.split("=", 1)[0].strip(), text)
    return ParsRead(keyed(read.request), unreadable, frozenset(
        d for d in DIRECTIVES if server_bool(job_pars.get(GLOBALS[d].wire, 0))))


def view(job_id: int, job_pars: Mapping[str, Any] | None = None,
         payload: Mapping[str, Any] | None = None,
         filled: Mapping[str, Any] | None = None, *, read: ParsRead | None = None) -> JobView:
    """What is known of a job: from its ``jobPars`` (or ``read``, the same read already) and
    the payload it was sent, if known."""
    if read is None and job_pars is not None:
        read = read_pars(job_pars)
    values = read.values if read is not None else None
    unreadable = dict(read.unreadable) if read is not None else {}
    directives = set(read.directives) if read is not None else set()
    sent: dict[Key, Any] | None = None
    if payload is not None:
        sent = keyed(from_job_pars(payload).request)
        directives = {d for d in DIRECTIVES if server_bool(payload.get(GLOBALS[d].wire, 0))}
    known_filled = dict(filled or {})
    if values is not None:
        for name, directive in filled_by().items():
            if directive in directives and (GLOBAL_SCOPE, name) in values:
                known_filled.setdefault(name, values[(GLOBAL_SCOPE, name)])
    return JobView(job_id, values, sent, frozenset(directives), known_filled, unreadable)


def same(param: Param, a: Any, b: Any) -> bool:
    if a is ABSENT or b is ABSENT:
        return a is b
    return canonical_equal(param, a, b)


@dataclass(frozen=True)
class Comparison:
    """``diff`` lists the parameters that differ; ``unreadable`` the relevant values of the job
    that could not be read (then it cannot be said to match)."""

    diff: tuple[ParamChange, ...] = ()
    unreadable: tuple[str, ...] = ()

    @property
    def matches(self) -> bool:
        return not self.diff and not self.unreadable


def compare(want: Wanted, values: Mapping[Key, tuple[Any, Origin]], job: JobView,
            observed: Mapping[str, Any]) -> Comparison:
    """``values`` are the effective desired values (:func:`reconciler.plan.desired.effective`)."""
    diff: list[ParamChange] = []
    unreadable: list[str] = []
    fills = filled_by()
    for key in active(want.product, values):
        wanted_value, origin = values[key]
        if origin is Origin.WILDCARD:
            continue
        param = param_of(key)
        if param.wire in job.unreadable:
            unreadable.append(job.unreadable[param.wire])
            continue
        old = _old_value(key, param, origin, job, observed, fills)
        if old is WILDCARD:
            continue
        if not same(param, wanted_value, old):
            diff.append(ParamChange(key[0], key[1], old, wanted_value))
    return Comparison(tuple(diff), tuple(dict.fromkeys(unreadable)))


def _old_value(key: Key, param: Param, origin: Origin, job: JobView,
               observed: Mapping[str, Any], fills: Mapping[str, str]) -> Any:
    """The job's value for ``key`` as far as the comparison rules need it (WILDCARD: skip)."""
    if job.sent is None:  # the payload is unknown: the job's own values are all there is
        if origin is Origin.ABSENT:
            return WILDCARD  # the spec has no opinion and the catalogue no default
        assert job.values is not None
        return job.values.get(key, ABSENT)
    if key in job.sent:
        return job.sent[key]
    if key[0] == GLOBAL_SCOPE and fills.get(key[1]) in job.directives:
        return job.filled.get(key[1], WILDCARD)  # filled by the server: what it filled
    if origin in UNWRITTEN:
        return WILDCARD  # neither side wrote it: whatever the server filled is the default
    if job.values is not None and key in job.values:
        return job.values[key]
    return observed.get(observed_key(key), param.default if param.has_default else ABSENT)


# --- recovering lost submissions ----------------------------------------------------------------

@cache
def _param_by_wire() -> Mapping[str, Param]:
    table: dict[str, Param] = {}
    for product in PRODUCTS.values():
        for p in product.params.values():
            for wire in p.wire_keys:
                table.setdefault(wire, p)
    table.update(GLOBAL_BY_WIRE)
    return table


def payload_matches(payload: Mapping[str, Any], job_pars: Mapping[str, Any]) -> bool:
    """Whether a job's ``jobPars`` carry every value ``payload`` sent (canonically): the test
    that recognises the job a lost submission created (DESIGN §2, pending submissions)."""
    directives = {GLOBALS[d].wire for d in DIRECTIVES}
    by_wire = _param_by_wire()
    for wire, sent in payload.items():
        if wire in ENVELOPE_KEYS or wire in directives:
            continue  # the envelope says nothing of the job; directives may not be echoed
        if wire in PRODUCT_BY_FLAG:
            if server_bool(sent) != server_bool(job_pars.get(wire, 0)):
                return False
            continue
        param = by_wire.get(wire)
        got = next((job_pars[k] for k in (param.wire_keys if param else (wire,))
                    if k in job_pars), ABSENT)
        if got is ABSENT:
            return False
        if param is None:
            if got != sent and str(got) != str(sent):
                return False
            continue
        try:
            if not canonical_equal(param, from_server(param, sent), from_server(param, got)):
                return False
        except (TypeError, ValueError):
            return False
    return True
