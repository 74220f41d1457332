"""jobPars as the real server writes them, and read back into the same request."""

from __future__ import annotations

from typing import Any

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

from .support import USER, payload

G = {name: p.wire for name, p in GLOBALS.items()}
LC = {name: p.wire for name, p in PRODUCTS["LightCurve"].params.items()}
SP = {name: p.wire for name, p in PRODUCTS["Spectrum"].params.items()}

GRB_GLOBALS = {"getCoords": True, "getTargs": True, "getT0": True, "centroid": True,
               "posErr": 1, "useSXPS": False}
GRB_PRODUCTS = {"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30,
                               "dynamic": True},
                "Spectrum": {"hasRedshift": True, "redshift": 1.5, "galactic": False},
                "AstromPos": {"useAllObs": True}}


def job_pars_of(body: dict[str, Any], job_id: int = 14) -> dict[str, Any]:
    verdict = judge(body)
    assert verdict.ok, verdict.groups
    resolved, failure = resolve(verdict.request)
    assert failure is None
    return build_job_pars(verdict.payload, resolved, job_id)


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
    # D5: both spellings of SinceT0.
    assert jp[G["SinceT0"]] == 0 and all(jp[a] == 0 for a in GLOBALS["SinceT0"].wire_aliases)


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
