"""The desired side of one (source, product): which parameters matter, their effective values,
the fingerprint that lets a warm plan skip comparing, and the payload with pins applied.

Only the parameters that affect a product count (a global's ``affects``, the product's own
table), and of those only the ones active under the others' values (``pcCounts`` only for
``binMeth: counts``). A value the spec leaves out is the server default the lock has observed,
else the catalogue's; one a directive fills (``getCoords``) is the pin from the lock, else a
wildcard.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any, Iterable, Mapping

from ..protocol.catalogue import (
    DIRECTIVES,
    GLOBAL_SCOPE,
    GLOBALS,
    PRODUCTS,
    Param,
)
from ..protocol.request import Request, build
from .fingerprint import fingerprint
from .model import ABSENT, WILDCARD

#: (scope, Python name): scope is GLOBAL_SCOPE or a product name.
Key = tuple[str, str]


class Origin(str, Enum):
    """Where an effective desired value comes from."""

    SPEC = "spec"
    PIN = "pin"
    OBSERVED = "observed default"
    DEFAULT = "default"
    ABSENT = "absent"
    WILDCARD = "wildcard"


#: Origins of values the spec did not write: a job that did not send the key either matches.
UNWRITTEN = frozenset({Origin.OBSERVED, Origin.DEFAULT, Origin.ABSENT})


@cache
def relevant(product: str) -> tuple[tuple[Key, Param], ...]:
    """The parameters that affect ``product``: the globals that say so, then its own."""
    out: list[tuple[Key, Param]] = [
        ((GLOBAL_SCOPE, name), p) for name, p in GLOBALS.items() if product in p.affects
    ]
    out += [((product, name), p) for name, p in PRODUCTS[product].params.items()]
    return tuple(out)


@cache
def _relevant_directives(product: str) -> frozenset[str]:
    names = {key[1] for key, _ in relevant(product) if key[0] == GLOBAL_SCOPE}
    return frozenset(d for d in DIRECTIVES if set(GLOBALS[d].fills) & names)


@cache
def filled_by() -> Mapping[str, str]:
    """Global filled by a directive -> that directive (RA -> getCoords)."""
    return {f: d for d in DIRECTIVES for f in GLOBALS[d].fills}


def observed_key(key: Key) -> str:
    """The lock's name for a parameter's observed default: one per wire key, so the three
    position products share theirs (``positions.whichData``)."""
    scope, name = key
    if scope == GLOBAL_SCOPE:
        return name
    if PRODUCTS[scope].params[name].shared:
        return f"positions.{name}"
    return f"{scope}.{name}"


def param_of(key: Key) -> Param:
    scope, name = key
    return GLOBALS[name] if scope == GLOBAL_SCOPE else PRODUCTS[scope].params[name]


@dataclass(frozen=True)
class Wanted:
    """What the spec itself says about one product of one source."""

    product: str
    #: the values the spec writes for the relevant parameters
    explicit: Mapping[Key, Any]
    #: directives the spec turns on that fill a relevant parameter
    directives: frozenset[str]
    fingerprint: str


@cache
def _relevant_names(product: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names of the globals and of the product's own parameters that affect ``product``."""
    return (frozenset(name for (scope, name), _ in relevant(product) if scope == GLOBAL_SCOPE),
            frozenset(name for (scope, name), _ in relevant(product) if scope == product))


def wanted(request: Request, product: str) -> Wanted:
    """What the spec says about ``product``. A warm plan calls this for every product of every
    source, so it reads the request's own (small) tables rather than the whole catalogue."""
    globals_, own = _relevant_names(product)
    explicit: dict[Key, Any] = {}
    for name, value in request.globals.items():
        if name in globals_:
            explicit[(GLOBAL_SCOPE, name)] = value
    for name, value in request.products[product].items():
        if name in own:
            explicit[(product, name)] = value
    directives = frozenset(d for d in _relevant_directives(product)
                           if request.globals.get(d) is True)
    return Wanted(product, explicit, directives, fingerprint(product, explicit, directives))


@cache
def _sources_of(product: str) -> tuple[tuple[Key, Param, str, str | None], ...]:
    """Per relevant parameter: its key, entry, observed-default name and filling directive."""
    fills = filled_by()
    return tuple((key, param, observed_key(key),
                  fills.get(key[1]) if key[0] == GLOBAL_SCOPE else None)
                 for key, param in relevant(product))


def effective(want: Wanted, pins: Mapping[str, Any],
              observed: Mapping[str, Any]) -> dict[Key, tuple[Any, Origin]]:
    """Every relevant parameter's effective desired value and where it comes from.

    ``pins``: server-filled values (lock ``resolved``) by global name; ``observed``: observed
    defaults by :func:`observed_key`.
    """
    out: dict[Key, tuple[Any, Origin]] = {}
    explicit = want.explicit
    for key, param, seen_as, directive in _sources_of(want.product):
        if key in explicit:
            out[key] = (explicit[key], Origin.SPEC)
        elif directive is not None and directive in want.directives:
            if key[1] in pins:
                out[key] = (pins[key[1]], Origin.PIN)
            else:
                out[key] = (WILDCARD, Origin.WILDCARD)
        elif seen_as in observed:
            out[key] = (observed[seen_as], Origin.OBSERVED)
        elif param.has_default:
            out[key] = (param.default, Origin.DEFAULT)
        else:
            out[key] = (ABSENT, Origin.ABSENT)
    return out


@cache
def _conditions(product: str) -> tuple[tuple[Key, tuple[tuple[Key, tuple[Any, ...]], ...]], ...]:
    """Per relevant key, the (key, allowed values) its ``only_when`` asks of the others."""
    return tuple((key, tuple(((key[0], other), allowed)
                             for other, allowed in param.only_when.items()))
                 for key, param in relevant(product))


def active(product: str, values: Mapping[Key, tuple[Any, Origin]]) -> list[Key]:
    """The relevant keys whose ``only_when`` conditions hold under ``values``."""
    keys = []
    for key, conditions in _conditions(product):
        if not conditions or all(values.get(other, (ABSENT,))[0] in allowed
                                 for other, allowed in conditions):
            keys.append(key)
    return keys


def which_data(product: str, values: Mapping[Key, tuple[Any, Origin]]) -> Any:
    """The product's effective ``whichData`` (None when it has none)."""
    return values.get((product, "whichData"), (None,))[0]


def pinned_request(request: Request, pins: Mapping[str, Any], products: Iterable[str],
                   keep_directives: frozenset[str] = frozenset()) -> Request:
    """The request to submit: only ``products``, and every directive whose values are all
    pinned turned off with the pins written in (except those in ``keep_directives``, which the
    server must run again)."""
    globals_ = {k: v for k, v in request.globals.items() if k != "name"}
    for directive in DIRECTIVES:
        fills = GLOBALS[directive].fills
        if globals_.get(directive) is True and directive not in keep_directives \
                and all(f in pins for f in fills):
            globals_[directive] = False
            globals_.update({f: pins[f] for f in fills})
    chosen = {p: dict(request.products[p]) for p in products}
    built, problems = build(request.name, globals_, chosen)
    if problems:  # a valid spec with valid pins cannot break a rule; say so if it ever does
        raise AssertionError(f"pinned request for {request.name!r} breaks rules: {problems}")
    return built

