"""Unit tests for reconciler/protocol/wire.py: the documented examples and odd server values.

The broad comparison with swifttools is in tests/conformance/; here the documented examples of
ukssdc-api.md are checked value by value, without swifttools.
"""

from __future__ import annotations

import json
from typing import Any, Callable

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
from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.protocol import catalogue as cat
from reconciler.protocol.request import Request, build
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


def test_example_4_2_as_documented_reads_lcobs_0_as_all() -> None:
    """`lcobs: 0` (D2) breaks swifttools; its meaning is known (wire._ENUM_CODES)."""
    job = from_job_pars(EXAMPLE_4_2)
    assert job.unreadable == []
    assert job.request.products[cat.LC]["whichData"] == "all"
    assert job.request.products[cat.LC]["binMeth"] == "counts"


def test_example_4_3_numeric_enumerations_are_reported_not_fatal() -> None:
    job = from_job_pars(EXAMPLE_4_3)
    assert sorted(u.split("=")[0] for u in job.unreadable) == ["centMeth", "specobs",
                                                              "timeslice", "useSXPS"]
    g = job.request.globals
    assert g["targ"].startswith("00010873,") and g["targ"].endswith(",00074701")  # D28
    assert "useSXPS" not in g  # "2SXPS": no yes/no can stand for an unknown meaning
    assert g["centMeth"] == "3"  # an enumeration kept as text never equals a valid value
    assert g["posErr"] == 60  # the server's values are not range-checked on the way back
    assert g["RA"] == 52.8 and g["T0"] == 124048802.40058
    assert not set(cat.DIRECTIVES) & set(g)  # what they produced is what counts
    assert set(job.request.products) == {cat.SPEC}  # lc: 0 and lc parameters ignored


# --- from_job_pars: every documented reply shape, one canonical answer ----------------------

_BASE = {**EXAMPLE_4_2, "lcobs": "all", "targ": "00966554,00012345"}
_FLAGS = set(cat.PRODUCT_BY_FLAG)
_NUMERIC = {key for table in (cat.GLOBALS, *(p.params for p in cat.PRODUCTS.values()))
            for param in table.values()
            if param.kind in (cat.Kind.INT, cat.Kind.FLOAT, cat.Kind.NUMBER, cat.Kind.BOOL)
            for key in param.wire_keys} - _FLAGS


def _numbers_as_text(jp: dict[str, Any]) -> dict[str, Any]:
    return {k: str(v) if k in _NUMERIC and not isinstance(v, str) else v for k, v in jp.items()}


def _text_as_numbers(jp: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if k in _NUMERIC and isinstance(v, str) else v
            for k, v in jp.items()}


def _renamed(jp: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {new if k == old else k: v for k, v in jp.items()}


#: (shape, the reply in that shape, why the shape exists). Each must read as _BASE does.
SHAPES: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]], str]] = [
    ("numbers as text", _numbers_as_text,
     "§4.1: the server writes many numbers as text ('20', '0.3', 'sss': '0')"),
    ("numbers as numbers", _text_as_numbers,
     "§4.1: ... and others as numbers (posobstime 12, bayesSNR 2.4); either may change"),
    ("targ in braces", lambda jp: {**jp, "targ": "{" + jp["targ"] + "}"},
     "D28: §4.3 wraps the target IDs getTargs found in braces"),
    ("flags as JSON booleans", lambda jp: {k: bool(v) if k in _FLAGS else v
                                           for k, v in jp.items()},
     "§2.3 and §5.1: a product flag may be true/false as well as 1/0"),
    ("keys it does not know", lambda jp: {**jp, "zzNewKey": [1, {"a": None}], "outdir": "X",
                                          "whatSXPS": "3SXPS", "enh": 1, "api_version": "9.9"},
     ("§4.1: everything sent is echoed and server-internal keys are added; a newer server "
      "may add more")),
    ("products not requested, with parameters", lambda jp: {
        **jp, "image": 0, "imen": "0.5-2", "imobs": "user", "useimobs": "00012345001",
        "sourceDet": 0, "detobs": "bogus", "detbands": 7},
     ("§4.3: parameters of products not requested come with their flag 0; only flags "
      "decide, and their values are not read, not even odd ones")),
    ("directives echoed", lambda jp: {**jp, "getCoords": 1, "getTargs": 1, "getT0": "1"},
     "§4.1: the directives may or may not be echoed (§4.3 does, §4.2 does not)"),
    ("SinceT0 as swifttools spells it", lambda jp: _renamed(jp, "sinceT0", "SinceT0"),
     "D5: the server writes sinceT0, and echoes a SinceT0 that was sent"),
    ("keys in reverse order", lambda jp: dict(reversed(list(jp.items()))),
     "only swifttools depends on key order (§3.9); a reader must not"),
    ("lcobs as its old code", lambda jp: {**jp, "lcobs": 0},
     "D2: §4.2 as documented (the code's meaning: wire._ENUM_CODES)"),
    ("lcobs as its old code in text", lambda jp: {**jp, "lcobs": "0"},
     "D2 and §4.1: the same code, written as the server writes many numbers"),
]


def _assert_same_request(a: Request, b: Request) -> None:
    """Equal as the plan compares: the same parameters, canonically equal values."""
    assert a.name == b.name
    assert set(a.globals) == set(b.globals)
    for name, value in a.globals.items():
        assert canonical_equal(cat.GLOBALS[name], value, b.globals[name]), name
    assert set(a.products) == set(b.products)
    for prod, params in a.products.items():
        assert set(params) == set(b.products[prod]), prod
        for name, value in params.items():
            table = cat.PRODUCTS[prod].params
            assert canonical_equal(table[name], value, b.products[prod][name]), (prod, name)


@pytest.mark.parametrize("shape, why", [(s, w) for s, _, w in SHAPES],
                         ids=[s for s, _, _ in SHAPES])
def test_every_reply_shape_reads_as_the_same_request(shape: str, why: str) -> None:
    reshape = next(f for s, f, _ in SHAPES if s == shape)
    base = from_job_pars(_BASE)
    assert base.unreadable == [] and base.request.globals["targ"] == _BASE["targ"]
    shaped = reshape(dict(_BASE))
    assert json.dumps(shaped) != json.dumps(_BASE), "the shape must change the reply"
    got = from_job_pars(shaped)
    assert got.unreadable == []
    _assert_same_request(got.request, base.request)


_SMALL = {"name": "X", "targ": "00012345", "lc": 1, "binMeth": "snapshot", "spec": 1,
          "specz": 0, "dopsf": 1}

#: (jobPars values, what they read as: {(scope, name): value} or the wire key reported
#: unreadable, why). Old numeric codes are read only where ukssdc-api.md fixes their meaning.
OLD_VALUES: list[tuple[dict[str, Any], dict[tuple[str, str], Any] | str, str]] = [
    ({"lcobs": 0}, {(cat.LC, "whichData"): "all"},
     "§4.2 answers §3.11's request, which sent no lcobs and no uselcobs: not user, so all"),
    ({"lcobs": "0"}, {(cat.LC, "whichData"): "all"}, "the same code as text (§4.1)"),
    ({"lcobs": 1}, "lcobs", "no reply shows 1; `user` would be a guess by symmetry"),
    ({"centMeth": "3"}, "centMeth", "§4.3; tied to a name only by D17's mismatched request"),
    ({"centMeth": 2}, "centMeth", "the RAW request example (D2): no reply says what it means"),
    ({"timeslice": 1}, "timeslice", "§4.3, D17: not user (no rname1), else unknown"),
    ({"specobs": 1}, "specobs", "§4.3, D17: not user (no usespecobs), else unknown"),
    ({"detornot": 1}, "detornot", "the RAW request example (D2)"),
    ({"detMeth": 0}, "detMeth", "the RAW request example (D2)"),
    ({"useSXPS": "2SXPS"}, "useSXPS", "§4.3: a catalogue name where a yes/no belongs"),
    ({"useSXPS": 2}, "useSXPS", "not one of the yes/no spellings (§4.1, §5.1)"),
    ({"useSXPS": "0", "sss": "1"}, {(cat.GLOBAL_SCOPE, "useSXPS"): False,
                                    (cat.GLOBAL_SCOPE, "sss"): True},
     "yes/no as text (§4.1: 'sss': '0')"),
    ({"grades": 0, "specgrades": 4}, {(cat.LC, "grades"): "0", (cat.SPEC, "grades"): "4"},
     "a number that is itself a valid name (grade 0, grade 4) is that name, not a code"),
]


@pytest.mark.parametrize("values, expected, why", OLD_VALUES,
                         ids=[json.dumps(v) for v, _, _ in OLD_VALUES])
def test_old_values_read_where_their_meaning_is_known(
        values: dict[str, Any], expected: dict[tuple[str, str], Any] | str, why: str) -> None:
    job = from_job_pars({**_SMALL, **values})
    tree = {(cat.GLOBAL_SCOPE, n): v for n, v in job.request.globals.items()}
    tree.update({(p, n): v for p, ps in job.request.products.items() for n, v in ps.items()})
    if isinstance(expected, str):
        [reason] = job.unreadable
        assert reason.startswith(f"{expected}={values[expected]!r} is not ")
        for (scope, name), value in tree.items():
            param = cat.params_of(scope)[name]
            if param.wire == expected:  # an enumeration kept as text, nothing else
                assert param.kind is cat.Kind.STR and value == str(values[expected])
    else:
        assert job.unreadable == []
        assert {k: _typed(tree[k]) for k in expected} == {k: _typed(v)
                                                           for k, v in expected.items()}


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=3),
    max_leaves=6,
)
_KEYS = sorted({key for table in (cat.GLOBALS, *(p.params for p in cat.PRODUCTS.values()))
                for param in table.values() for key in param.wire_keys} | _FLAGS)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=6), _JSON, max_size=25))
def test_any_reply_is_read_without_a_crash(job_pars: dict[str, Any]) -> None:
    """Whatever an old or future server writes: a request, and the rest listed by wire key."""
    job = from_job_pars(job_pars)
    assert all(u.split("=", 1)[0] in _KEYS for u in job.unreadable)
    assert set(job.request.products) <= set(cat.ALL_PRODUCTS)


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
