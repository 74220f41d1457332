"""jobPars as the real server writes them, and read back into the same request."""

from __future__ import annotations

from typing import Any

import pytest
import strategies
from hypothesis import HealthCheck, given, settings

from reconciler.protocol.catalogue import (
    ENVELOPE_KEYS,
    GLOBALS,
    PRODUCTS,
    SERVER_INTERNAL,
    Param,
)
from reconciler.protocol.catalogue import XASTROM as ASTROM
from reconciler.protocol.request import Request
from reconciler.protocol.values import canonical_equal, from_server, to_wire
from reconciler.protocol.wire import from_job_pars, to_payload
from reconciler.sim.directives import resolve
from reconciler.sim.jobpars import build_job_pars
from reconciler.sim.validation import judge

from .support import GK_PER_GLOBALS, USER, payload

G = {name: p.wire for name, p in GLOBALS.items()}
LC = {name: p.wire for name, p in PRODUCTS["LightCurve"].params.items()}
SP = {name: p.wire for name, p in PRODUCTS["Spectrum"].params.items()}

GRB_GLOBALS = {"getCoords": True, "getTargs": True, "getT0": True, "centroid": True,
               "posErr": 1, "useSXPS": False}
GRB_PRODUCTS = {"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30,
                               "dynamic": True},
                "Spectrum": {"hasRedshift": True, "redshift": 1.5, "galactic": False},
                "AstromPos": {"useAllObs": True}}


def job_pars_of(body: dict[str, Any], job_id: int = 14,
                defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    verdict = judge(body)
    assert verdict.ok, verdict.groups
    resolved, failure = resolve(verdict.request)
    assert failure is None
    return build_job_pars(verdict.payload, resolved, job_id, defaults)


def test_the_documented_shape() -> None:
    jp = job_pars_of(payload("GRB 200416A", GRB_GLOBALS, GRB_PRODUCTS))
    # Echo of the envelope, computed values, server strings.
    assert [jp[k] for k in ENVELOPE_KEYS] == ["xrt_prods", "1.12", USER]
    assert (jp[G["RA"]], jp[G["Dec"]], jp[G["targ"]], jp[G["T0"]]) == (
        "335.6985", "-7.5179", "00966554", 608713541.952)
    assert (jp[LC["pcCounts"]], jp[G["maxCentTries"]], jp[LC["softLo"]], jp[G["sss"]]) == (
        "20", "10", "0.3", "0")
    # Flags and yes/no values as integers, enumerations as names, defaults filled.
    assert [jp[PRODUCTS[p].flag] for p in PRODUCTS] == [1, 1, 1, 0, 1, 0, 0]
    assert (jp[LC["dynamic"]], jp[G["centroid"]], jp[G["getCoords"]]) == (1, 1, 1)
    assert (jp[LC["whichData"]], jp[SP["timeslice"]], jp[SP["whichData"]]) == (
        "all", "single", "hours")
    assert jp[LC["pcMaxGap"]] == 100000000 and isinstance(jp[LC["pcMaxGap"]], int)
    # Server-internal keys and the job directory.
    assert {k: jp[k] for k in SERVER_INTERNAL} == dict(SERVER_INTERNAL)
    assert jp["outdir"] == "USERPROD_14"
    # D5: the server's own spelling only (§4.2 shows `sinceT0`), as nothing sent `SinceT0`.
    assert jp["sinceT0"] == 0 and G["SinceT0"] not in jp


def test_since_t0_sent_is_echoed_beside_the_servers_spelling() -> None:
    """The echo rule, not a second spelling the server invents: swifttools reads `SinceT0`."""
    body = payload(globals_={**GK_PER_GLOBALS, "SinceT0": True, "T0": 124048802.4})
    assert body[G["SinceT0"]] == 1
    jp = job_pars_of(body)
    assert jp[G["SinceT0"]] == jp["sinceT0"] == 1


def test_every_key_sent_is_echoed_unknown_ones_as_sent() -> None:
    """§4.1: the server echoes everything sent, keys it does not know too."""
    body = {**payload(), "zzNote": {"why": ["kept", 1]}, "pcmaxGap": "5"}
    jp = job_pars_of(body)
    assert jp["zzNote"] == {"why": ["kept", 1]} and jp["pcmaxGap"] == "5"
    assert set(body) <= set(jp)


def test_server_keys_win_over_what_was_sent() -> None:
    body = {**payload(), "outdir": "elsewhere", "whatSXPS": "1SXPS"}
    jp = job_pars_of(body, job_id=3)
    assert jp["outdir"] == "USERPROD_3" and jp["whatSXPS"] == SERVER_INTERNAL["whatSXPS"]


def test_products_not_requested_come_with_flag_0_and_their_defaults() -> None:
    """§4.3: GK Per's spectrum-only reply has lc: 0 beside lcobs and hrbin, allxastrom 0..."""
    jp = job_pars_of(payload(products={"Spectrum": {"hasRedshift": False}}))
    for prod in ("LightCurve", "StandardPos", "EnhancedPos", "AstromPos", "Image", "SourceDet"):
        product = PRODUCTS[prod]
        assert jp[product.flag] == 0, prod
        for param in product.params.values():
            if param.has_default:
                assert from_server(param, jp[param.wire]) == from_server(
                    param, to_wire(param, param.default)), (prod, param.name)
            else:
                assert param.wire not in jp or param.wire in SP.values(), (prod, param.name)
    assert (jp[LC["whichData"]], jp[LC["matchHR"]], jp["allxastrom"]) == ("all", 1, 0)
    back = from_job_pars(jp)
    assert set(back.request.products) == {"Spectrum"} and back.unreadable == []


def test_a_shared_key_carries_the_requested_products_value() -> None:
    """The position products share their wire keys: a product not requested must not put its
    default over the value of one that is."""
    jp = job_pars_of(payload(products={"EnhancedPos": {"whichData": "all"}}))
    assert (jp["dopsf"], jp["doenh"], jp["posobs"]) == (0, 1, "all")


def test_parameters_sent_for_a_product_not_requested_are_echoed_as_sent() -> None:
    body = {**payload(products={"Image": {}}), LC["whichData"]: "user", LC["pcCounts"]: "lots"}
    jp = job_pars_of(body)
    assert (jp["lc"], jp[LC["whichData"]], jp[LC["pcCounts"]]) == (0, "user", "lots")


@pytest.mark.parametrize("name, globals_, expected", [
    # §4.3: getTargs found 25 target IDs for GK Per; the reply wraps them in braces.
    ("GK Per", {"getTargs": True, "RA": 52.799, "Dec": 43.9047},
     "{00010873,00010907,00010944,00030842,"),
    # §4.2: getTargs found one target ID for GRB 200416A; the reply has it bare.
    ("GRB 200416A", {"getTargs": True, "RA": 335.6985, "Dec": -7.5179}, "00966554"),
    # No reply shows braces added to a targ the client gave: echoed as given.
    ("GK Per", {"targ": "00030842,00031653", "RA": 52.799, "Dec": 43.9047}, "00030842,00031653"),
])
def test_targ_in_braces_where_the_real_server_writes_them(
        name: str, globals_: dict[str, Any], expected: str) -> None:
    body = payload(name, {**globals_, "centroid": False, "useSXPS": False})
    targ = job_pars_of(body)[G["targ"]]
    assert targ.startswith(expected) and targ.endswith("}") == expected.startswith("{")


def test_a_moved_default_is_filled_where_the_client_omits_the_parameter() -> None:
    counts = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}
    omitted = payload(products={"LightCurve": counts})
    given = payload(products={"LightCurve": {**counts, "minSNR": 3}})
    moved = {LC["minSNR"]: "1.5", G["sss"]: 1}
    assert job_pars_of(omitted)[LC["minSNR"]] == PRODUCTS["LightCurve"].params["minSNR"].default
    jp = job_pars_of(omitted, defaults=moved)
    assert (jp[LC["minSNR"]], jp[G["sss"]]) == (1.5, "1")
    assert job_pars_of(given, defaults=moved)[LC["minSNR"]] == 3
    # A product not requested shows the moved default too.
    assert job_pars_of(payload(products={"Image": {}}), defaults=moved)[LC["minSNR"]] == 1.5


def test_key_order_suits_swifttools_triggers() -> None:
    keys = list(job_pars_of(payload("GRB 200416A", GRB_GLOBALS, GRB_PRODUCTS)))
    assert keys.index(LC["grades"]) < keys.index(SP["grades"])
    assert keys.index(SP["hasRedshift"]) < keys.index(SP["redshift"]) < keys.index(SP["galactic"])


def test_astrometry_brings_the_standard_position() -> None:
    jp = job_pars_of(payload("GRB 200416A", GRB_GLOBALS, {"AstromPos": {}}))
    assert jp[PRODUCTS["StandardPos"].flag] == 1 and jp[PRODUCTS[ASTROM].flag] == 1


def test_directives_are_echoed_only_when_sent() -> None:
    body = payload()
    assert body[G["getTargs"]] == 0  # swifttools' trigger: giving targ turns getTargs off
    assert job_pars_of(body)[G["getTargs"]] == 0
    for d in ("getCoords", "getTargs", "getT0"):
        body.pop(G[d], None)
    jp = job_pars_of(body)
    assert not any(G[d] in jp for d in ("getCoords", "getTargs", "getT0"))


def _expected(request: Request) -> Request:
    products = {p: dict(v) for p, v in request.products.items()}
    if ASTROM in products and "StandardPos" not in products:
        shared = {k: v for k, v in products[ASTROM].items()
                  if PRODUCTS[ASTROM].params[k].shared}
        products["StandardPos"] = shared
    return Request(request.name, dict(request.globals), products)


def as_read(param: Param, value: Any) -> Any:
    """What the reader makes of a value sent as is (it normalises e.g. ``targ``)."""
    return from_server(param, to_wire(param, value))


@given(strategies.requests())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_job_pars_read_back_as_the_request_plus_defaults(request: Request) -> None:
    body = to_payload(request, USER)
    verdict = judge(body)
    assert verdict.ok, verdict.groups
    back = from_job_pars(build_job_pars(verdict.payload, verdict.request, 7)).request
    want = _expected(request)
    assert back.name == want.name
    for name, value in want.globals.items():
        if not GLOBALS[name].fills:
            assert canonical_equal(GLOBALS[name], back.globals[name],
                                   as_read(GLOBALS[name], value)), name
    for name, value in back.globals.items():
        if name not in want.globals:
            assert canonical_equal(GLOBALS[name], value, GLOBALS[name].default), name
    assert set(back.products) == set(want.products)
    sent_wire = {PRODUCTS[p].params[n].wire for p, ps in want.products.items() for n in ps}
    for prod, params in want.products.items():
        table = PRODUCTS[prod].params
        for name, value in params.items():
            assert canonical_equal(table[name], back.products[prod][name],
                                   as_read(table[name], value)), (prod, name)
        for name, value in back.products[prod].items():
            if name not in params and table[name].wire not in sent_wire:
                assert table[name].has_default, (prod, name)
                assert canonical_equal(table[name], value, table[name].default), (prod, name)
