"""An unknown key in a parameter block: what to write instead, and which parameter it meant.

The fix is for the user; the parameter meant is for the loader, which must not then also
report that parameter as "required" (a typo in ``pcCounts`` is one mistake, not two), while
every problem unrelated to the typo is still shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    GLOBAL_SCOPE,
    PRODUCTS,
    lookup,
    python_names,
)
from ..protocol.values import closest
from . import paramdoc
from .models import POLICY_KEYS, SOURCE_EXTRA_KEYS

#: a parameter of a block as the request rules name it: ``("RA",)``, ``("LightCurve",
#: "pcCounts")``, or a whole product ``("LightCurve",)``
ParamPath = tuple[str, ...]


@dataclass(frozen=True)
class Guess:
    """The fix to print, and what the key was most likely meant to be."""

    fix: str
    meant: tuple[ParamPath, ...] = ()


def param_path(scope: str, name: str) -> ParamPath:
    """The path the request rules use for ``name`` in ``scope`` (a product, or a global)."""
    return (name,) if scope == GLOBAL_SCOPE else (scope, name)


def _meant(scope: str, name: str) -> tuple[ParamPath, ...]:
    if name in PRODUCTS:
        return ((name,),)
    param = lookup(scope, name)
    return (param_path(scope, param.name),) if param else ()  # use, rebuild: no parameter


def _candidates(scope: str, in_source: bool) -> tuple[str, ...]:
    if scope != GLOBAL_SCOPE:
        return python_names(scope)
    return (*(n for n in python_names(GLOBAL_SCOPE) if n != "name"), *ALL_PRODUCTS,
            *POLICY_KEYS, *(SOURCE_EXTRA_KEYS if in_source else ()))


def guess(scope: str, key: str, block: str) -> Guess:
    """For an unknown ``key`` in ``scope`` (GLOBAL_SCOPE or a product) of a ``block`` (sources,
    templates or defaults)."""
    in_source = block == "sources"
    if ":" in key.strip(":"):  # 'LightCurve:{binMeth: counts}': the key 'LightCurve:{binMeth'
        name = key.split(":", 1)[0].strip()
        return Guess(f"put a space after the ':' in {name}:", _meant(scope, name))
    if scope == GLOBAL_SCOPE and key == "name":
        return Guess("the source key is the job name; rename the key instead")
    if scope == GLOBAL_SCOPE and key in SOURCE_EXTRA_KEYS and not in_source:
        return Guess(f"{key} is only allowed in a source")
    level = "the source level" if in_source else f"the {block} level"
    if scope != GLOBAL_SCOPE and lookup(GLOBAL_SCOPE, key) is not None:
        return Guess(f"{key} is a global parameter: move it out of {scope} to {level}",
                     _meant(GLOBAL_SCOPE, key))
    owners = [p for p in ALL_PRODUCTS if p != scope and lookup(p, key) is not None]
    meant_there = tuple(m for p in owners for m in _meant(p, key))
    if scope == GLOBAL_SCOPE and owners:
        return Guess(f"{key} is a parameter of {', '.join(owners)}: put it under {owners[0]}:",
                     meant_there)
    if scope != GLOBAL_SCOPE and key in PRODUCTS:
        return Guess(f"{key} is a product: move it out of {scope} to {level}", ((key,),))
    for param in paramdoc.spec_params(scope).values():
        if key.lower() == param.wire.lower() and key != param.name:
            return Guess(f"did you mean {param.name!r}? ({key!r} is its name on the wire)",
                         _meant(scope, param.name))
    close = closest(key, _candidates(scope, in_source))
    if close:
        return Guess(f"did you mean {close!r}?", _meant(scope, close))
    if scope != GLOBAL_SCOPE and owners:
        return Guess(f"{key} is a parameter of {', '.join(owners)}, not of {scope}", meant_there)
    where = "globals and products" if scope == GLOBAL_SCOPE else f"{scope} parameters"
    return Guess(f"see the {where} in the README's spec reference")
