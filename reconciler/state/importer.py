"""``import``: a spec (and, through a plan, its lock) from the jobs already on the server, the
way in for people with years of history.

Per job name, the newest job that did not fail wholly becomes one source, written with only the
values that differ from what the spec would mean by leaving them out (required ones always), so
the spec stays short; each source is checked to mean exactly that job's parameters before it is
written. Other jobs of the name with other parameters, and jobs that cannot be read, are
reported.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..client import Client, OldJob
from ..plan.compare import compare, view
from ..plan.desired import effective, wanted
from ..protocol.catalogue import (
    ALL_PRODUCTS,
    GLOBAL_SCOPE,
    GLOBALS,
    PRODUCTS,
    REQUIRED_GLOBALS,
    Param,
)
from ..protocol.request import Request, build
from ..protocol.wire import from_job_pars
from .lock import TERMINAL_WORDS, status_word

#: jobs per name looked at when the newest ones all failed
_TRIES_PER_NAME = 5


@dataclass
class Imported:
    """The spec's text and what was left out, in words."""

    text: str
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _worth_writing(param: Param, value: Any, required: bool) -> bool:
    return required or not param.has_default or value != param.default


def _active(param: Param, values: dict[str, Any], table: dict[str, Param]) -> bool:
    """Whether ``param`` matters under the other values of its block (``pcCounts`` only for
    ``binMeth: counts``)."""
    def value(name: str) -> Any:
        return values.get(name, table[name].default)
    return all(value(other) in allowed for other, allowed in param.only_when.items())


def _values(request: Request) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The values a spec writes for a job's request: the required ones and the ones that are
    not the catalogue default, of those that matter."""
    globals_ = {}
    for name, value in request.globals.items():
        param = GLOBALS[name]
        if name != "name" and not param.fills and _active(param, request.globals, GLOBALS) \
                and _worth_writing(param, value, name in REQUIRED_GLOBALS):
            globals_[name] = value
    products = {}
    for product, params in request.products.items():
        table = dict(PRODUCTS[product].params)
        products[product] = {n: v for n, v in params.items()
                             if _active(table[n], params, table)
                             and _worth_writing(table[n], v, table[n].mandatory)}
    return globals_, products


def _spelled(name: str, job_pars: dict[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | str:
    """Values for a source meaning exactly this job, or why there are none."""
    read = from_job_pars(job_pars)
    if read.unreadable:
        return "cannot be read (" + "; ".join(read.unreadable) + ")"
    globals_, products = _values(read.request)
    job = view(0, job_pars)
    for _ in range(len(GLOBALS) + 30):  # each round writes at least one more value
        request, problems = build(name, globals_, products)
        if problems:
            return "does not make a valid spec (" + "; ".join(p.message for p in problems) + ")"
        missing = []
        for product in request.products:
            want = wanted(request, product)
            diff = compare(want, effective(want, {}, {}), job, {}).diff
            missing += [(c.scope, c.parameter) for c in diff]
        if not missing:
            return globals_, products
        for scope, parameter in missing:
            source = read.request.globals if scope == GLOBAL_SCOPE else \
                read.request.products[scope]
            if parameter not in source:  # the spec would imply a value the job lacks
                return f"has no {parameter}, which a spec cannot leave out"
            target = globals_ if scope == GLOBAL_SCOPE else products[scope]
            target[parameter] = source[parameter]
    return "could not be written as a spec"  # pragma: no cover


def _source_text(name: str, globals_: dict[str, Any],
                 products: dict[str, dict[str, Any]]) -> list[str]:
    lines = [f"  {json.dumps(name, ensure_ascii=False)}:"]
    lines += [f"    {key}: {_yaml(value)}" for key, value in globals_.items()]
    for product in ALL_PRODUCTS:
        if product in products:
            inner = ", ".join(f"{k}: {_yaml(v)}" for k, v in products[product].items())
            lines.append(f"    {product}: {{{inner}}}")
    return lines


def _usable(client: Client, job: OldJob) -> bool:
    """Not a job whose every product failed or was cancelled."""
    found = client.check_status(job.job_id, job.products, progress=False)
    words = [status_word(s.code) for s in found.values()]
    return not words or not all(w in TERMINAL_WORDS - {"complete"} for w in words)


def import_jobs(client: Client, user: str, server: str | None, pattern: str = "*",
                header: Iterable[str] = ()) -> Imported:
    rows = [r for r in client.list_old_jobs() if fnmatch.fnmatchcase(r.name, pattern)]
    by_name: dict[str, list[OldJob]] = {}
    for row in sorted(rows, key=lambda r: r.job_id, reverse=True):
        by_name.setdefault(row.name, []).append(row)
    out = Imported("")
    body: list[str] = []
    for name in sorted(by_name):
        jobs = by_name[name]
        chosen = None
        for job in jobs[:_TRIES_PER_NAME]:
            if not job.products or not _usable(client, job):
                out.notes.append(f"{name}: job {job.job_id} failed or was cancelled; skipped")
                continue
            old = client.get_old_product(job.job_id)
            spelled = _spelled(name, dict(old.job_pars))
            if isinstance(spelled, str):
                out.notes.append(f"{name}: job {job.job_id} {spelled}; skipped")
                continue
            chosen = job
            body += _source_text(name, *spelled)
            out.sources.append(name)
            break
        if chosen is None:
            out.notes.append(f"{name}: no job could be imported")
            continue
        others = [j.job_id for j in jobs if j.job_id != chosen.job_id]
        if others:
            out.notes.append(f"{name}: imported job {chosen.job_id}; {len(others)} other "
                             f"job{'s' if len(others) != 1 else ''} of this name "
                             f"({', '.join(map(str, others[:5]))}"
                             f"{', ...' if len(others) > 5 else ''}) are older or differ")
    lines = [*header, "version: 1", f"user: {json.dumps(user)}"]
    if server is not None:
        lines.append(f"server: {json.dumps(server)}")
    lines.append("sources:" if body else "sources: {}")
    out.text = "\n".join([*lines, *body]) + "\n"
    return out
