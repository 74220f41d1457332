"""The comparison rules, case by case: each case says why it exists (DESIGN §3: zero spurious
diffs and zero missed changes)."""

from __future__ import annotations

from typing import Any, Mapping

import pytest

from reconciler.plan.compare import compare, payload_matches, view
from reconciler.plan.desired import effective, wanted
from reconciler.plan.model import ABSENT
from reconciler.protocol.request import Request, build
from reconciler.protocol.wire import to_payload

from .support import USER, job_pars

GLOBALS: dict[str, Any] = {"RA": 52.799, "Dec": 43.9047, "targ": "00030842", "centroid": True,
                           "posErr": 1, "useSXPS": False}
LC_COUNTS = {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True}


def request(globals_: Mapping[str, Any] | None = None,
            products: Mapping[str, Mapping[str, Any]] | None = None) -> Request:
    given = {k: v for k, v in (GLOBALS if globals_ is None else globals_).items()
             if v is not None}
    built, problems = build("GK Per", given,
                            {"LightCurve": LC_COUNTS} if products is None else products)
    assert not problems, problems
    return built


def differs(desired: Request, product: str, *, old: Request | None = None,
            pars: Mapping[str, Any] | None = None, sent: bool = True,
            observed: Mapping[str, Any] | None = None,
            pins: Mapping[str, Any] | None = None) -> list[str] | str:
    """The names of the parameters that differ ('unreadable' if the job cannot be read).

    ``old`` is the job's request: its jobPars are the simulator's, and with ``sent`` its payload
    is known too (a job this tool submitted); ``pars`` overrides keys of the jobPars."""
    old = old or desired
    job = view(7, job_pars(old, 7, overrides=pars),
               to_payload(old, USER) if sent else None)
    want = wanted(desired, product)
    result = compare(want, effective(want, pins or {}, observed or {}), job, observed or {})
    if result.unreadable:
        return "unreadable"
    return [c.parameter for c in result.diff]


def with_lc(**lc: Any) -> Request:
    return request(products={"LightCurve": {**LC_COUNTS, **lc}})


CASES = [
    # (id, why it exists, desired, old, pars, sent, observed, pins, product, expected)
    ("string numbers", "the server echoes pccounts as '20': no spurious diff",
     request(), None, {"pccounts": "20", "minen": "0.3"}, False, None, None, "LightCurve", []),
    ("booleans as 1", "dynamic 1 / '1' from the server equals true",
     request(), None, {"dynamic": "1"}, False, None, None, "LightCurve", []),
    ("10 vs 10.0", "a whole float equals the integer", with_lc(maxEnergy=10), with_lc(maxEnergy=10.0),
     None, True, None, None, "LightCurve", []),
    ("omitted equals old default", "the old job sent the default explicitly; the spec now omits it",
     request(), with_lc(minSNR=2.4), None, True, None, None, "LightCurve", []),
    ("removed non-default", "dropping a value that differed from the default is a change",
     request(), with_lc(minSNR=3), None, True, None, None, "LightCurve", ["minSNR"]),
    ("moved default, both omitted", "the server filled another default: drift, never a replace",
     request(), None, {"minsnr": 1.5}, True, None, None, "LightCurve", []),
    ("explicit value vs observed default", "the spec now writes what the server filled",
     with_lc(minSNR=1.5), request(), {"minsnr": 1.5}, True, {"LightCurve.minSNR": 1.5}, None,
     "LightCurve", []),
    ("explicit value vs other default", "the spec writes a value the job did not run with",
     with_lc(minSNR=2.0), request(), {"minsnr": 1.5}, True, None, None, "LightCurve", ["minSNR"]),
    ("inactive parameter", "pcCounts does not matter for snapshot binning",
     request(products={"LightCurve": {"binMeth": "snapshot", "pcCounts": 20}}),
     request(products={"LightCurve": {"binMeth": "snapshot", "pcCounts": 40}}), None, True, None,
     None, "LightCurve", []),
    ("binning change", "binMeth counts -> snapshot is a change",
     request(products={"LightCurve": {"binMeth": "snapshot"}}), request(), None, True, None, None,
     "LightCurve", ["binMeth"]),
    ("directive wildcard", "getCoords with no pin yet: whatever position the server found matches",
     request({**GLOBALS, "RA": None, "Dec": None, "getCoords": True}), None, None, False, None,
     None, "LightCurve", []),
    ("pin equal", "with a pin the job's position must be the pinned one",
     request({**GLOBALS, "RA": None, "Dec": None, "getCoords": True}), None, None, False, None,
     {"RA": 52.799, "Dec": 43.9047}, "LightCurve", []),
    ("pin differs", "a job elsewhere on the sky does not match the pin",
     request({**GLOBALS, "RA": None, "Dec": None, "getCoords": True}), None, None, False, None,
     {"RA": 10.0, "Dec": 43.9047}, "LightCurve", ["RA"]),
    ("four decimals", "RA echoed as '52.7990' equals 52.799",
     request(), None, {"RA": "52.7990"}, False, None, None, "LightCurve", []),
    ("targ in braces", "D28: the server may wrap targ in braces",
     request(), None, {"targ": "{00030842}"}, False, None, None, "LightCurve", []),
    ("unknown keys", "keys the catalogue does not know are not parameters",
     request(), None, {"mystery": 5, "whatSXPS": "3SXPS"}, False, None, None, "LightCurve", []),
    ("T0 moved half a second", "a MET T0 is compared exactly, not with a loose tolerance",
     request({**GLOBALS, "T0": 608713541.952}), request({**GLOBALS, "T0": 608713541.452}), None,
     True, None, None, "LightCurve", ["T0"]),
    ("global for another product", "centroid affects the light curve, not the position",
     request(products={"StandardPos": {}}), request({**GLOBALS, "centroid": False},
                                                     {"StandardPos": {}}), None, True, None,
     None, "StandardPos", []),
    ("global for this product", "centroid does affect the light curve",
     request(), request({**GLOBALS, "centroid": False}), None, True, None, None, "LightCurve",
     ["centroid"]),
    ("unrequested products' values", "Spectrum values in jobPars do not touch the light curve",
     request(), None, {"specobs": "all", "zval": 3}, False, None, None, "LightCurve", []),
    ("models as text", "models 'powerlaw' from the server equals [powerlaw]",
     request(products={"Spectrum": {"hasRedshift": False}}), None, {"models": "powerlaw"}, False,
     None, None, "Spectrum", []),
    ("unreadable relevant", "centMeth '3' (D2) cannot be read: the job cannot be said to match",
     request(), None, {"centMeth": "3"}, False, None, None, "LightCurve", "unreadable"),
    ("unreadable elsewhere", "an unreadable Spectrum value does not block a light-curve match",
     request(), None, {"timeslice": "1"}, False, None, None, "LightCurve", []),
    ("shared position values", "posobs is one wire key for the three position products",
     request(products={"StandardPos": {"whichData": "all"}, "EnhancedPos": {}}),
     request(products={"StandardPos": {"whichData": "all"}, "EnhancedPos": {}}), None, True,
     None, None, "EnhancedPos", []),
]


@pytest.mark.parametrize(
    "desired, old, pars, sent, observed, pins, product, expected",
    [case[2:] for case in CASES], ids=[case[0] for case in CASES],
)
def test_comparison_rules(desired: Request, old: Request | None, pars: Any, sent: bool,
                          observed: Any, pins: Any, product: str, expected: Any) -> None:
    assert differs(desired, product, old=old, pars=pars, sent=sent, observed=observed,
                   pins=pins) == expected


def test_every_case_says_why() -> None:
    assert all(len(case[1]) > 20 for case in CASES)
    assert len({case[0] for case in CASES}) == len(CASES)


def test_diff_lines_carry_old_and_new_values() -> None:
    old = with_lc(minSNR=3)
    want = wanted(request(), "LightCurve")
    result = compare(want, effective(want, {}, {}), view(7, None, to_payload(old, USER)), {})
    (change,) = result.diff
    assert (change.scope, change.parameter, change.old, change.new) == \
        ("LightCurve", "minSNR", 3, 2.4)


def test_an_absent_value_shows_as_absent() -> None:
    desired = request(products={"LightCurve": {**LC_COUNTS, "srcrad": 12}})
    want = wanted(desired, "LightCurve")
    job = view(7, job_pars(request(), 7), to_payload(request(), USER))
    (change,) = compare(want, effective(want, {}, {}), job, {}).diff
    assert (change.parameter, change.old, change.new) == ("srcrad", ABSENT, 12)


def test_payload_matches_recognises_the_job_a_submission_made() -> None:
    sent = to_payload(request(), USER)
    assert payload_matches(sent, job_pars(request(), 9))
    assert payload_matches(sent, job_pars(request(), 9, overrides={"RA": "52.7990",
                                                                     "pccounts": "20"}))
    assert not payload_matches(sent, job_pars(with_lc(pcCounts=25), 9))
    assert not payload_matches(sent, {k: v for k, v in job_pars(request(), 9).items()
                                      if k != "binMeth"})
