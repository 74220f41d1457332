"""A plan as people read it, Terraform-style: one block per source with ``+`` create, ``-/+``
replace, ``~`` rebuild, ``<=`` adopt, ``-`` forget, ``*`` a state worth knowing (running,
failed, expired), and parameter lines ``old -> new``; then drift, foreign and unmanaged jobs in
short sections of their own, and one summary line.

Built as ``rich.text.Text`` so colour comes only on a terminal (rich honours ``NO_COLOR``);
the plain text is the same either way.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from rich.text import Text

from ..protocol.catalogue import GLOBAL_SCOPE
from .model import ABSENT, Action, Drift, ParamChange, Plan, ProductPlan, SourcePlan

_MARK = {
    Action.CREATE: ("+", "green"),
    Action.REPLACE: ("-/+", "yellow"),
    Action.REBUILD: ("~", "yellow"),
    Action.ADOPT: ("<=", "cyan"),
    Action.FORGET: ("-", "red"),
}
_STATE = ("*", "magenta")
#: lines per section before the rest is counted instead of listed (-v lists everything)
_SHORT = 10


def value(shown: Any) -> str:
    """A value as a spec would write it."""
    if shown is ABSENT:
        return "(not set)"
    if isinstance(shown, (tuple, list)):
        return "[" + ", ".join(value(v) for v in shown) + "]"
    return json.dumps(shown, ensure_ascii=False)


def _change(change: ParamChange) -> Text:
    sign, style = ("~", "yellow")
    if change.old is ABSENT:
        sign, style = "+", "green"
    elif change.new is ABSENT:
        sign, style = "-", "red"
    name = change.parameter if change.scope == GLOBAL_SCOPE else change.parameter
    return Text.assemble("        ", (sign, style), f" {name}: {value(change.old)} -> ",
                         (value(change.new), "bold"))


def _product_line(product: ProductPlan, width: int) -> Text | None:
    if product.action in _MARK:
        sign, style = _MARK[product.action]
    elif product.state is not None:
        sign, style = _STATE
    else:
        return None
    words = {
        Action.CREATE: "create",
        Action.REPLACE: f"replace job {product.job}" if product.job else "replace",
        Action.REBUILD: f"rebuild job {product.job}" if product.job else "rebuild",
        Action.ADOPT: f"adopt job {product.job}",
        Action.FORGET: f"forget job {product.job} (it stays on the server)" if product.job
        else "forget",
    }.get(product.action, f"{product.state} in job {product.job}" if product.job
          else product.state or "")
    reason = product.reason if product.action is not Action.FORGET else ""
    text = Text.assemble("  ", (f"{sign:<3}", style), " ", (product.product.ljust(width), "bold"),
                         "  ", words)
    if reason and not reason.startswith(words):
        text.append(f": {reason}")
    return text


def _block(source: SourcePlan, verbose: bool) -> list[Text]:
    width = max((len(p.product) for p in source.products), default=0)
    lines = [_product_line(p, width) for p in source.products]
    if not any(lines):
        return []
    head = Text.assemble("  # ", (source.source, "bold"))
    if source.submission is not None:
        count = len(source.submission.products)
        head.append(f": one submission ({', '.join(source.submission.products)})"
                    if count > 1 else ": one submission")
    out = [head]
    for product, line in zip(source.products, lines):
        if line is None:
            continue
        out.append(line)
        out += [_change(c) for c in product.diff]
    return out


def _drift(drift: Drift) -> Text:
    seen = ", ".join(f"{value(v)} (job {j})" for v, j in drift.observed)
    catalogue = value(drift.catalogue_default) if drift.catalogue_default is not None \
        else "none"
    return Text(f"  {drift.parameter}: catalogue default {catalogue}; the server filled {seen}")


def _limited(lines: list[Text], verbose: bool, what: str) -> list[Text]:
    if verbose or len(lines) <= _SHORT:
        return lines
    return lines[:_SHORT] + [Text(f"  ... and {len(lines) - _SHORT} more {what} (-v lists all)")]


def summary(plan: Plan) -> str:
    if not plan.has_changes:
        return "No changes."
    counts = plan.counts()
    parts = [f"{counts[a]} to {a}" for a in ("create", "replace", "rebuild", "adopt")]
    if counts["forget"]:
        parts.append(f"{counts['forget']} to forget")
    return f"Plan: {', '.join(parts)}; {counts['noop']} unchanged."


def render(plan: Plan, *, verbose: bool = False, title: str | None = None) -> Iterable[Text]:
    """The plan, line by line."""
    if title:
        yield Text(title)
        yield Text("")
    blocks = [b for b in (_block(s, verbose) for s in plan.sources) if b]
    for block in blocks:
        yield from block
        yield Text("")
    if plan.drift:
        yield Text("Server defaults that moved (drift: never a replace; write the value into "
                   "the spec to settle it):", style="bold")
        yield from (_drift(d) for d in plan.drift)
        yield Text("")
    if plan.foreign:
        yield Text("Other jobs under managed names (not used, never touched):", style="bold")
        yield from _limited([
            Text(f"  {f.source}: job {f.job} ({', '.join(f.products) or 'no products'}), "
                 f"{f.submitted:%Y-%m-%d %H:%M:%S}: {f.note}") for f in plan.foreign
        ], verbose, "jobs")
        yield Text("")
    if plan.unmanaged:
        jobs = sum(len(u.jobs) for u in plan.unmanaged)
        names = len(plan.unmanaged)
        line = (f"Jobs under names not in the spec (never touched): {jobs} "
                f"job{'s' if jobs != 1 else ''} under {names} name{'s' if names != 1 else ''}")
        if verbose:
            yield Text(line + ":", style="bold")
            for u in plan.unmanaged:
                yield Text(f"  {u.name}: jobs {', '.join(map(str, u.jobs))}")
        else:
            yield Text(line + " (-v lists them).")
        yield Text("")
    yield Text(summary(plan), style="bold")
