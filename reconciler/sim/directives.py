"""The server-side directives ``getCoords``, ``getTargs``, ``getT0`` (ukssdc-api.md §3.2).

They run in that order (targets and T0 may depend on the resolved position); computed values
override supplied ones, and a value that cannot be computed fails the whole submission.
"""

from __future__ import annotations

from typing import Any, Callable

from ..protocol.catalogue import DIRECTIVES, GLOBALS
from ..protocol.request import Request
from . import targets

#: A directive's resolver: (name, RA or None, Dec or None) -> the values of its ``fills``, or None.
Resolver = Callable[[str, Any, Any], tuple[Any, ...] | None]


def _coords(name: str, ra: Any, dec: Any) -> tuple[Any, ...] | None:
    return targets.resolve_coords(name)


def _targs(name: str, ra: Any, dec: Any) -> tuple[Any, ...] | None:
    ids = targets.resolve_targets(name, ra, dec)
    return (",".join(ids),) if ids else None


def _t0(name: str, ra: Any, dec: Any) -> tuple[Any, ...] | None:
    t0 = targets.resolve_t0(name, ra, dec)
    return None if t0 is None else (t0,)


_RESOLVERS: dict[str, Resolver] = {"getCoords": _coords, "getTargs": _targs, "getT0": _t0}

#: Why a directive failed; ``{fills}`` names, on the wire, what the user may supply instead.
_FAILURES = {
    "getCoords": "Could not resolve the object name `{name}` into a position: the name was not "
                 "found. Supply {fills} instead.",
    "getTargs": "Could not find any Swift targetIDs for `{name}` or its position. Supply {fills} "
                "instead.",
    "getT0": "Could not determine T0 for `{name}`: it is not a GRB and no observations of it were "
             "found. Supply {fills} instead.",
}


def resolve(request: Request) -> tuple[Request, str | None]:
    """Fill the values the request's directives ask for; or the error that fails the job."""
    g = dict(request.globals)
    for directive in DIRECTIVES:
        if g.get(directive) is not True:
            continue
        values = _RESOLVERS[directive](request.name, g.get("RA"), g.get("Dec"))
        if values is None:
            fills = " and ".join(GLOBALS[f].wire for f in GLOBALS[directive].fills)
            return request, _FAILURES[directive].format(name=request.name, fills=fills)
        g.update(zip(GLOBALS[directive].fills, values))
    ordered = {name: g[name] for name in GLOBALS if name in g}
    return Request(name=request.name, globals=ordered, products=request.products), None
