"""One source's product request in canonical form, and the catalogue rules that judge it.

A :class:`Request` holds only what was asked for (globals and per-product parameters by Python
name, canonical values); server defaults are never filled in here, so the payload carries
exactly what the user meant. :func:`build` turns merged values into a request the way
swifttools would (implied values, shared position parameters) and reports every rule it breaks
as a :class:`Problem` whose ``path`` the spec loader turns into a file location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from .catalogue import (
    ALL_PRODUCTS,
    ANY,
    GLOBAL_SCOPE,
    GLOBALS,
    NOT_NEEDED_FOR_SOURCEDET_ONLY,
    POSITION_PRODUCTS,
    PRODUCTS,
    REQUIRED_GLOBALS,
    SOURCEDET,
    Kind,
    Param,
    params_of,
)
from .values import canonical_equal, number_text, show


@dataclass(frozen=True)
class Problem:
    """A broken rule. ``path`` is relative to the source: ``("LightCurve", "pcCounts")``,
    ``("RA",)`` for a global, ``()`` for the source as a whole."""

    path: tuple[str, ...]
    message: str
    fix: str | None = None
    #: the problem is a required parameter that was not given (the server lists these apart)
    missing: bool = False
    #: the parameters (paths as above) and products (``("Spectrum",)``) the problem follows
    #: from, when more than ``path``: a spec with a broken value left out can then tell whether
    #: the problem may only be an echo of it
    about: tuple[tuple[str, ...], ...] = ()

    @property
    def follows_from(self) -> tuple[tuple[str, ...], ...]:
        return self.about or (self.path,)


@dataclass
class Request:
    """What one source asks the server for. ``globals`` includes ``name``."""

    name: str
    globals: dict[str, Any] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def source_detection_only(self) -> bool:
        return set(self.products) == {SOURCEDET}


def _path(scope: str, name: str) -> tuple[str, ...]:
    return (name,) if scope == GLOBAL_SCOPE else (scope, name)


def _where(scope: str) -> str:
    return "" if scope == GLOBAL_SCOPE else f"{scope} "


@dataclass(frozen=True)
class _Table:
    """What the rules need to know of one scope's parameters, worked out once: a spec of
    thousands of sources runs them for each."""

    #: name -> place in the catalogue (requests and rules keep the catalogue's order)
    order: dict[str, int]
    mandatory: tuple[str, ...]

    def in_order(self, names: Any) -> list[str]:
        """``names`` that are parameters of this scope, in the catalogue's order."""
        order = self.order
        return sorted((n for n in names if n in order), key=order.__getitem__)


_TABLES: dict[str, _Table] = {}


def _table(scope: str) -> _Table:
    table = _TABLES.get(scope)
    if table is None:
        params = params_of(scope)
        table = _TABLES[scope] = _Table(
            {name: index for index, name in enumerate(params)},
            tuple(name for name, param in params.items() if param.mandatory))
    return table


def _rule_values(param: Param, value: Any) -> list[Any]:
    """The keys of a ``needs``/``sets`` mapping that fire for ``value``."""
    keys = []
    try:
        if value in param.needs or value in param.sets or value in param.suggests:
            keys.append(value)
    except TypeError:  # unhashable values never key a rule
        pass
    keys.append(ANY)
    return keys


def _apply_implications(scope: str, params: dict[str, Any]) -> list[Problem]:
    """Apply swifttools' triggers: ``sets`` are implications, ``suggests`` soft defaults."""
    table = params_of(scope)
    explicit = dict(params)
    implied: dict[str, tuple[Any, str]] = {}
    suggested: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in _table(scope).in_order(explicit):
        param, value = table[name], explicit[name]
        if not param.sets and not param.suggests:
            continue
        for key in _rule_values(param, value):
            for target, target_value in param.sets.get(key, {}).items():
                if target in explicit:
                    if target_value is None or not canonical_equal(
                        table[target], explicit[target], target_value
                    ):
                        wanted = "unset" if target_value is None else show(target_value)
                        problems.append(Problem(
                            _path(scope, target),
                            f"{_where(scope)}{target} is {show(explicit[target])}, but setting "
                            f"{name} to {show(value)} means {target} must be {wanted}",
                            f"remove {target}" if target_value is None
                            else f"remove {target} or {name}",
                            about=(_path(scope, target), _path(scope, name)),
                        ))
                elif target in implied and implied[target][0] != target_value:
                    other = implied[target][1]
                    problems.append(Problem(
                        _path(scope, name),
                        f"{_where(scope)}{name} and {other} contradict each other over {target}",
                        f"remove one of {name} and {other}",
                        about=(_path(scope, name), _path(scope, other), _path(scope, target)),
                    ))
                else:
                    implied[target] = (target_value, name)
            for target, target_value in param.suggests.get(key, {}).items():
                suggested.setdefault(target, target_value)
    for target, (target_value, _) in implied.items():
        if target_value is None:
            params.pop(target, None)
        else:
            params[target] = target_value
    for target, target_value in suggested.items():
        if target not in params and target not in implied:
            params[target] = target_value
    return problems


def _share_position_params(products: dict[str, dict[str, Any]]) -> list[Problem]:
    """The position products share one set of parameters: merge them, flag contradictions."""
    present = [p for p in POSITION_PRODUCTS if p in products]
    shared: dict[str, tuple[Any, str]] = {}
    problems: list[Problem] = []
    for prod in present:
        for name, value in products[prod].items():
            param = PRODUCTS[prod].params[name]
            if not param.shared:
                continue
            if name in shared and not canonical_equal(param, shared[name][0], value):
                other_value, other = shared[name]
                problems.append(Problem(
                    (prod, name),
                    f"{name} is shared by all position products, but {other} sets it to "
                    f"{show(other_value)} and {prod} to {show(value)}",
                    f"give {name} one value (it applies to {', '.join(present)})",
                    about=((prod, name), (other, name)),
                ))
            else:
                shared.setdefault(name, (value, prod))
    for prod in present:
        for name, (value, _) in shared.items():
            products[prod][name] = value
    return problems


def _check_needs(scope: str, params: Mapping[str, Any]) -> list[Problem]:
    table = params_of(scope)
    problems = []
    for name in _table(scope).mandatory:
        if name not in params and name != "name":
            problems.append(Problem(
                _path(scope, name),
                f"{_where(scope)}{name} is required",
                _fix_for(table[name]),
                missing=True,
            ))
    for name, value in params.items():
        param = table[name]
        if not param.needs:
            continue
        for key in _rule_values(param, value):
            for needed in param.needs.get(key, ()):
                if needed not in params:
                    shown = "set" if key == ANY else show(value)
                    problems.append(Problem(
                        _path(scope, needed),
                        f"{_where(scope)}{needed} is required when {name} is {shown}",
                        _fix_for(table[needed]),
                        missing=True,
                        about=(_path(scope, needed), _path(scope, name)),
                    ))
    return problems


def _fix_for(param: Param) -> str:
    if param.choices:
        return f"add {param.name}: one of {', '.join(repr(c) for c in param.choices)}"
    if param.kind is Kind.BOOL:
        if param.default is None:
            return f"add {param.name}: true or false"
        return f"add {param.name}: {'false' if param.default is False else 'true'}"
    example = '"..."' if param.kind is Kind.STR else "<number>"
    return f"add {param.name}: {example}"


def _server_requires(name: str, request: Request) -> bool:
    """Whether the server (not swifttools) insists on a required global: not when it has a
    default it fills in (useSXPS), and a product's own needs only when that product is asked."""
    if GLOBALS[name].has_default:
        return False
    needing = [p for p in PRODUCTS.values() if name in p.needs_globals]
    return not needing or any(p.name in request.products for p in needing)


#: the globals that have the server fill others (getCoords fills RA and Dec)
_DIRECTIVES = tuple(param for param in GLOBALS.values() if param.fills)


def _check_globals(request: Request, server_rules: bool = False) -> list[Problem]:
    problems = []
    g = request.globals
    for name, directive in REQUIRED_GLOBALS.items():
        if request.source_detection_only and name in NOT_NEEDED_FOR_SOURCEDET_ONLY:
            continue
        if server_rules and not _server_requires(name, request):
            continue
        if name in g or (directive and g.get(directive) is True):
            continue
        alternative = f", or {directive}: true" if directive else ""
        # a directive stands in for it, and a request of source detection alone needs none
        about = [(name,), *([(directive,)] if directive else [])]
        if name in NOT_NEEDED_FOR_SOURCEDET_ONLY:
            about.append((SOURCEDET,))
        problems.append(Problem(
            (name,), f"{name} is required",
            _fix_for(GLOBALS[name]) + alternative,
            missing=True,
            about=tuple(about),
        ))
    if server_rules:  # the server's directives simply overwrite what was given
        return problems
    for param in _DIRECTIVES:
        if g.get(param.name) is not True:
            continue
        given = [f for f in param.fills if f in g]
        # targ and T0 imply their directive is off; that contradiction is reported already
        if given and not any(param.name in GLOBALS[f].sets.get(ANY, {}) for f in given):
            problems.append(Problem(
                (given[0],),
                f"{' and '.join(given)} given while {param.name} is true: the server "
                f"would overwrite {'them' if len(given) > 1 else 'it'}",
                f"remove {param.name}, or remove {' and '.join(given)}",
                about=((param.name,), *((f,) for f in given)),
            ))
    return problems


def _check_shared_wire_keys(products: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    """Parameters of different products that travel under one wire key must agree (srcrad)."""
    seen: dict[str, tuple[str, str, Any]] = {}
    problems = []
    for prod in ALL_PRODUCTS:
        for name, value in products.get(prod, {}).items():
            param = PRODUCTS[prod].params[name]
            if param.shared:
                continue
            if param.wire in seen:
                other_prod, other_name, other_value = seen[param.wire]
                if other_prod != prod and not canonical_equal(param, other_value, value):
                    problems.append(Problem(
                        (prod, name),
                        f"{prod} {name} ({show(value)}) and {other_prod} {other_name} "
                        f"({show(other_value)}) travel as the one wire key {param.wire!r}",
                        "give both the same value",
                        about=((prod, name), (other_prod, other_name)),
                    ))
            else:
                seen[param.wire] = (prod, name, value)
    return problems


def _check_order(prod: str, params: Mapping[str, Any]) -> list[Problem]:
    """The product's ordered pairs (an energy band's ends) where the spec gives both ends.

    An end left out is not judged against the catalogue default: the server fills its own,
    which may have moved (drift), and the message should name what the user wrote. Client-side
    only: nothing documents the server refusing such pairs."""
    problems = []
    for order in PRODUCTS[prod].ordered:
        if order.low not in params or order.high not in params:
            continue
        low, high = params[order.low], params[order.high]
        if low < high or (low == high and not order.strict):
            continue
        problems.append(Problem(
            (prod, order.low),
            f"{prod} {order.low} ({number_text(low)}) must be "
            f"{'below' if order.strict else 'at most'} {order.high} ({number_text(high)})",
            f"lower {order.low} or raise {order.high}",
            about=((prod, order.low), (prod, order.high)),
        ))
    return problems


def _ordered(params: Mapping[str, Any], scope: str) -> dict[str, Any]:
    return {name: params[name] for name in _table(scope).in_order(params)}


def build(
    name: str,
    globals_: Mapping[str, Any],
    products: Mapping[str, Mapping[str, Any]],
    *,
    server_rules: bool = False,
) -> tuple[Request, list[Problem]]:
    """Canonical, merged values -> the request swifttools would send, and what is wrong with it.

    Values must already be canonical (see :func:`reconciler.protocol.values.from_user`) and names valid.
    ``server_rules`` judges a received submission as the server does (ukssdc-api.md §3.10,
    server column): no client-side triggers, fewer required globals, directives just win.
    """
    g = {**globals_, "name": name}
    prods = {p: dict(products[p]) for p in ALL_PRODUCTS if p in products}
    problems = _share_position_params(prods)
    if not server_rules:
        problems += _apply_implications(GLOBAL_SCOPE, g)
        for prod, params in prods.items():
            problems += _apply_implications(prod, params)
    request = Request(
        name=name,
        globals=_ordered(g, GLOBAL_SCOPE),
        products={p: _ordered(v, p) for p, v in prods.items()},
    )
    if not request.products:
        problems.append(Problem(
            (), "requests no product",
            "name a product (e.g. LightCurve: {}) or use a template that does",
            about=tuple((p,) for p in ALL_PRODUCTS),
        ))
    problems += _check_globals(request, server_rules)
    problems += _check_needs(GLOBAL_SCOPE, request.globals)
    for prod, params in request.products.items():
        problems += _check_needs(prod, params)
    problems += _check_shared_wire_keys(request.products)
    if not server_rules:
        for prod, params in request.products.items():
            problems += _check_order(prod, params)
    return request, _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[tuple[str, ...], str]] = set()
    out = []
    for p in problems:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            out.append(p)
    return out
