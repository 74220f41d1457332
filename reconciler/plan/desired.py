"""The desired side of one (source, product): which parameters matter, their effective values,
the fingerprint that lets a warm plan skip comparing, and the payload with pins applied.

Only the parameters that affect a product count (a global's ``affects``, the product's own
table), and of those only the ones active under the others' values (``pcCounts`` only for
``binMeth: counts``). A value the spec leaves out is the server default the lock has observed,
else the catalogue's; one a directive fills (``getCoords``) is the pin from the lock, else a
wildcard.
"""

from __future__ import annotations

import hashlib
import json
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
from .model import ABSENT, WILDCARD

#: (scope, Python name): scope is GLOBAL_SCOPE or a product name.
Key = tuple[str, str]

#: Bump when what goes into a fingerprint changes: old locks then compare once more.
FINGERPRINT_SCHEME = 1


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


def _norm(value: Any) -> Any:
    """A canonical value in one spelling for hashing (20 and 20.0 alike)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, tuple):
        return [_norm(v) for v in value]
    return value


@dataclass(frozen=True)
class Wanted:
    """What the spec itself says about one product of one source."""

    product: str
    #: the values the spec writes for the relevant parameters
    explicit: Mapping[Key, Any]
    #: directives the spec turns on that fill a relevant parameter
    directives: frozenset[str]
    fingerprint: str


def wanted(request: Request, product: str) -> Wanted:
    explicit: dict[Key, Any] = {}
    for key, _ in relevant(product):
        scope, name = key
        table = request.globals if scope == GLOBAL_SCOPE else request.products[product]
        if name in table:
            explicit[key] = table[name]
    directives = frozenset(d for d in _relevant_directives(product)
                           if request.globals.get(d) is True)
    body = json.dumps(
        [FINGERPRINT_SCHEME, product, sorted([list(k), _norm(v)] for k, v in explicit.items()),
         sorted(directives)],
        separators=(",", ":"), sort_keys=True,
    )
    return Wanted(product, explicit, directives, hashlib.sha256(body.encode()).hexdigest()[:16])


def effective(want: Wanted, pins: Mapping[str, Any],
              observed: Mapping[str, Any]) -> dict[Key, tuple[Any, Origin]]:
    """Every relevant parameter's effective desired value and where it comes from.

    ``pins``: server-filled values (lock ``resolved``) by global name; ``observed``: observed
    defaults by :func:`observed_key`.
    """
    fills = filled_by()
    out: dict[Key, tuple[Any, Origin]] = {}
    for key, param in relevant(want.product):
        if key in want.explicit:
            out[key] = (want.explicit[key], Origin.SPEC)
        elif key[0] == GLOBAL_SCOPE and fills.get(key[1]) in want.directives:
            if key[1] in pins:
                out[key] = (pins[key[1]], Origin.PIN)
            else:
                out[key] = (WILDCARD, Origin.WILDCARD)
        elif observed_key(key) in observed:
            out[key] = (observed[observed_key(key)], Origin.OBSERVED)
        elif param.has_default:
            out[key] = (param.default, Origin.DEFAULT)
        else:
            out[key] = (ABSENT, Origin.ABSENT)
    return out


def active(product: str, values: Mapping[Key, tuple[Any, Origin]]) -> list[Key]:
    """The relevant keys whose ``only_when`` conditions hold under ``values``."""
    keys = []
    for key, param in relevant(product):
        scope = key[0]
        if all(values.get((scope, other), (ABSENT,))[0] in allowed
               for other, allowed in param.only_when.items()):
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

