"""A plan as the JSON object of DESIGN §4, for scripts and CI: ``format_version``, ``summary``
(counts per action), ``actions`` (per source and action: products, the exact wire payload of
the source's one submission, the parameter diff), ``drift`` and ``foreign``.
"""

from __future__ import annotations

from typing import Any

from .model import ABSENT, SUBMITTING, Action, Plan

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if value is ABSENT:
        return None
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def as_json(plan: Plan) -> dict[str, Any]:
    actions: list[dict[str, Any]] = []
    for source in plan.sources:
        groups: dict[Action, list[Any]] = {}
        for product in source.products:
            groups.setdefault(product.action, []).append(product)
        for action, products in groups.items():
            entry: dict[str, Any] = {
                "source": source.source,
                "action": action.value,
                "products": [p.product for p in products],
                "jobs": {p.product: p.job for p in products if p.job is not None},
                "reasons": {p.product: p.reason for p in products if p.reason},
            }
            states = {p.product: p.state for p in products if p.state}
            if states:
                entry["states"] = states
            if action in SUBMITTING and source.submission is not None:
                entry["payload"] = dict(source.submission.payload)
            diff = [
                {"product": p.product, "scope": c.scope, "parameter": c.parameter,
                 "old": _plain(c.old), "new": _plain(c.new)}
                for p in products for c in p.diff
            ]
            if diff or action is Action.REPLACE:
                entry["diff"] = diff
            actions.append(entry)
    for unmanaged in plan.unmanaged:
        actions.append({"source": unmanaged.name, "action": Action.UNMANAGED.value,
                        "products": [], "jobs": list(unmanaged.jobs)})
    return {
        "format_version": FORMAT_VERSION,
        "server": plan.server,
        "user": plan.user,
        "summary": plan.counts(),
        "changes": plan.has_changes,
        "actions": actions,
        "drift": [
            {"parameter": d.parameter, "catalogue_default": _plain(d.catalogue_default),
             "observed": [{"value": _plain(v), "job": j} for v, j in d.observed],
             "job": d.job}
            for d in plan.drift
        ],
        "foreign": [
            {"source": f.source, "job": f.job, "products": list(f.products),
             "submitted": f.submitted.strftime("%Y-%m-%d %H:%M:%S"), "note": f.note}
            for f in plan.foreign
        ],
    }
