"""Unit tests for reconciler/protocol/wire.py: the documented examples and odd server values.

The broad comparison with swifttools is in tests/conformance/; here the documented examples of
ukssdc-api.md are checked value by value, without swifttools.
"""

from __future__ import annotations

from typing import Any

import pytest
from documented_examples import (
    EXAMPLE_4_2,
    EXAMPLE_4_3,
    TUTORIAL_GLOBALS,
    TUTORIAL_NAME,
    TUTORIAL_PAYLOAD,
    TUTORIAL_PRODUCTS,
    TUTORIAL_USER,
)

from reconciler.protocol import catalogue as cat
from reconciler.protocol.request import build
from reconciler.protocol.values import ValueProblem, canonical_equal, from_user
from reconciler.protocol.wire import from_job_pars, to_payload

USER = "someone@example.org"


def _typed(value: Any) -> tuple[type, Any]:
    """Compare values with their types: 20 and 20.0 and True are three different answers."""
    return type(value), value


# --- to_payload -------------------------------------------------------------------------------

def test_tutorial_payload_is_the_documented_body() -> None:
    """§3.11: the PYDOC tutorial request, exactly as swifttools 4.0.5 sends it."""
    request, problems = build(TUTORIAL_NAME, TUTORIAL_GLOBALS, TUTORIAL_PRODUCTS)
    assert problems == []
    payload = to_payload(request, TUTORIAL_USER)
    assert {k: _typed(v) for k, v in payload.items()} == {
        k: _typed(v) for k, v in TUTORIAL_PAYLOAD.items()
    }


def test_payload_sends_each_value_in_wire_form() -> None:
    request, problems = build(
        "X", {"targ": "00012345", "RA": 1.0, "Dec": 2.0, "centroid": False, "useSXPS": True},
        {"Spectrum": {"hasRedshift": False, "models": ("powerlaw", "apec"),
                      "deltaFitStat": 4.0}},
    )
    assert problems == []
    payload = to_payload(request, USER)
    assert _typed(payload["useSXPS"]) == (int, 1)
    assert _typed(payload["cent"]) == (int, 0)
    assert payload["models"] == ["powerlaw", "apec"]  # a JSON array
    assert _typed(payload["dchi"]) == (float, 4.0)  # explicit value, not the default
    assert payload["spec"] == 1 and "lc" not in payload  # only requested products' flags


def test_payload_always_carries_the_spectrum_default_swifttools_presets() -> None:
    request, _ = build("X", {"targ": "1", "RA": 1.0, "Dec": 2.0, "centroid": False,
                             "useSXPS": False}, {"Spectrum": {"hasRedshift": False}})
    dchi = cat.PRODUCTS[cat.SPEC].params["deltaFitStat"]
    assert to_payload(request, USER)[dchi.wire] == dchi.default


# --- from_job_pars: the documented replies ----------------------------------------------------

def test_example_4_2_reads_as_documented_in_5_3() -> None:
    """§5.3's swifttools result, with the quirks (Q3, D3, D5) done right."""
    job = from_job_pars({**EXAMPLE_4_2, "lcobs": "all"})
    assert job.unreadable == []
    g = job.request.globals
    assert {k: _typed(v) for k, v in g.items()} == {
        "name": _typed("GRB 200416A"), "targ": _typed("00966554"),
        "T0": _typed(608713541.952), "RA": _typed(335.6985), "Dec": _typed(-7.5179),
        "centroid": _typed(True), "centMeth": _typed("simple"), "maxCentTries": _typed(10),
        "posErr": _typed(1), "sss": _typed(False), "useSXPS": _typed(False),
        "wtPupRate": _typed(150), "pcPupRate": _typed(0.6),
        "SinceT0": _typed(False),  # D5: read from the server's `sinceT0`
    }
    assert set(job.request.products) == set(cat.ALL_PRODUCTS) - {cat.IMAGE, cat.SOURCEDET}
    lc = job.request.products[cat.LC]
    assert _typed(lc["pcCounts"]) == (int, 20)
    assert _typed(lc["softLo"]) == (float, 0.3)
    assert _typed(lc["bayesCounts"]) == (int, 15)  # numbers stay numbers
    assert _typed(lc["dynamic"]) == (bool, True)
    assert _typed(lc["matchHR"]) == (bool, False)
    assert lc["pcMaxGap"] == lc["wtMaxGap"] == 1e8  # D3: swifttools drops these
    spec = job.request.products[cat.SPEC]
    assert spec == {"hasRedshift": False, "grades": "all", "timeslice": "single",
                    "whichData": "hours", "incHours": 12}
    for prod in cat.POSITION_PRODUCTS:
        pos = job.request.products[prod]
        assert pos["posRadius"] == 20 and pos["whichData"] == "hours"
        assert pos["centMeth"] == "simple" and pos["detOrCent"] == "detect"
    assert job.request.products[cat.XASTROM]["useAllObs"] is True
    assert "useAllObs" not in job.request.products[cat.PSF]


def test_example_4_2_as_documented_is_readable_with_one_complaint() -> None:
    """`lcobs: 0` (D2) breaks swifttools; here it is reported and kept as text."""
    job = from_job_pars(EXAMPLE_4_2)
    assert len(job.unreadable) == 1 and "lcobs=0" in job.unreadable[0]
    assert job.request.products[cat.LC]["whichData"] == "0"  # never equal to a valid value
    assert job.request.products[cat.LC]["binMeth"] == "counts"


def test_example_4_3_numeric_enumerations_are_reported_not_fatal() -> None:
    job = from_job_pars(EXAMPLE_4_3)
    assert sorted(u.split("=")[0] for u in job.unreadable) == ["centMeth", "specobs",
                                                              "timeslice"]
    g = job.request.globals
    assert g["targ"].startswith("00010873,") and g["targ"].endswith(",00074701")  # D28
    assert g["useSXPS"] is False  # "2SXPS"
    assert g["posErr"] == 60  # the server's values are not range-checked on the way back
    assert g["RA"] == 52.8 and g["T0"] == 124048802.40058
    assert not set(cat.DIRECTIVES) & set(g)  # what they produced is what counts
    assert set(job.request.products) == {cat.SPEC}  # lc: 0 and lc parameters ignored


# --- from_job_pars: odd values ----------------------------------------------------------------

def _job(**extra: Any) -> dict[str, Any]:
    return {"name": "X", "targ": "00012345", "lc": 1, "binMeth": "counts", **extra}


def test_unreadable_values_are_listed_and_the_rest_still_read() -> None:
    job = from_job_pars(_job(pccounts="lots", wtcounts="2.5", soft1="0.3", RA="north"))
    assert sorted(u.split("=")[0] for u in job.unreadable) == ["RA", "pccounts", "wtcounts"]
    assert job.request.products[cat.LC] == {"binMeth": "counts", "softLo": 0.3}
    assert "RA" not in job.request.globals


@pytest.mark.parametrize("raw,expected", [
    (1, True), (0, False), ("1", True), ("0", False), ("yes", True), ("no", False),
    (True, True), (False, False),
])
def test_yes_no_values_in_any_server_spelling(raw: Any, expected: bool) -> None:
    job = from_job_pars(_job(dynamic=raw, sss=raw))
    assert job.request.products[cat.LC]["dynamic"] is expected
    assert job.request.globals["sss"] is expected


@pytest.mark.parametrize("raw,expected", [("20", 20), ("20.0", 20), (20, 20), (20.0, 20)])
def test_whole_numbers_from_strings_or_floats(raw: Any, expected: int) -> None:
    assert _typed(from_job_pars(_job(pccounts=raw)).request.products[cat.LC]["pcCounts"]) == (
        int, expected)


@pytest.mark.parametrize("raw,expected", [
    ("{00012345,00012346}", "00012345,00012346"),
    ("00012345,00012346", "00012345,00012346"),
    (" 00012345", " 00012345"),  # only braces go: the value must still equal what was sent
])
def test_targ_braces_are_removed_and_nothing_else(raw: str, expected: str) -> None:
    assert from_job_pars(_job(targ=raw)).request.globals["targ"] == expected


def test_product_flags_must_say_yes() -> None:
    """Flags as the server writes them (1, true); "1" too, which swifttools ignores (§5.1)."""
    assert set(from_job_pars({"name": "X", "lc": 0, "spec": "0", "image": False}).request
               .products) == set()
    requested = from_job_pars({"name": "X", "lc": 1, "spec": True, "image": "1"}).request
    assert set(requested.products) == {cat.LC, cat.SPEC, cat.IMAGE}


def test_parameters_of_products_not_requested_are_ignored() -> None:
    job = from_job_pars({"name": "X", "lc": 0, "binMeth": "counts", "spec": 1, "specz": 0})
    assert set(job.request.products) == {cat.SPEC}
    assert job.unreadable == []


def test_models_as_array_or_comma_text() -> None:
    for raw in (["PowerLaw", "apec"], "powerlaw, apec"):
        spec = from_job_pars({"name": "X", "spec": 1, "models": raw}).request.products[cat.SPEC]
        assert spec["models"] == ("powerlaw", "apec")


def test_null_values_count_as_absent() -> None:
    job = from_job_pars(_job(pccounts=None, Tstart=None))
    assert "pcCounts" not in job.request.products[cat.LC] and "T0" not in job.request.globals
    assert job.unreadable == []


def test_since_t0_in_either_spelling() -> None:
    """D5: swifttools sends SinceT0, the server's jobPars say sinceT0."""
    assert from_job_pars(_job(sinceT0=1)).request.globals["SinceT0"] is True
    assert from_job_pars(_job(SinceT0="1")).request.globals["SinceT0"] is True


def test_shared_wire_key_reaches_both_products() -> None:
    """srcrad is one wire key for the light curve and the spectrum (§3.9)."""
    job = from_job_pars(_job(spec=1, srcrad="25"))
    assert job.request.products[cat.LC]["srcrad"] == job.request.products[cat.SPEC]["srcrad"] == 25


# --- server numbers that are not ordinary numbers ------------------------------------------------
# (values.from_server, reached the way plans reach it; these would belong in test_values.py)

@pytest.mark.parametrize("raw", ["NaN", "nan", "inf", "-Infinity", "1e400",
                                 pytest.param(10**400, id="10**400"), float("nan"),
                                 float("inf"), "0x10", "1_000", "١٢", ""])
def test_non_finite_or_odd_numbers_are_unreadable_not_kept_or_fatal(raw: Any) -> None:
    """A NaN would never equal itself (a diff on every plan); 10**400 does not fit a float."""
    job = from_job_pars(_job(pccounts=raw, Tstart=raw, RA=raw, bayesSNR=raw))
    assert sorted(u.split("=")[0] for u in job.unreadable) == ["RA", "Tstart", "bayesSNR",
                                                              "pccounts"]
    assert {"T0", "RA"}.isdisjoint(job.request.globals)
    assert job.request.products[cat.LC] == {"binMeth": "counts"}


def test_whole_numbers_are_read_exactly_not_through_a_float() -> None:
    big = 12345678901234567891  # float(big) == 12345678901234567168
    for raw in (str(big), big):
        assert from_job_pars(_job(pccounts=raw)).request.products[cat.LC]["pcCounts"] == big


def test_a_number_too_large_for_the_server_is_a_user_error_not_a_crash() -> None:
    for param in (cat.GLOBALS["T0"], cat.GLOBALS["RA"], cat.PRODUCTS[cat.LC].params["pcCounts"]):
        with pytest.raises(ValueProblem, match="too large"):
            from_user(param, 10**400)


def test_small_real_changes_are_not_mistaken_for_float_noise() -> None:
    """A T0 half a second later, or one count more, is a change (zero missed changes)."""
    read = from_job_pars(_job(Tstart="608713541.952", pccounts="1000000000")).request
    t0, counts = cat.GLOBALS["T0"], cat.PRODUCTS[cat.LC].params["pcCounts"]
    assert canonical_equal(t0, read.globals["T0"], 608713541.952)
    assert not canonical_equal(t0, read.globals["T0"], 608713542.452)
    assert canonical_equal(counts, read.products[cat.LC]["pcCounts"], 1000000000)
    assert not canonical_equal(counts, read.products[cat.LC]["pcCounts"], 1000000001)


def test_a_null_name_is_no_name_not_the_text_none() -> None:
    assert from_job_pars({"name": None, "lc": 1, "binMeth": "counts"}).request.name == ""
