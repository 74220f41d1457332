"""The desired side: which parameters matter, their effective values, the fingerprint, pins."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan.desired import (
    Origin,
    active,
    effective,
    observed_key,
    pinned_request,
    relevant,
    wanted,
)
from reconciler.plan.fingerprint import FINGERPRINT_SCHEME
from reconciler.plan.model import ABSENT, WILDCARD
from reconciler.protocol.catalogue import DIRECTIVES, GLOBAL_SCOPE, GLOBALS
from reconciler.protocol.request import Request
from reconciler.spec import load as load_spec

from .support import load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SPEC = """\
A:
  RA: 1.5
  Dec: 2.5
  targ: "00000001"
  LightCurve: {binMeth: snapshot, pcCounts: 20}
  StandardPos: {}
"""


def test_relevant_parameters_are_the_affecting_globals_and_the_product_s_own() -> None:
    names = {key for key, _ in relevant("StandardPos")}
    assert (GLOBAL_SCOPE, "RA") in names and (GLOBAL_SCOPE, "useSXPS") in names
    assert (GLOBAL_SCOPE, "centroid") not in names  # affects LightCurve and Spectrum only
    assert (GLOBAL_SCOPE, "notify") not in names  # affects no product
    assert ("StandardPos", "posRadius") in names


def test_effective_values_say_where_they_come_from(tmp_path: Path) -> None:
    source = load(tmp_path, SPEC.replace('RA: 1.5\n  Dec: 2.5\n', "getCoords: true\n"))["A"]
    want = wanted(source.request, "LightCurve")
    values = effective(want, {}, {"LightCurve.minSNR": 1.5})
    assert values[("LightCurve", "binMeth")] == ("snapshot", Origin.SPEC)
    assert values[(GLOBAL_SCOPE, "RA")] == (WILDCARD, Origin.WILDCARD)
    assert values[("LightCurve", "minSNR")] == (1.5, Origin.OBSERVED)
    assert values[("LightCurve", "minEnergy")] == (0.3, Origin.DEFAULT)
    assert values[("LightCurve", "srcrad")] == (ABSENT, Origin.ABSENT)
    pinned = effective(want, {"RA": 3.0, "Dec": 4.0}, {})
    assert pinned[(GLOBAL_SCOPE, "RA")] == (3.0, Origin.PIN)


def test_only_parameters_active_under_the_others_are_compared(tmp_path: Path) -> None:
    source = load(tmp_path, SPEC)["A"]
    want = wanted(source.request, "LightCurve")
    keys = active("LightCurve", effective(want, {}, {}))
    assert ("LightCurve", "pcCounts") not in keys  # binMeth: snapshot
    assert (GLOBAL_SCOPE, "centMeth") in keys  # centroid: true in the defaults


def test_the_fingerprint_follows_the_spec_s_values_only(tmp_path: Path) -> None:
    base = wanted(load(tmp_path, SPEC)["A"].request, "LightCurve").fingerprint
    same = load(tmp_path, SPEC.replace("RA: 1.5", "RA: 1.50"))["A"]
    assert wanted(same.request, "LightCurve").fingerprint == base
    moved = load(tmp_path, SPEC.replace("pcCounts: 20", "pcCounts: 21"))["A"]
    assert wanted(moved.request, "LightCurve").fingerprint != base
    # a value of another product does not touch this one's fingerprint
    other = load(tmp_path, SPEC.replace("StandardPos: {}", "StandardPos: {posRadius: 5}"))["A"]
    assert wanted(other.request, "LightCurve").fingerprint == base
    assert wanted(other.request, "StandardPos").fingerprint != \
        wanted(load(tmp_path, SPEC)["A"].request, "StandardPos").fingerprint


def test_observed_defaults_are_one_per_wire_key() -> None:
    assert observed_key(("StandardPos", "whichData")) == "positions.whichData"
    assert observed_key(("AstromPos", "whichData")) == "positions.whichData"
    assert observed_key(("LightCurve", "whichData")) == "LightCurve.whichData"
    assert observed_key((GLOBAL_SCOPE, "centMeth")) == "centMeth"


def test_pinned_request_turns_directives_off_and_writes_the_pins(tmp_path: Path) -> None:
    source = load(tmp_path, "A: {getCoords: true, getTargs: true, getT0: true, "
                            "LightCurve: {binMeth: snapshot}, StandardPos: {}}\n")["A"]
    pins = {"RA": 3.0, "Dec": 4.0, "targ": "0001", "T0": 5.0}
    pinned = pinned_request(source.request, pins, ["LightCurve"])
    assert list(pinned.products) == ["LightCurve"]
    assert pinned.globals["getCoords"] is False and pinned.globals["RA"] == 3.0
    assert pinned.globals["getT0"] is False and pinned.globals["T0"] == 5.0
    again = pinned_request(source.request, pins, ["LightCurve"], frozenset({"getTargs"}))
    assert again.globals["getTargs"] is True and "targ" not in again.globals
    unpinned = pinned_request(source.request, {"RA": 3.0}, ["LightCurve"])
    assert unpinned.globals["getCoords"] is True  # Dec is not pinned: the server resolves both


def _scheme_1(request: Request, product: str) -> str:
    """The fingerprint as scheme 1 defines it, spelled out the first way it was written:
    locks in people's repositories hold these, so a faster ``wanted`` must give the same."""
    explicit = {}
    for key, _ in relevant(product):
        table = request.globals if key[0] == GLOBAL_SCOPE else request.products[product]
        if key[1] in table:
            explicit[key] = table[key[1]]

    def norm(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return [norm(v) for v in value] if isinstance(value, tuple) else value

    directives = sorted(d for d in DIRECTIVES if request.globals.get(d) is True
                        and set(GLOBALS[d].fills) & {k[1] for k, _ in relevant(product)
                                                      if k[0] == GLOBAL_SCOPE})
    body = json.dumps([FINGERPRINT_SCHEME, product,
                       sorted([list(k), norm(v)] for k, v in explicit.items()), directives],
                      separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()[:16]


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_fingerprints_and_effective_values_are_those_of_scheme_1(example: Path) -> None:
    spec = load_spec(example)
    observed = {"LightCurve.minSNR": 1.5, "positions.whichData": "all", "centMeth": "simple"}
    pins = {"RA": 3.0, "Dec": 4.0, "targ": "00000001", "T0": 5.0}
    checked = 0
    for source in spec.sources.values():
        for product in source.request.products:
            want = wanted(source.request, product)
            assert want.fingerprint == _scheme_1(source.request, product), (source, product)
            values = effective(want, pins, observed)
            for key, param in relevant(product):  # every relevant key, from its one origin
                value, origin = values[key]
                if origin is Origin.SPEC:
                    table = source.request.globals if key[0] == GLOBAL_SCOPE \
                        else source.request.products[product]
                    assert value == table[key[1]]
                elif origin is Origin.OBSERVED:
                    assert value == observed[observed_key(key)]
                elif origin is Origin.DEFAULT:
                    assert value == param.default and observed_key(key) not in observed
            checked += 1
    assert checked
