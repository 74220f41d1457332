"""A plan to and from plain JSON data, so it can be saved (``plan --out``) and applied later.

Explicit per type rather than reflective: a saved plan comes from a file a CI job may hand
over, so decoding builds only these types and checks their shapes (``ValueError`` otherwise).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from ..state.lock import Lock
from .model import (
    ABSENT,
    WILDCARD,
    Action,
    Drift,
    ForeignJob,
    ParamChange,
    Plan,
    ProductPlan,
    SourcePlan,
    Submission,
    Unmanaged,
)

_SENTINELS = {"$absent": ABSENT, "$wildcard": WILDCARD}


def _value(value: Any) -> Any:
    if value is ABSENT:
        return {"$absent": True}
    if value is WILDCARD:
        return {"$wildcard": True}
    if isinstance(value, tuple):
        return {"$tuple": [_value(v) for v in value]}
    return value


def _unvalue(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in _SENTINELS:
            return _SENTINELS[key]
        if key == "$tuple":
            return tuple(_unvalue(v) for v in value[key])
    return value


def encode(plan: Plan) -> dict[str, Any]:
    return {
        "server": plan.server,
        "user": plan.user,
        "mark": plan.mark,
        "basis": dict(plan.basis),
        "lock": plan.lock.model_dump(mode="json"),
        "sources": [
            {
                "source": s.source,
                "products": [
                    {"product": p.product, "action": p.action.value, "reason": p.reason,
                     "job": p.job, "state": p.state,
                     "diff": [[c.scope, c.parameter, _value(c.old), _value(c.new)]
                              for c in p.diff]}
                    for p in s.products
                ],
                "submission": None if s.submission is None else {
                    "products": list(s.submission.products),
                    "payload": dict(s.submission.payload),
                    "fingerprints": dict(s.submission.fingerprints),
                    "cancel": [list(c) for c in s.submission.cancel],
                },
            }
            for s in plan.sources
        ],
        "foreign": [[f.source, f.job, list(f.products), f.submitted.isoformat(), f.note]
                    for f in plan.foreign],
        "unmanaged": [[u.name, list(u.jobs)] for u in plan.unmanaged],
        "drift": [[d.parameter, _value(d.catalogue_default),
                   [[_value(v), j] for v, j in d.observed], d.job] for d in plan.drift],
    }


def _need(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ValueError(f"{key!r} is missing or not a {getattr(kind, '__name__', kind)}")
    return value


def decode(data: Any) -> Plan:
    """The plan encoded in ``data``; ValueError when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("not a plan object")
    sources = []
    for s in _need(data, "sources", list):
        products = tuple(
            ProductPlan(
                _need(p, "product", str), Action(_need(p, "action", str)), p.get("reason", ""),
                p.get("job"), tuple(ParamChange(c[0], c[1], _unvalue(c[2]), _unvalue(c[3]))
                                    for c in p.get("diff", [])),
                p.get("state"),
            )
            for p in _need(s, "products", list)
        )
        sub = s.get("submission")
        submission = None if sub is None else Submission(
            _need(s, "source", str), tuple(_need(sub, "products", list)),
            _need(sub, "payload", dict), _need(sub, "fingerprints", dict),
            tuple((int(j), str(p)) for j, p in _need(sub, "cancel", list)),
        )
        sources.append(SourcePlan(_need(s, "source", str), products, submission))
    return Plan(
        server=_need(data, "server", str),
        user=_need(data, "user", str),
        sources=tuple(sources),
        lock=Lock.model_validate(_need(data, "lock", dict)),
        foreign=tuple(ForeignJob(f[0], int(f[1]), tuple(f[2]), datetime.fromisoformat(f[3]),
                                 f[4]) for f in data.get("foreign", [])),
        unmanaged=tuple(Unmanaged(u[0], tuple(u[1])) for u in data.get("unmanaged", [])),
        drift=tuple(Drift(d[0], _unvalue(d[1]), tuple((_unvalue(v), j) for v, j in d[2]), d[3])
                    for d in data.get("drift", [])),
        mark=int(data.get("mark", 0)),
        basis=_need(data, "basis", dict),
    )
