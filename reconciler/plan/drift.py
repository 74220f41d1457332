"""Default drift: the server filling another default than the catalogue's, or than it did before.

No peer tool has this: a plan that compared omitted keys with the catalogue would replace jobs
whenever the server's default moved, and never converge (the new job gets the same server
value). Instead the lock records, per parameter, what the server filled when a submission did
not send it; omitted keys compare against that, and a value that differs from the catalogue or
from the one observed before is reported once per parameter. The user settles it by writing the
value into the spec.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..protocol.catalogue import GLOBAL_SCOPE, POSITION_PRODUCTS
from ..protocol.values import canonical_equal
from ..protocol.wire import from_job_pars
from ..state.lock import Observation, ObservedDefault
from .compare import keyed
from .desired import Key, filled_by, observed_key, param_of
from .model import Drift

#: earlier distinct values kept per parameter
_KEEP_EARLIER = 3


def _parameter(name: str) -> tuple[str, str]:
    scope, _, param = name.rpartition(".")
    return scope, param


def _param_for(name: str) -> Any:
    """The catalogue entry behind an observed-default name (``LightCurve.minSNR``)."""
    scope, param = _parameter(name)
    if not scope:
        scope = GLOBAL_SCOPE
    elif scope == "positions":
        scope = POSITION_PRODUCTS[0]
    return param_of((scope, param))


def drifts(observed: Mapping[str, ObservedDefault]) -> tuple[Drift, ...]:
    """One report per parameter whose observed default differs from the catalogue's, or whose
    observations differ among themselves."""
    out = []
    for name in sorted(observed):
        entry = observed[name]
        try:
            param = _param_for(name)
        except KeyError:
            continue  # a parameter this catalogue no longer has
        history = [*((o.value, o.job) for o in entry.earlier), (entry.value, entry.job)]
        moved_from_catalogue = param.has_default and not _same(param, entry.value, param.default)
        moved_since = any(not _same(param, value, entry.value) for value, _ in history[:-1])
        if moved_from_catalogue or moved_since:
            out.append(Drift(name, param.default if param.has_default else None,
                             tuple(history), entry.job))
    return tuple(out)


def _same(param: Any, a: Any, b: Any) -> bool:
    try:
        return canonical_equal(param, a, b)
    except (TypeError, ValueError):
        return a == b


def observe(observed: Mapping[str, ObservedDefault], payload: Mapping[str, Any],
            job_pars: Mapping[str, Any], job_id: int) -> dict[str, ObservedDefault]:
    """``observed`` updated with what the server filled in ``job_pars`` for the parameters of
    the requested products that ``payload`` did not send (canonical values)."""
    request = from_job_pars(payload).request
    sent = keyed(request)
    got = keyed(from_job_pars(job_pars).request)
    products = set(request.products)
    out = dict(observed)
    for key, value in got.items():
        if key in sent or not _counts(key, products):
            continue
        name = observed_key(key)
        param = param_of(key)
        previous = out.get(name)
        if previous is None:
            out[name] = ObservedDefault(value=_plain(value), job=job_id)
        elif _same(param, previous.value, value):
            if job_id > previous.job:
                out[name] = previous.model_copy(update={"job": job_id})
        elif job_id > previous.job:
            earlier = [*previous.earlier, Observation(value=previous.value, job=previous.job)]
            out[name] = ObservedDefault(value=_plain(value), job=job_id,
                                        earlier=earlier[-_KEEP_EARLIER:])
    return out


def _counts(key: Key, products: set[str]) -> bool:
    """Globals the server fills (not the directive-filled ones) and the requested products'
    parameters; never the job name."""
    scope, name = key
    if scope == GLOBAL_SCOPE:
        return name != "name" and name not in filled_by()
    return scope in products


def _plain(value: Any) -> Any:
    """A canonical value as the lock stores it (JSON: lists, not tuples)."""
    return list(value) if isinstance(value, tuple) else value

