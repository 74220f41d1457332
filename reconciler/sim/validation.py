"""Judging a submission the way the server does (ukssdc-api.md §1.3, §3.10 server column).

Values are read leniently (the server accepts ``"20"`` for 20) but checked against the
catalogue's allowed values and ranges; presence rules are :func:`reconciler.protocol.request.build` with
``server_rules``. Problems come back grouped under the server's own ``listErr`` labels, with
wire names, so swifttools can map them back to Python names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    DIRECTIVES,
    GLOBALS,
    PRODUCTS,
    PSF,
    XASTROM,
    Kind,
    Param,
)
from ..protocol.request import Problem, Request, build
from ..protocol.values import ValueProblem, from_server, from_user
from ..protocol.wire import from_job_pars, is_yes_no

PROBLEMS = "There were problems with the parameters you supplied."
LABEL_MISSING = "The following parameters are needed, but were not supplied:"
LABEL_INVALID = "The following parameters have invalid values:"
LABEL_OTHER = "The following other problems were found:"


@dataclass
class Verdict:
    """A submission judged: ``request`` is usable when ``groups`` is empty.

    ``payload`` is the body as the server treats it (``dopsf`` forced on with ``doxastrom``).
    """

    request: Request
    payload: dict[str, Any]
    groups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.groups


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _in_scope(payload: Mapping[str, Any], request: Request) -> Iterator[Param]:
    """The global parameters, then those of each requested product (once per wire key)."""
    seen: set[str] = set()
    tables = [GLOBALS] + [PRODUCTS[p].params for p in ALL_PRODUCTS if p in request.products]
    for table in tables:
        for param in table.values():
            if param.wire not in seen:
                seen.add(param.wire)
                yield param


def value_problem(param: Param, raw: Any) -> str | None:
    """Why the server rejects ``raw`` for ``param`` (wire names, server wording), or None."""
    wanted = {Kind.INT: "a whole number", Kind.LIST: "a list of names",
              Kind.BOOL: "0 or 1"}.get(param.kind, "a number")
    if param.kind is Kind.BOOL and not is_yes_no(raw):
        return f"{param.wire} is {_show(raw)}, but must be {wanted}"
    try:
        value = from_server(param, raw)
    except (TypeError, ValueError):
        return f"{param.wire} is {_show(raw)}, but must be {wanted}"
    choices = ", ".join(param.choices)
    if param.kind is Kind.STR and param.choices and value not in param.choices:
        return f"{param.wire} is {_show(raw)}, but must be one of: {choices}"
    try:
        from_user(param, value)
    except ValueProblem:
        lo, hi = param.bounds
        if lo is not None and hi is not None:
            return f"{param.wire} is {_show(raw)}, but must be between {lo:g} and {hi:g}"
        if lo is not None or hi is not None:
            limit = f"at least {lo:g}" if lo is not None else f"at most {hi:g}"
            return f"{param.wire} is {_show(raw)}, but must be {limit}"
        if param.choices:
            return f"{param.wire} is {_show(raw)}, but must be one of: {choices}"
        return f"{param.wire} must not be empty"
    return None


def _wire_of(problem: Problem) -> str:
    if len(problem.path) == 1:
        return GLOBALS[problem.path[0]].wire
    return PRODUCTS[problem.path[0]].params[problem.path[1]].wire


def judge(body: Mapping[str, Any]) -> Verdict:
    """Check a submission body; the request it amounts to and any problems, grouped."""
    payload = dict(body)
    read = from_job_pars(payload).request
    if XASTROM in read.products and PSF not in read.products:
        payload[PRODUCTS[PSF].flag] = 1  # astrometry needs the standard position (§3.3)
        read = from_job_pars(payload).request
    directives = {
        name: from_server(GLOBALS[name], payload[GLOBALS[name].wire])
        for name in DIRECTIVES if GLOBALS[name].wire in payload
    }
    request, problems = build(read.name, {**read.globals, **directives}, read.products,
                              server_rules=True)
    missing: list[str] = []
    if not str(payload.get(GLOBALS["name"].wire) or "").strip():
        missing.append(GLOBALS["name"].wire)
    other: list[str] = []
    for problem in problems:
        if problem.missing:
            wire = _wire_of(problem)
            if payload.get(wire) is None:  # one given but unreadable is invalid (below)
                missing.append(wire)
        elif not problem.path:
            flags = ", ".join(p.flag for p in PRODUCTS.values())
            other.append(f"No product was requested: set at least one of {flags} to 1")
        else:
            other.append(problem.message)
    invalid = []
    for param in _in_scope(payload, request):
        for key in param.wire_keys:
            if payload.get(key) is not None:
                reason = value_problem(param, payload[key])
                if reason:
                    invalid.append(reason)
    groups = [
        {"label": label, "list": list(dict.fromkeys(items))}
        for label, items in ((LABEL_MISSING, missing), (LABEL_INVALID, invalid),
                             (LABEL_OTHER, other))
        if items
    ]
    return Verdict(request=request, payload=payload, groups=groups)
