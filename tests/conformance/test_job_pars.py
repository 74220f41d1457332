"""Item 6: reading server ``jobPars`` agrees with swifttools 4.0.5, except where it is wrong.

``wire.from_job_pars`` and swifttools' ``XRTProductRequest(user, JSONVals=jobPars,
fromServer=True).getAllPars()`` read the same generated ``jobPars`` (real server form, see
``tests/job_pars.py``). Where swifttools is knowingly wrong, :func:`_known_quirks` names the
quirk and takes exactly that one key out of the comparison; the project's value for it is then
checked against what the job really ran with (``truth``), as is every other value.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

import job_pars
import pytest
from documented_examples import EXAMPLE_4_2, EXAMPLE_4_3
from hypothesis import given, settings

from conformance import swift_oracle
from reconciler.protocol import catalogue as cat
from reconciler.protocol.catalogue import Kind, Param
from reconciler.protocol.request import Request
from reconciler.protocol.values import canonical_equal
from reconciler.protocol.wire import from_job_pars

pytestmark = pytest.mark.conformance


def _flatten(request: Request) -> dict[str, Any]:
    """The ``getAllPars()`` layout: globals at the top, one dict per product."""
    return {**request.globals, **{p: dict(v) for p, v in request.products.items()}}


def _pop(tree: dict[str, Any], scope: str, name: str) -> Any:
    return (tree if scope == cat.GLOBAL_SCOPE else tree.get(scope, {})).pop(name, _ABSENT)


_ABSENT = object()
Quirk = tuple[str, str, str]  # (quirk id, scope, parameter)


def _known_quirks(job: Mapping[str, Any], theirs: dict[str, Any]) -> list[Quirk]:
    """Every place swifttools is knowingly wrong for this ``job``; their keys are removed from
    ``theirs`` (after checking swifttools shows exactly the documented behaviour)."""
    found: list[Quirk] = []

    # §5.1 step 3, D25: the directives come back False whatever the server said.
    for directive in cat.DIRECTIVES:
        if cat.GLOBALS[directive].wire in job:
            assert theirs.pop(directive) is False
            found.append(("directives forced False (§5.1)", cat.GLOBAL_SCOPE, directive))

    # Q3: each position product takes the global centMeth as its own (detMeth).
    global_cent = cat.GLOBALS["centMeth"].wire
    for prod in cat.POSITION_PRODUCTS:
        if prod in theirs and global_cent in job:
            assert theirs[prod].get("centMeth") == job[global_cent]
            _pop(theirs, prod, "centMeth")
            found.append(("Q3 global centMeth overwrites detMeth", prod, "centMeth"))

    # D3: pcmaxgap/wtmaxgap are renamed to names swifttools' type table lacks, then dropped.
    for name, param in cat.PRODUCTS[cat.LC].params.items():
        if param.swifttools_gap and cat.LC in theirs and param.wire in job:
            assert name not in theirs[cat.LC]
            found.append(("D3 max-gap dropped", cat.LC, name))

    # D5: the server spells SinceT0 sinceT0, which swifttools does not know.
    since = cat.GLOBALS["SinceT0"]
    if any(alias in job for alias in since.wire_aliases) and since.wire not in job:
        assert "SinceT0" not in theirs
        found.append(("D5 sinceT0 dropped", cat.GLOBAL_SCOPE, "SinceT0"))

    # §3.9: the spectrum reads the light curve's wire key `grades` as its own Python name.
    lc_grades = cat.PRODUCTS[cat.LC].params["grades"].wire
    spec_grades = cat.PRODUCTS[cat.SPEC].params["grades"].wire
    keys = list(job)
    if cat.SPEC in theirs and lc_grades in job and (
        spec_grades not in job or keys.index(spec_grades) < keys.index(lc_grades)
    ):
        assert theirs[cat.SPEC].get("grades") == job[lc_grades]
        _pop(theirs, cat.SPEC, "grades")
        found.append(("grades collision (§3.9)", cat.SPEC, "grades"))

    # D28: targ wrapped in braces is kept with its braces.
    targ = job.get(cat.GLOBALS["targ"].wire)
    if isinstance(targ, str) and targ.startswith("{"):
        assert theirs.pop("targ") == targ
        found.append(("D28 targ braces kept", cat.GLOBAL_SCOPE, "targ"))

    # §5.3: swifttools pre-sets its own deltaFitStat when the server did not echo one.
    dchi = cat.PRODUCTS[cat.SPEC].params["deltaFitStat"]
    if cat.SPEC in theirs and dchi.wire not in job:
        assert theirs[cat.SPEC].pop("deltaFitStat") == dchi.default
        found.append(("deltaFitStat client pre-set (§5.3)", cat.SPEC, "deltaFitStat"))
    return found


def _type_divergences(theirs: dict[str, Any]) -> None:
    """Catalogue kinds that knowingly differ from swifttools' types (same value, other type)."""
    # D18: matchHR is a 0/1 yes/no value; swifttools types it as a number.
    match_hr = cat.PRODUCTS[cat.LC].params["matchHR"]
    if cat.LC in theirs and "matchHR" in theirs[cat.LC]:
        value = theirs[cat.LC]["matchHR"]
        assert match_hr.kind is Kind.BOOL and value in (0, 1)
        theirs[cat.LC]["matchHR"] = bool(value)


def _compare(job: Mapping[str, Any], truth: Request | None) -> list[Quirk]:
    """The whole check for one ``jobPars``; returns the quirks it had to step around."""
    ours = from_job_pars(job)
    assert ours.unreadable == []
    mine = _flatten(ours.request)
    theirs = swift_oracle.read_job_pars(job)
    quirks = _known_quirks(job, theirs)
    _type_divergences(theirs)
    mine_compared = copy.deepcopy(mine)
    for _, scope, name in quirks:
        _pop(mine_compared, scope, name)
    show = swift_oracle.canonical_json
    assert show(mine_compared) == show(theirs), _differences(mine_compared, theirs)
    if truth is not None:
        _assert_same_request(ours.request, truth)
    return quirks


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[Any]:
    show = swift_oracle.canonical_json
    out = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key, {}), theirs.get(key, {})
        if isinstance(a, dict) and isinstance(b, dict):
            out += [(key, k, a.get(k, "<absent>"), b.get(k, "<absent>"))
                    for k in sorted(set(a) | set(b)) if show(a.get(k)) != show(b.get(k))]
        elif show(a) != show(b):
            out.append((key, ours.get(key, "<absent>"), theirs.get(key, "<absent>")))
    return out


def _kind_ok(param: Param, value: Any) -> bool:
    checks: dict[Kind, Callable[[Any], bool]] = {
        Kind.BOOL: lambda v: isinstance(v, bool),
        Kind.INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
        Kind.FLOAT: lambda v: isinstance(v, float),
        Kind.NUMBER: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        Kind.STR: lambda v: isinstance(v, str),
        Kind.LIST: lambda v: isinstance(v, tuple),
    }
    return checks[param.kind](value)


def _assert_same_request(ours: Request, truth: Request) -> None:
    """Every value the job ran with, and nothing else, in canonical form of the right kind."""
    assert ours.name == truth.name
    assert set(ours.globals) == set(truth.globals)
    for name, value in truth.globals.items():
        param = cat.GLOBALS[name]
        assert _kind_ok(param, ours.globals[name]), (name, ours.globals[name])
        assert canonical_equal(param, ours.globals[name], value), (name, ours.globals[name], value)
    assert set(ours.products) == set(truth.products)
    for prod, params in truth.products.items():
        assert set(ours.products[prod]) == set(params), prod
        for name, value in params.items():
            param = cat.PRODUCTS[prod].params[name]
            got = ours.products[prod][name]
            assert _kind_ok(param, got), (prod, name, got)
            assert canonical_equal(param, got, value), (prod, name, got, value)


def test_generated_job_pars_match_swifttools_and_the_truth() -> None:
    """A fixed (derandomised) corpus of 250 jobs; every quirk and every wire key occurs in it."""
    quirks: set[str] = set()
    keys: set[str] = set()

    @settings(max_examples=250, deadline=None, derandomize=True, database=None)
    @given(job_pars.generated_jobs())
    def corpus(job: job_pars.GeneratedJob) -> None:
        quirks.update(q for q, _, _ in _compare(job.job_pars, job.truth))
        keys.update(job.job_pars)

    corpus()
    assert quirks == {
        "directives forced False (§5.1)", "Q3 global centMeth overwrites detMeth",
        "D3 max-gap dropped", "D5 sinceT0 dropped", "grades collision (§3.9)",
        "D28 targ braces kept",
    }
    every_wire = {p.wire for p in cat.GLOBALS.values()} | {
        p.wire for prod in cat.PRODUCTS.values() for p in prod.params.values()
        if not p.swifttools_gap
    }
    assert every_wire - keys == set()


@settings(max_examples=60, deadline=None)
@given(job_pars.generated_jobs(include_gaps=True))
def test_job_pars_with_max_gaps_match(job: job_pars.GeneratedJob) -> None:
    """With pcMaxGap/wtMaxGap too (D3: swifttools drops them, the project must keep them)."""
    _compare(job.job_pars, job.truth)


def test_documented_example_4_2_with_lcobs_fixed() -> None:
    """§5.3: swifttools cannot read the example as documented (`lcobs: 0`); with `all` it can,
    and then agrees with the project apart from the named quirks."""
    job = {**EXAMPLE_4_2, "lcobs": "all"}
    quirks = _compare(job, truth=None)
    assert {q for q, _, _ in quirks} == {
        "Q3 global centMeth overwrites detMeth", "D3 max-gap dropped", "D5 sinceT0 dropped",
        "deltaFitStat client pre-set (§5.3)",
    }


def test_documented_example_4_2_as_is_breaks_swifttools_not_us() -> None:
    """`lcobs: 0` is the old code for `all` (see wire._ENUM_CODES): read as swifttools would
    read the example once fixed."""
    with pytest.raises(ValueError):
        swift_oracle.read_job_pars(EXAMPLE_4_2)
    ours = from_job_pars(EXAMPLE_4_2)
    assert ours.unreadable == []
    assert ours.request == from_job_pars({**EXAMPLE_4_2, "lcobs": "all"}).request


def test_documented_example_4_3_with_enumerations_fixed() -> None:
    """§4.3 (GK Per) with the numeric enumerations replaced by names swifttools accepts, and
    `useSXPS: "2SXPS"` by a yes/no (its meaning is not known: see the next test)."""
    job = {**EXAMPLE_4_3, "centMeth": "simple", "timeslice": "single", "specobs": "all",
           "useSXPS": 0}
    quirks = _compare(job, truth=None)
    assert {q for q, _, _ in quirks} == {
        "directives forced False (§5.1)", "D5 sinceT0 dropped", "D28 targ braces kept",
        "deltaFitStat client pre-set (§5.3)",
    }
    ours = from_job_pars(job).request
    assert ours.globals["targ"] == job["targ"][1:-1]


def test_use_sxps_2sxps_is_no_to_swifttools_and_unknown_to_us() -> None:
    """swifttools' cast reads anything but 1 as no (§5.1); nothing documents what the server
    meant, so the project reports the value instead of guessing."""
    job = {**EXAMPLE_4_3, "centMeth": "simple", "timeslice": "single", "specobs": "all"}
    assert swift_oracle.read_job_pars(job)["useSXPS"] is False
    ours = from_job_pars(job)
    assert ours.unreadable == ["useSXPS='2SXPS' is not a yes/no value"]
    assert "useSXPS" not in ours.request.globals
