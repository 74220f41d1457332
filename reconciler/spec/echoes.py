"""Which rule problems may only echo a value that was already reported as broken.

A broken value is left out of its block so that the request rules still judge the rest of the
source. Leaving it out can make a rule fire that the value would have kept quiet: a typo in
``pcCounts`` makes pcCounts "required", a broken ``redshift`` no longer implies
``hasRedshift``. Those echoes are held back; every other problem is shown, so that one bad
value never hides an unrelated one (``targ: 00030842`` does not hide a missing ``posErr``).

What was left out is a set of :data:`ParamPath`: a parameter, a whole product block, or
:data:`EVERYTHING` (an unknown or unreadable template, a broken ``use``: anything may be
missing). A problem is an echo when something it follows from (``Problem.follows_from``) was
left out, or may have been changed by what was left out (the values a broken parameter
implies, or the ones its directive would have filled).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from pydantic import ValidationError

from ..protocol.catalogue import GLOBAL_SCOPE, PRODUCTS, lookup
from ..protocol.request import Problem
from .suggest import ParamPath, param_path

#: anything may be missing (a template that cannot be read, a ``use`` that is wrong)
EVERYTHING: ParamPath = ("*",)

#: the parameters an unknown key in a scope was meant to be: (scope, key) -> paths
Meant = Callable[[str, str], Iterable[ParamPath]]


def _effects(path: ParamPath) -> set[ParamPath]:
    """``path`` and what its value could have set: implied and suggested values, and what a
    directive fills."""
    if path == EVERYTHING or path[0] in PRODUCTS and len(path) == 1:
        return {path}
    scope, name = (GLOBAL_SCOPE, path[0]) if len(path) == 1 else path
    param = lookup(scope, name)
    if param is None:
        return {path}
    touched = {target for rules in (param.sets, param.suggests)
               for implied in rules.values() for target in implied}
    return {path, *(param_path(scope, t) for t in (*touched, *param.fills))}


def lost(paths: Iterable[ParamPath]) -> frozenset[ParamPath]:
    """What leaving out ``paths`` may have changed."""
    return frozenset(effect for path in paths for effect in _effects(path))


def is_echo(problem: Problem, left_out: frozenset[ParamPath]) -> bool:
    """Whether ``problem`` may only follow from something in ``left_out`` (see :func:`lost`)."""
    if not left_out:
        return False
    if EVERYTHING in left_out and (problem.missing or not problem.path):
        return True  # what is missing may be what was lost; a clash of given values is not
    return any(path in left_out or (len(path) == 2 and path[:1] in left_out)
               for path in problem.follows_from)


def pruned(data: Any, error: ValidationError, left_out: set[ParamPath], meant: Meant) -> Any:
    """``data`` (a parameter block) without the entries ``error`` complains about, noting what
    they were in ``left_out``; None if the block itself is wrong. ``meant`` names the
    parameters an unknown key was most likely meant to be."""
    if not isinstance(data, Mapping):
        return None
    out = dict(data)  # product blocks are copied before they change
    for item in error.errors():
        loc = [str(part) for part in item["loc"] if part != "[key]"]
        if not loc:
            return None
        head = loc[0]
        unknown = item["type"] == "extra_forbidden"
        if head in PRODUCTS and len(loc) > 1 and isinstance(out.get(head), Mapping):
            block = dict(out[head])
            block.pop(loc[1], None)
            out[head] = block
            left_out.update(meant(head, loc[1]) if unknown else [_named(head, loc[1])])
            continue
        out.pop(head, None)
        if head in PRODUCTS:
            left_out.add((head,))
        elif head == "use":
            left_out.add(EVERYTHING)
        elif unknown:
            left_out.update(meant(GLOBAL_SCOPE, head))
        elif lookup(GLOBAL_SCOPE, head) is not None:
            left_out.add(_named(GLOBAL_SCOPE, head))
        # else a policy (rebuild): no request rule follows from it
    return out


def _named(scope: str, key: str) -> ParamPath:
    """The path of the parameter ``key`` (or its alias) in ``scope``."""
    param = lookup(scope, key)
    return param_path(scope, param.name if param else key)
