"""Submissions judged by the server's rules, with its listErr groups."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.protocol.catalogue import GLOBALS, PRODUCTS
from reconciler.sim.validation import LABEL_INVALID, LABEL_MISSING, LABEL_OTHER, judge

from .support import USER, payload

W = {name: p.wire for name, p in GLOBALS.items()}
LC = {name: p.wire for name, p in PRODUCTS["LightCurve"].params.items()}


def groups(body: dict[str, Any]) -> dict[str, list[str]]:
    return {g["label"]: g["list"] for g in judge(body).groups}


def test_a_valid_request_passes() -> None:
    verdict = judge(payload())
    assert verdict.ok and set(verdict.request.products) == {"LightCurve"}


def test_the_documented_error_example() -> None:
    body = payload(globals_={"RA": 10.0, "Dec": 5.0, "targ": "00030842", "centroid": True,
                             "posErr": 1, "useSXPS": False})
    del body[W["Dec"]], body[W["centroid"]]
    body[W["posErr"]] = 0.01
    assert groups(body) == {
        LABEL_MISSING: ["Dec", "cent"],
        LABEL_INVALID: ["poserr is 0.01, but must be between 1 and 6"],
    }


def test_server_accepts_numbers_as_strings() -> None:
    body = payload(products={"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30,
                                            "dynamic": True}})
    body[LC["pcCounts"]] = "20"
    body[W["RA"]] = "52.7990"
    assert judge(body).ok


@pytest.mark.parametrize("key, value, expected", [
    (W["RA"], 400.0, "RA is 400.0, but must be between 0 and 360"),
    (W["Dec"], "north", "Dec is north, but must be a number"),
    (W["centMeth"], "fancy", "centMeth is fancy, but must be one of: simple, iterative"),
    (LC["binMeth"], "weekly", "binMeth is weekly, but must be one of: counts, time, snapshot, obsid"),
    (LC["whichData"], 0, "lcobs is 0, but must be one of: all, user"),
    (W["maxCentTries"], 2.5, "maxCentTries is 2.5, but must be a whole number"),
])
def test_invalid_values_are_listed_with_wire_names(key: str, value: Any, expected: str) -> None:
    body = payload()
    body[key] = value
    assert groups(body).get(LABEL_INVALID) == [expected]


COUNTS = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}


@pytest.mark.parametrize("key, value, expected", [
    # one-sided bounds (a count is at least 1): the wording must not need both ends
    (LC["pcCounts"], -5, "pccounts is -5, but must be at least 1"),
    (LC["pcCounts"], "lots", "pccounts is lots, but must be a whole number"),
    # a yes/no must be one (§4.1, §5.1): no silent "no" for a value that means something else
    (W["centroid"], 2, "cent is 2, but must be 0 or 1"),
    (W["useSXPS"], "2SXPS", "useSXPS is 2SXPS, but must be 0 or 1"),
])
def test_a_value_given_but_invalid_is_invalid_not_missing(key: str, value: Any,
                                                          expected: str) -> None:
    body = payload(globals_={"RA": 1.0, "Dec": 2.0, "targ": "1", "centroid": True,
                             "posErr": 1, "useSXPS": False},
                   products={"LightCurve": COUNTS})
    body[key] = value
    assert groups(body) == {LABEL_INVALID: [expected]}


@pytest.mark.parametrize("value", [0, 1, "0", "1", "yes", "no", True, 1.0])
def test_yes_no_in_any_server_spelling_is_accepted(value: Any) -> None:
    body = payload(products={"LightCurve": COUNTS})
    body[LC["dynamic"]] = value
    assert judge(body).ok


def test_parameters_of_products_not_requested_are_ignored() -> None:
    body = payload()
    body[PRODUCTS["Spectrum"].params["redshift"].wire] = "not a number"
    assert judge(body).ok


def test_server_rules_are_laxer_than_swifttools() -> None:
    # No useSXPS, and no centroid for an image-only job: the server fills or does not need them.
    body = payload(globals_={"RA": 1.0, "Dec": 2.0, "targ": "00030842"}, products={"Image": {}},
                   server_rules=True)
    assert judge(body).ok
    # ...but a light curve needs cent.
    body[PRODUCTS["LightCurve"].flag] = 1
    body[LC["binMeth"]] = "snapshot"
    assert groups(body) == {LABEL_MISSING: [W["centroid"]]}


def test_directives_stand_in_for_their_values() -> None:
    body = payload(globals_={"getCoords": True, "getTargs": True, "centroid": False,
                             "useSXPS": False})
    assert judge(body).ok
    # The server does not apply swifttools' rule against giving both: the directive just wins.
    body.update({W["RA"]: 1.0, W["Dec"]: 2.0, W["targ"]: "123"})
    assert judge(body).ok


def test_source_detection_only_needs_no_position() -> None:
    body = payload(globals_={"targ": "00030842"}, products={"SourceDet": {"whichData": "all"}})
    assert judge(body).ok


def test_missing_name_and_no_products() -> None:
    body = {"UserID": USER, W["RA"]: 1.0, W["Dec"]: 2.0, W["targ"]: "1"}
    found = groups(body)
    assert found[LABEL_MISSING] == ["name"]
    assert len(found[LABEL_OTHER]) == 1 and "No product was requested" in found[LABEL_OTHER][0]


def test_conditional_parameters() -> None:
    body = payload(products={"LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30,
                                            "dynamic": True}})
    del body[LC["wtCounts"]]
    body[LC["whichData"]] = "user"
    assert groups(body) == {LABEL_MISSING: [LC["wtCounts"], LC["useObs"]]}


def test_astrometry_forces_the_standard_position() -> None:
    body = payload(products={"AstromPos": {}})
    assert PRODUCTS["StandardPos"].flag not in body
    verdict = judge(body)
    assert verdict.ok
    assert set(verdict.request.products) == {"StandardPos", "AstromPos"}
    assert verdict.payload[PRODUCTS["StandardPos"].flag] == 1


def test_string_flags_count_as_set() -> None:
    body = payload()
    body[PRODUCTS["LightCurve"].flag] = "1"
    assert judge(body).ok and "LightCurve" in judge(body).request.products
