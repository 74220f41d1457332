"""Hypothesis strategies for valid canonical requests, derived from the parameter catalogue.

Everything here walks ``catalogue.GLOBALS`` / ``catalogue.PRODUCTS`` and their rules, so a
parameter added to the catalogue is generated without touching this file. A generated request
is the *input* of :func:`reconciler.protocol.request.build` (name, canonical globals, canonical product
parameters, as :func:`reconciler.protocol.values.from_user` produces them) and is guaranteed to build
without problems: values are drawn freely, then the catalogue's own rules (``needs``, ``sets``,
mandatory parameters, directives, shared position parameters, shared wire keys) repair the draw,
and anything still invalid is filtered out.

Public entry points (also meant for the simulator tests):

* :func:`param_values` - canonical values for one parameter;
* :func:`request_inputs` - ``RequestInputs(name, globals, products)`` for ``build``;
* :func:`requests` - the built :class:`~reconciler.protocol.request.Request`;
* :func:`coverage_targets` - every (scope, parameter, value) the corpus must reach, for
  deterministic coverage tests together with ``request_inputs(force=...)``.
"""

from __future__ import annotations

import string
from typing import Any, Iterable, Mapping, NamedTuple

from hypothesis import strategies as st

from reconciler.protocol import catalogue as cat
from reconciler.protocol.catalogue import GLOBAL_SCOPE, Kind, Param
from reconciler.protocol.request import Request, build
from reconciler.protocol.values import canonical_equal, from_user

#: force value meaning "present, with any valid value"
PRESENT = object()

#: what free text (names, obsIDs, time ranges, target lists) is drawn from
_TEXT = string.ascii_letters + string.digits + " ,-.:_+"
#: numbers without catalogue bounds: non-negative, up to a MET-sized value
_DEFAULT_BOUNDS = (0.0, 1e9)


class RequestInputs(NamedTuple):
    """The arguments of :func:`reconciler.protocol.request.build`."""

    name: str
    globals: dict[str, Any]
    products: dict[str, dict[str, Any]]

    def build(self) -> tuple[Request, list[Any]]:
        return build(self.name, self.globals, self.products)


def _bounds(param: Param) -> tuple[float, float]:
    lo, hi = param.bounds
    return (_DEFAULT_BOUNDS[0] if lo is None else lo, _DEFAULT_BOUNDS[1] if hi is None else hi)


def _raw_values(param: Param) -> st.SearchStrategy[Any]:
    """What a user might write for ``param`` (before canonicalisation)."""
    lo, hi = _bounds(param)
    if param.kind is Kind.BOOL:
        return st.booleans()
    if param.kind is Kind.INT:
        return st.integers(int(max(lo, 1)), int(min(hi, 100_000)))
    if param.kind in (Kind.FLOAT, Kind.NUMBER):
        ints = st.integers(int(-(-lo // 1)), int(hi // 1))
        floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        return st.one_of(ints, floats)
    if param.kind is Kind.LIST:
        return st.lists(st.sampled_from(param.choices), min_size=1,
                        max_size=len(param.choices), unique=True)
    if param.choices:
        return st.sampled_from(param.choices)
    return st.text(_TEXT, min_size=1, max_size=24).filter(lambda s: s.strip() != "")


def param_values(param: Param) -> st.SearchStrategy[Any]:
    """Canonical values for ``param``: any value a spec may give, as ``from_user`` returns it."""
    return _raw_values(param).map(lambda raw: from_user(param, raw))


def _fired(param: Param, value: Any) -> list[Any]:
    """Rule keys (in ``needs``/``sets``) that fire for ``value``: the value itself and ANY."""
    keys: list[Any] = [cat.ANY]
    try:
        if value in param.needs or value in param.sets:
            keys.insert(0, value)
    except TypeError:
        pass
    return keys


def _repair_rules(draw: Any, table: Mapping[str, Param], params: dict[str, Any],
                  forced: Mapping[str, Any]) -> bool:
    """One pass of the catalogue's rules over ``params``; True if anything changed.

    ``sets`` implications are applied (a source whose implication contradicts a forced value
    or another source is dropped instead), ``needs`` and mandatory parameters are drawn.
    """
    implied: dict[str, tuple[Any, str]] = {}
    for name, param in table.items():
        if name not in params:
            continue
        for key in _fired(param, params[name]):
            for target, target_value in param.sets.get(key, {}).items():
                clash_forced = target in forced and (
                    target_value is None
                    or not canonical_equal(table[target], forced[target], target_value)
                )
                clash_other = target in implied and implied[target][0] != target_value
                if (clash_forced or clash_other) and name not in forced:
                    del params[name]
                    return True
                if clash_other and implied[target][1] not in forced:
                    del params[implied[target][1]]
                    return True
                implied[target] = (target_value, name)
    changed = False
    for target, (target_value, _) in implied.items():
        if target_value is None:
            if target in params:
                del params[target]
                changed = True
        elif target not in params or not canonical_equal(
            table[target], params[target], target_value
        ):
            params[target] = target_value
            changed = True
    for name, value in list(params.items()):
        for key in _fired(table[name], value):
            for needed in table[name].needs.get(key, ()):
                if needed not in params:
                    params[needed] = draw(param_values(table[needed]))
                    changed = True
    for name, param in table.items():
        if param.mandatory and name != "name" and name not in params:
            params[name] = draw(param_values(param))
            changed = True
    return changed


def _repair_globals(draw: Any, g: dict[str, Any], forced: Mapping[str, Any],
                    source_detection_only: bool) -> bool:
    """Required globals (or their directive) and directives never given with what they fill."""
    changed = False
    for name, directive in cat.REQUIRED_GLOBALS.items():
        if name == "name" or name in g:
            continue
        if source_detection_only and name in cat.NOT_NEEDED_FOR_SOURCEDET_ONLY:
            continue
        if directive and g.get(directive) is True:
            continue
        fills = cat.GLOBALS[directive].fills if directive else ()
        can_direct = (directive and directive not in forced
                      and not any(f in forced for f in fills))
        if can_direct and draw(st.booleans()):
            g[directive] = True
        else:
            g[name] = draw(param_values(cat.GLOBALS[name]))
        changed = True
    for directive in cat.DIRECTIVES:
        if g.get(directive) is not True:
            continue
        for filled in cat.GLOBALS[directive].fills:
            if filled not in g:
                continue
            if filled in forced:
                g[directive] = False
            else:
                del g[filled]
            changed = True
    return changed


def _draw_scope(draw: Any, table: Mapping[str, Param], forced: Mapping[str, Any],
                skip: Iterable[str] = ()) -> dict[str, Any]:
    """A random subset of ``table``'s parameters, forced ones included."""
    skip = set(skip)
    params: dict[str, Any] = {}
    for name, param in table.items():
        if name in skip:
            continue
        if name in forced:
            value = forced[name]
            params[name] = draw(param_values(param)) if value is PRESENT else value
        elif draw(st.integers(0, 2)) == 0:  # about a third of the optional parameters
            params[name] = draw(param_values(param))
    return params


def _settle(draw: Any, table: Mapping[str, Param], params: dict[str, Any],
            forced: Mapping[str, Any], extra: Any = None) -> None:
    for _ in range(20):
        changed = _repair_rules(draw, table, params, forced)
        if extra is not None:
            changed = extra(params) or changed
        if not changed:
            return


def _gap(param: Param, include_gaps: bool) -> bool:
    return param.swifttools_gap and not include_gaps


@st.composite
def _product_sets(draw: Any) -> frozenset[str]:
    """About one request in five is source detection alone; otherwise each product is a coin
    toss (hypothesis' own sets favour tiny sizes)."""
    if draw(st.integers(0, 4)) == 0:
        return frozenset({cat.SOURCEDET})
    chosen = frozenset(p for p in cat.ALL_PRODUCTS if draw(st.booleans()))
    return chosen or frozenset({draw(st.sampled_from(cat.ALL_PRODUCTS))})


@st.composite
def _request_inputs(draw: Any, products: Iterable[str] | None,
                    force: Mapping[tuple[str, str], Any], include_gaps: bool) -> RequestInputs:
    forced: dict[str, dict[str, Any]] = {}
    for (scope, name), value in force.items():
        forced.setdefault(scope, {})[name] = value
    chosen = set(products) if products is not None else set(draw(_product_sets()))
    chosen |= {scope for scope in forced if scope != GLOBAL_SCOPE}
    sd_only = chosen == {cat.SOURCEDET}

    # globals
    g_forced = {k: v for k, v in forced.get(GLOBAL_SCOPE, {}).items()}
    skip = {"name"} | {n for n, p in cat.GLOBALS.items() if _gap(p, include_gaps)}
    g = _draw_scope(draw, cat.GLOBALS, g_forced, skip)
    g_forced = {k: g[k] for k in g_forced}
    _settle(draw, cat.GLOBALS, g, g_forced,
            lambda params: _repair_globals(draw, params, g_forced, sd_only))

    # the position products share one set of values; draw it once
    positions = [p for p in cat.POSITION_PRODUCTS if p in chosen]
    shared_table = {n: p for n, p in cat.PRODUCTS[cat.PSF].params.items() if p.shared}
    shared: dict[str, Any] = {}
    if positions:
        s_forced = {n: v for prod in positions for n, v in forced.get(prod, {}).items()
                    if n in shared_table}
        shared = _draw_scope(draw, shared_table, s_forced)
        s_forced = {k: shared[k] for k in s_forced}
        _settle(draw, shared_table, shared, s_forced)
        order = draw(st.permutations(positions))
        holders = {order[0]: dict(shared)}
        for prod in order[1:]:
            holders[prod] = {k: v for k, v in shared.items() if draw(st.booleans())}

    prods: dict[str, dict[str, Any]] = {}
    for prod in cat.ALL_PRODUCTS:
        if prod not in chosen:
            continue
        table = {n: p for n, p in cat.PRODUCTS[prod].params.items()
                 if not p.shared and not _gap(p, include_gaps)}
        p_forced = {n: v for n, v in forced.get(prod, {}).items() if n in table}
        params = _draw_scope(draw, table, p_forced)
        p_forced = {k: params[k] for k in p_forced}
        _settle(draw, table, params, p_forced)
        if prod in cat.POSITION_PRODUCTS:
            params.update(holders[prod])
        prods[prod] = params
    _align_shared_wire_keys(prods, forced)
    name = draw(param_values(cat.GLOBALS["name"]))
    return RequestInputs(name, g, prods)


def _align_shared_wire_keys(prods: dict[str, dict[str, Any]],
                            forced: Mapping[str, Mapping[str, Any]]) -> None:
    """Parameters of different products sent under one wire key get one value (srcrad)."""
    by_wire: dict[str, list[tuple[str, str]]] = {}
    for prod, params in prods.items():
        for name in params:
            param = cat.PRODUCTS[prod].params[name]
            if not param.shared:
                by_wire.setdefault(param.wire, []).append((prod, name))
    for holders in by_wire.values():
        if len(holders) < 2:
            continue
        pinned = [(p, n) for p, n in holders if n in forced.get(p, {})]
        prod, name = (pinned or holders)[0]
        for other, other_name in holders:
            prods[other][other_name] = prods[prod][name]


def _builds_cleanly(inputs: RequestInputs) -> bool:
    return not inputs.build()[1]


def request_inputs(
    products: Iterable[str] | None = None,
    force: Mapping[tuple[str, str], Any] | None = None,
    include_gaps: bool = False,
) -> st.SearchStrategy[RequestInputs]:
    """Valid inputs for ``build``: ``build(*inputs)`` reports no problems.

    ``products``: exactly these products (default: a random non-empty set, often source
    detection alone). ``force``: ``{(scope, name): value}`` with scope ``"globals"`` or a
    product name; the value is kept as given (``PRESENT`` draws one), everything else adapts.
    ``include_gaps``: also draw parameters swifttools cannot express (``swifttools_gap``).
    """
    return _request_inputs(
        tuple(products) if products is not None else None, dict(force or {}), include_gaps
    ).filter(_builds_cleanly)


def requests(**kwargs: Any) -> st.SearchStrategy[Request]:
    """Built, valid requests (see :func:`request_inputs` for the arguments)."""
    return request_inputs(**kwargs).map(lambda inputs: inputs.build()[0])


def coverage_targets(include_gaps: bool = False) -> list[tuple[str, str, Any]]:
    """Every (scope, parameter, value) a corpus must reach.

    One entry per allowed value for enumerations and booleans, one entry per model for lists,
    ``PRESENT`` for everything else. ``name`` is always present and is left out.
    """
    targets: list[tuple[str, str, Any]] = []
    scopes = [(GLOBAL_SCOPE, cat.GLOBALS)] + [(p, cat.PRODUCTS[p].params)
                                               for p in cat.ALL_PRODUCTS]
    for scope, table in scopes:
        for name, param in table.items():
            if name == "name" or _gap(param, include_gaps):
                continue
            if param.kind is Kind.BOOL:
                targets += [(scope, name, True), (scope, name, False)]
            elif param.kind is Kind.LIST:
                targets += [(scope, name, (choice,)) for choice in param.choices]
            elif param.choices:
                targets += [(scope, name, choice) for choice in param.choices]
            else:
                targets.append((scope, name, PRESENT))
    return targets
