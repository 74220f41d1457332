"""The parameter catalogue: internal integrity, and agreement with swifttools' own tables.

The oracle half reads swifttools 4.0.5's tables (``productVars`` and the class tables of
``XRTProductRequest``) and requires every swifttools parameter to be in the catalogue with the
same wire name, a compatible kind and the same allowed values - except the divergences listed
below, each with the ukssdc-api.md entry that documents it.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import pytest
from documented_examples import EXAMPLE_4_2
from swifttools.ukssdc.xrt_prods import XRTProductRequest, prod_common, productVars
from swifttools.ukssdc.xrt_prods import version as swift_version

from reconciler.protocol import catalogue as cat
from reconciler.protocol.catalogue import ANY, Kind, Param
from reconciler.protocol.values import ValueProblem, from_server, from_user, server_echo

Scope = tuple[str, Mapping[str, Param]]


def _scopes() -> list[Scope]:
    return [(cat.GLOBAL_SCOPE, cat.GLOBALS)] + [(p, cat.PRODUCTS[p].params) for p in cat.ALL_PRODUCTS]


def _all_params() -> Iterator[tuple[str, Param, Mapping[str, Param]]]:
    for scope, table in _scopes():
        for param in table.values():
            yield scope, param, table


ALL = [(scope, param) for scope, param, _ in _all_params()]
ALL_IDS = [f"{scope}.{param.name}" for scope, param in ALL]


def _valid(param: Param, value: Any) -> bool:
    """Whether ``value`` is a canonical value of ``param``."""
    try:
        raw = list(value) if isinstance(value, tuple) else value
        return from_user(param, raw) == value
    except ValueProblem:
        return False


# --- integrity ---------------------------------------------------------------------------------

@pytest.mark.parametrize("scope,param", ALL, ids=ALL_IDS)
def test_default_is_a_valid_value(scope: str, param: Param) -> None:
    if param.has_default:
        assert _valid(param, param.default), param.default
    if param.send_default:
        assert param.has_default
    if param.mandatory:  # a default would make it optional
        assert not param.has_default


@pytest.mark.parametrize("scope,param", ALL, ids=ALL_IDS)
def test_kind_specific_fields_fit_the_kind(scope: str, param: Param) -> None:
    if param.choices:
        assert param.kind in (Kind.STR, Kind.LIST)
        assert len(set(param.choices)) == len(param.choices)
    if param.kind is Kind.LIST:
        assert param.choices  # models: checked against the names
    lo, hi = param.bounds
    if lo is not None or hi is not None:
        assert param.kind in (Kind.INT, Kind.FLOAT, Kind.NUMBER)
        assert lo is None or hi is None or lo <= hi
    if param.decimals is not None:
        assert param.kind in (Kind.FLOAT, Kind.NUMBER)
    if param.server_string:
        assert param.kind in (Kind.INT, Kind.FLOAT, Kind.NUMBER, Kind.BOOL)


@pytest.mark.parametrize("scope,param", ALL, ids=ALL_IDS)
def test_rules_name_existing_parameters_and_valid_values(scope: str, param: Param) -> None:
    table = cat.params_of(scope)
    for key, needed in param.needs.items():
        assert key == ANY or _valid(param, key), key
        assert needed and set(needed) <= set(table), needed
    for rules in (param.sets, param.suggests):
        for key, implied in rules.items():
            assert key == ANY or _valid(param, key), key
            for target, value in implied.items():
                assert target in table and target != param.name, target
                assert value is None or _valid(table[target], value), (target, value)
    for other, values in param.only_when.items():
        assert other in table and other != param.name, other
        assert values and all(_valid(table[other], v) for v in values), values
    assert set(param.affects) <= set(cat.ALL_PRODUCTS)
    for filled in param.fills:
        assert scope == cat.GLOBAL_SCOPE and filled in cat.GLOBALS and param.kind is Kind.BOOL


def test_global_rule_tables_name_existing_parameters() -> None:
    assert set(cat.DIRECTIVES) == {n for n, p in cat.GLOBALS.items() if p.fills}
    for name, directive in cat.REQUIRED_GLOBALS.items():
        assert name in cat.GLOBALS
        assert directive is None or name in cat.GLOBALS[directive].fills
    assert set(cat.NOT_NEEDED_FOR_SOURCEDET_ONLY) <= set(cat.REQUIRED_GLOBALS)
    for product in cat.PRODUCTS.values():
        assert set(product.needs_globals) <= set(cat.GLOBALS)
    assert cat.GLOBALS["name"].mandatory


def test_ordered_pairs_name_numbers_of_their_product_and_the_defaults_keep_them() -> None:
    for product in cat.PRODUCTS.values():
        for order in product.ordered:
            low, high = product.params[order.low], product.params[order.high]
            assert {low.kind, high.kind} <= {Kind.INT, Kind.FLOAT, Kind.NUMBER}
            if low.has_default and high.has_default:
                assert low.default < high.default if order.strict else \
                    low.default <= high.default, order
    orders = {(o.low, o.high, o.strict) for o in cat.PRODUCTS[cat.LC].ordered}
    # the three bands, and the soft and hard bands inside minEnergy..maxEnergy (§3.4)
    assert {("minEnergy", "maxEnergy", True), ("softLo", "softHi", True),
            ("hardLo", "hardHi", True), ("minEnergy", "softLo", False),
            ("softHi", "maxEnergy", False)} <= orders


@pytest.mark.parametrize("name", ["pcCounts", "wtCounts", "pcBinTime", "wtBinTime", "srcrad",
                                  "pcHRBinTime", "minCounts", "pcMaxGap", "binFact"])
def test_counts_times_and_radii_cannot_be_negative(name: str) -> None:
    param = cat.PRODUCTS[cat.LC].params[name]
    assert not _valid(param, -1) and _valid(param, 1)


def test_python_names_are_unique_per_scope() -> None:
    for scope, table in _scopes():
        names = cat.python_names(scope)
        assert len(names) == len(set(names)), scope
        for name, param in table.items():
            assert param.name == name
            assert cat.lookup(scope, name) is param
            for alias in param.aliases:
                assert cat.lookup(scope, alias) is param


#: Wire keys knowingly carried by parameters of two products (ukssdc-api.md §3.9).
SHARED_WIRE_KEYS = {"srcrad": (cat.LC, cat.SPEC)}


def test_wire_names_are_unique_within_a_request() -> None:
    """One wire key, one meaning: only the shared position parameters (one object for the three
    products) and the documented srcrad share a key."""
    owners: dict[str, dict[int, tuple[str, Param]]] = {}
    for scope, param, _ in _all_params():
        for wire in param.wire_keys:
            owners.setdefault(wire, {})[id(param)] = (scope, param)
    for wire, params in owners.items():
        if len(params) == 1:
            continue
        scopes = tuple(sorted(s for s, _ in params.values()))
        assert wire in SHARED_WIRE_KEYS and scopes == tuple(sorted(SHARED_WIRE_KEYS[wire])), wire
        kinds = {(p.kind, p.bounds, p.choices) for _, p in params.values()}
        assert len(kinds) == 1, wire  # one value must suit both
    for position in cat.POSITION_PRODUCTS:
        shared = {n: p for n, p in cat.PRODUCTS[position].params.items() if p.shared}
        first = {n: p for n, p in cat.PRODUCTS[cat.PSF].params.items() if p.shared}
        assert shared.keys() == first.keys()
        assert all(shared[n] is first[n] for n in shared)
    assert not any(p.shared for p in cat.GLOBALS.values())
    other_keys = (set(cat.PRODUCT_BY_FLAG) | set(cat.ENVELOPE_KEYS)
                  | set(cat.SERVER_INTERNAL) | {"outdir"})
    assert not other_keys & set(owners)
    assert len(cat.PRODUCT_BY_FLAG) == len(cat.PRODUCTS)


def test_product_keys_and_lookups() -> None:
    assert tuple(cat.PRODUCTS) == cat.ALL_PRODUCTS
    keys = [p.key for p in cat.PRODUCTS.values()]
    assert len(set(keys)) == len(keys)
    for product in cat.PRODUCTS.values():
        assert cat.product_by_key(product.key) is product
        assert cat.product_by_key(product.name) is product
        assert cat.PRODUCT_BY_FLAG[product.flag] is product
    assert set(cat.POSITION_PRODUCTS) <= set(cat.ALL_PRODUCTS)


def test_wire_to_python_names_the_owning_products() -> None:
    names = cat.wire_to_python()
    assert names["cent"] == "centroid"
    assert names["pccounts"] == "LightCurve: pcCounts"
    assert names["specgrades"] == "Spectrum: grades"
    # one wire key for several products: all of them are named, so nothing is ambiguous
    assert names["posobs"] == "StandardPos/EnhancedPos/AstromPos: whichData"
    assert names["detMeth"] == "StandardPos/EnhancedPos/AstromPos: centMeth"
    assert names["srcrad"] == "LightCurve/Spectrum: srcrad"
    assert names["allxastrom"] == "AstromPos: useAllObs"


def test_status_codes_partition() -> None:
    assert not cat.TERMINAL_STATUSES & cat.ACTIVE_STATUSES
    assert cat.TERMINAL_STATUSES | cat.ACTIVE_STATUSES == set(cat.STATUS_TEXT)
    assert set(cat.CANCEL_TEXT) == {0, 1, 2, 3, 4}


#: D2: an old numeric code where the catalogue (and swifttools) expect a name.
NUMERIC_ENUMERATIONS = {"lcobs"}


def _params_by_wire() -> dict[str, Param]:
    found: dict[str, Param] = dict(cat.GLOBAL_BY_WIRE)
    for prod in cat.ALL_PRODUCTS:
        for wire, param in cat.product_param_by_wire(prod).items():
            found.setdefault(wire, param)
    return found


def test_server_echo_reproduces_the_documented_job_pars() -> None:
    """``server_string``/``decimals``: the §4.2 reply, value by value and type by type, is
    what ``server_echo`` makes of the values it stands for."""
    by_wire = _params_by_wire()
    checked = 0
    for key, value in EXAMPLE_4_2.items():
        if key not in by_wire or key in NUMERIC_ENUMERATIONS:
            continue
        param = by_wire[key]
        echoed = server_echo(param, from_server(param, value))
        assert (type(echoed), echoed) == (type(value), value), key
        checked += 1
    assert checked == len(set(EXAMPLE_4_2) & set(by_wire)) - len(NUMERIC_ENUMERATIONS)


# --- the catalogue against swifttools' tables --------------------------------------------------


ST = XRTProductRequest
#: catalogue kind -> the swifttools type tuple it corresponds to
KIND_TYPES = {
    Kind.BOOL: (bool,), Kind.INT: (int,), Kind.FLOAT: (float,), Kind.NUMBER: (float, int),
    Kind.STR: (str,), Kind.LIST: (list, tuple),
}

# Accepted divergences, each documented in ukssdc-api.md.
#: D18: matchHR is a yes/no value (docs, jobPars 0/1); swifttools types it as a number.
KIND_DIVERGENCES = {(cat.LC, "matchHR"): (Kind.BOOL, (float, int))}
#: D3/Q5: swifttools' type table spells them pcmaxGap/wtmaxGap and sends them unmapped; the
#: documented names pcMaxGap/wtMaxGap (wire pcmaxgap/wtmaxgap, swifttools' own name map) are
#: the catalogue's, marked swifttools_gap.
NAME_DIVERGENCES = {(cat.LC, "pcmaxGap"): "pcMaxGap", (cat.LC, "wtmaxGap"): "wtMaxGap"}
#: §3.4: an alias in swifttools' name map that no user can set.
UNSETTABLE_ALIASES = {(cat.LC, "bintime")}
#: §3.5: PYDOC lists the models (powerlaw, apec, blackbody); swifttools does not check them.
CHOICE_DIVERGENCES = {(cat.SPEC, "models")}
#: §3.5: swifttools marks deltaFitStat mandatory and pre-sets it; the catalogue sends its
#: default instead (send_default), which is the same wire result.
MANDATORY_DIVERGENCES = {(cat.SPEC, "deltaFitStat")}
#: D11/Q6: swifttools' time-binning rule is keyed on the value "too" and never fires.
DEAD_RULES = {(cat.LC, "binMeth", "too")}
#: §3.11: removing redshift turns hasRedshift off; a declarative spec never removes, so the
#: catalogue has no rule for it.
REMOVAL_TRIGGERS = {(cat.SPEC, "redshift", "NONE")}


def _long(short: str) -> str:
    return prod_common.shortToLong[short]


def _kind_matches(where: tuple[str, str], param: Param, types: tuple[type, ...]) -> bool:
    if where in KIND_DIVERGENCES:
        assert KIND_DIVERGENCES[where] == (param.kind, types), "divergence changed"
        return True
    return KIND_TYPES[param.kind] == tuple(types)


def _shared_by_wire() -> dict[str, Param]:
    return {p.wire: p for p in cat.PRODUCTS[cat.PSF].params.values() if p.shared}


@pytest.mark.conformance
def test_constants_match_swifttools() -> None:
    assert cat.API_VERSION == swift_version._apiVersion == ST._apiVer
    assert cat.API_NAME == ST._apiName
    assert set(cat.DOWNLOAD_FORMATS) == set(prod_common.downloadFormats)
    assert cat.DEFAULT_SERVER == XRTProductRequest("x")._baseURL


@pytest.mark.conformance
def test_products_match_swifttools() -> None:
    assert tuple(_long(s) for s in prod_common.classReqPar) == cat.ALL_PRODUCTS
    for short, flag in prod_common.classReqPar.items():
        product = cat.PRODUCTS[_long(short)]
        assert (product.key, product.flag) == (short, flag)
        assert product.label == prod_common.longProdName[short]
        assert productVars.prodDownloadStem[short] == product.key
        assert product.needs_globals == productVars.prodNeedGlobals[short]
        shared = {n for n, p in product.params.items() if p.shared}
        assert shared == set(productVars.prodUseGlobals[short])


@pytest.mark.conformance
def test_every_swifttools_global_is_in_the_catalogue() -> None:
    shared = _shared_by_wire()
    for name, types in ST._globalTypes.items():
        if name in ST._sharedGlobals:  # stored under their wire names (§3.6)
            param = shared[name]
        else:
            param = cat.GLOBALS[name]
            assert param.wire == ST._globalPythonParsToJSONPars.get(name, name)
        assert _kind_matches((cat.GLOBAL_SCOPE, name), param, types), name
        assert set(param.choices) == set(ST._globalSpecificParValues.get(name, ())), name
    assert set(ST._sharedGlobals) == set(shared)
    assert set(cat.GLOBALS) == set(ST._globalTypes) - set(ST._sharedGlobals)


@pytest.mark.conformance
def test_every_swifttools_product_parameter_is_in_the_catalogue() -> None:
    for short, types_table in productVars.prodParTypes.items():
        prod = _long(short)
        renames = productVars.prodPythonParsToJSONPars[short]
        deprecated = productVars.deprecatedPars[short]
        for name, types in types_table.items():
            where = (prod, name)
            if where in NAME_DIVERGENCES:
                param = cat.PRODUCTS[prod].params[NAME_DIVERGENCES[where]]
                assert param.swifttools_gap and name not in renames
                assert param.wire == renames[param.name]
                continue
            param = cat.lookup(prod, deprecated.get(name, name))
            assert param is not None, where
            if name in deprecated:
                assert name in param.aliases
            assert param.wire == renames.get(name, name), where
            assert _kind_matches(where, param, types), where
            choices = set(productVars.prodSpecificParValues[short].get(name, ()))
            if where in CHOICE_DIVERGENCES:
                assert not choices and param.choices
            else:
                assert set(param.choices) == choices, where
        for name, wire in renames.items():
            if (prod, name) in UNSETTABLE_ALIASES:
                assert cat.lookup(prod, name) is None
                continue
            assert cat.lookup(prod, name) is not None and cat.lookup(prod, name).wire == wire


@pytest.mark.conformance
def test_every_catalogue_product_parameter_is_in_swifttools() -> None:
    for prod in cat.ALL_PRODUCTS:
        short = cat.PRODUCTS[prod].key
        known = set(productVars.prodParTypes[short]) | set(productVars.prodUseGlobals[short])
        for name, param in cat.PRODUCTS[prod].params.items():
            assert name in known or param.swifttools_gap, (prod, name)


def _swift_rules(table: Mapping[Any, Mapping[Any, Any]], scope: str,
                 skip: set[tuple[str, str, str]]) -> set[tuple[Any, ...]]:
    rules = set()
    for source, by_value in table.items():
        for key, targets in by_value.items():
            if (scope, source, key) in skip:
                continue
            key = ANY if key == "ANY" else {"True": True}.get(key, key)
            if isinstance(targets, Mapping):
                rules |= {(source, key, t, v) for t, v in targets.items()}
            else:
                rules |= {(source, key, t) for t in targets}
    return rules


def _catalogue_rules(params: Mapping[str, Param], kind: str) -> set[tuple[Any, ...]]:
    rules = set()
    for name, param in params.items():
        if kind == "needs":
            rules |= {(name, k, t) for k, ts in param.needs.items() for t in ts}
        else:
            for table in (param.sets, param.suggests):
                rules |= {(name, k, t, v) for k, imp in table.items() for t, v in imp.items()}
    return rules


def _position_rules_by_wire(rules: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    """Position rules in swifttools' global form: wire names instead of Python names."""
    params = cat.PRODUCTS[cat.PSF].params
    return {(params[r[0]].wire, r[1], params[r[2]].wire, *r[3:]) for r in rules}


@pytest.mark.conformance
def test_triggers_match_swifttools() -> None:
    """swifttools' triggers are the catalogue's ``sets`` and ``suggests`` together."""
    for short, triggers in productVars.prodParTriggers.items():
        prod = _long(short)
        ours = _catalogue_rules(cat.PRODUCTS[prod].params, "sets")
        if prod in cat.POSITION_PRODUCTS:  # applied through the shared globals
            assert _swift_rules(triggers, prod, set()) == ours
            continue
        assert _swift_rules(triggers, prod, REMOVAL_TRIGGERS) == ours, prod
    shared = {n: p for n, p in cat.PRODUCTS[cat.PSF].params.items() if p.shared}
    swift_globals = _swift_rules(productVars.globalParTriggers, cat.GLOBAL_SCOPE, set())
    assert swift_globals == (_catalogue_rules(cat.GLOBALS, "sets")
                             | _position_rules_by_wire(_catalogue_rules(shared, "sets")))


@pytest.mark.conformance
def test_dependencies_match_swifttools() -> None:
    for short, deps in productVars.prodParDeps.items():
        prod = _long(short)
        ours = _catalogue_rules(cat.PRODUCTS[prod].params, "needs")
        skip = {(prod, name, "too") for p, name, v in DEAD_RULES if p == prod}
        if prod in cat.POSITION_PRODUCTS:  # checked as globals below
            assert deps == {}
            continue
        # the catalogue adds the server's rule for user time slices (§3.10, RAW server doc)
        extra = {r for r in ours if r[:2] == ("timeslice", "user")}
        assert _swift_rules(deps, prod, skip) == ours - extra, prod
    shared = {n: p for n, p in cat.PRODUCTS[cat.PSF].params.items() if p.shared}
    assert _swift_rules(ST._globalDeps, cat.GLOBAL_SCOPE, set()) == (
        _catalogue_rules(cat.GLOBALS, "needs")
        | _position_rules_by_wire(_catalogue_rules(shared, "needs"))
    )


@pytest.mark.conformance
def test_mandatory_parameters_and_client_defaults_match_swifttools() -> None:
    for short, needed in productVars.prodNeedPars.items():
        prod = _long(short)
        params = cat.PRODUCTS[prod].params
        ours = {n for n, p in params.items() if p.mandatory}
        divergent = {n for p, n in MANDATORY_DIVERGENCES if p == prod}
        assert set(needed) - divergent == ours, prod
        for name in divergent:
            assert params[name].send_default
        defaults = productVars.prodDefaults[short]
        assert defaults == {n: p.default for n, p in params.items() if p.send_default}


@pytest.mark.conformance
def test_required_globals_match_swifttools() -> None:
    assert set(cat.REQUIRED_GLOBALS) == set(ST._neededGlobals)
    assert {k: v for k, v in cat.REQUIRED_GLOBALS.items() if v} == ST._altGlobals
    assert set(cat.NOT_NEEDED_FOR_SOURCEDET_ONLY) == set(productVars.skipGlobals["sourceDet"])
    assert set(productVars.skipGlobals) == {cat.PRODUCTS[cat.SOURCEDET].key}
    assert set(cat.DIRECTIVES) == set(ST._makeWorkPars)
