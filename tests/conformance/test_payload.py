"""Item 5: the submission payload equals what swifttools 4.0.5 sends for the same request.

The same canonical inputs go to ``request.build`` + ``wire.to_payload`` and to a swifttools
``XRTProductRequest`` (``setGlobalPars`` / ``addProduct`` / ``set*Pars``, trigger sources first
so explicit values win, as in ``build``); the two JSON bodies must be identical, types included,
apart from ``api_version``. No divergence is accepted here: the parameters swifttools cannot
express (``swifttools_gap``, D3) are simply not generated.
"""

from __future__ import annotations

from typing import Any

import pytest
import strategies
from documented_examples import TUTORIAL_GLOBALS, TUTORIAL_NAME, TUTORIAL_PRODUCTS
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import swift_oracle
from reconciler.protocol import catalogue as cat
from reconciler.protocol.catalogue import GLOBAL_SCOPE
from reconciler.protocol.values import to_wire
from reconciler.protocol.wire import to_payload

pytestmark = pytest.mark.conformance


def _check(inputs: strategies.RequestInputs) -> dict[str, Any]:
    """Compare both payloads for ``inputs``; return ours."""
    request, problems = inputs.build()
    assert problems == [], "the strategy must only produce valid requests"
    ours = swift_oracle.strip_ignored(to_payload(request, swift_oracle.USER))
    theirs_request = swift_oracle.build_request(*inputs)
    theirs = swift_oracle.strip_ignored(theirs_request.getJSONDict())
    assert swift_oracle.canonical_json(ours) == swift_oracle.canonical_json(theirs), (
        _differences(ours, theirs)
    )
    valid, why = theirs_request.isValid()
    assert valid, f"swifttools refuses a request build() accepts: {why}"
    return ours


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    show = swift_oracle.canonical_json
    return {k: (ours.get(k, "<absent>"), theirs.get(k, "<absent>"))
            for k in sorted(set(ours) | set(theirs)) if show(ours.get(k)) != show(theirs.get(k))}


def _reached(request_inputs: strategies.RequestInputs) -> set[tuple[str, str]]:
    request, _ = request_inputs.build()
    reached = {(GLOBAL_SCOPE, name) for name in request.globals}
    reached |= {(prod, name) for prod, params in request.products.items() for name in params}
    return reached


def test_random_corpus_matches_swifttools_and_reaches_every_parameter() -> None:
    """A fixed (derandomised) corpus of 300 requests; every catalogue parameter occurs in it."""
    reached: set[tuple[str, str]] = set()
    source_detection_only = []

    @settings(max_examples=300, deadline=None, derandomize=True, database=None)
    @given(strategies.request_inputs())
    def corpus(inputs: strategies.RequestInputs) -> None:
        _check(inputs)
        reached.update(_reached(inputs))
        source_detection_only.append(set(inputs.products) == {cat.SOURCEDET})

    corpus()
    wanted = {(scope, name) for scope, name, _ in strategies.coverage_targets()}
    assert wanted - reached == set()
    assert any(source_detection_only) and not all(source_detection_only)


def _target_id(target: tuple[str, str, Any]) -> str:
    scope, name, value = target
    return f"{scope}.{name}" + ("" if value is strategies.PRESENT else f"={value!r}")


@pytest.mark.parametrize("target", strategies.coverage_targets(), ids=_target_id)
@settings(max_examples=3, deadline=None)
@given(data=st.data())
def test_every_parameter_value_matches_swifttools(target: tuple[str, str, Any],
                                                  data: st.DataObject) -> None:
    """Each catalogue parameter, and each of its allowed values, forced into requests.

    This includes every trigger (useObs, whichData=all, redshift, hasRedshift, doNotFit, T0,
    targ): the implied values in the payload must be those swifttools' triggers produce."""
    scope, name, value = target
    payload = _check(data.draw(strategies.request_inputs(force={(scope, name): value})))
    param = cat.params_of(scope)[name]
    assert param.wire in payload
    if value is not strategies.PRESENT:
        assert payload[param.wire] == to_wire(param, value)


@pytest.mark.parametrize("directive", cat.DIRECTIVES)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_directives_match_swifttools(directive: str, data: st.DataObject) -> None:
    """getCoords/getTargs/getT0 asked for, standing in for what they fill."""
    inputs = data.draw(strategies.request_inputs(force={(GLOBAL_SCOPE, directive): True}))
    payload = _check(inputs)
    assert payload[directive] == 1
    for filled in cat.GLOBALS[directive].fills:
        assert cat.GLOBALS[filled].wire not in payload


@settings(max_examples=25, deadline=None)
@given(strategies.request_inputs(products=[cat.SOURCEDET]))
def test_source_detection_only_matches_swifttools(inputs: strategies.RequestInputs) -> None:
    _check(inputs)


def test_documented_tutorial_payload() -> None:
    """ukssdc-api.md §3.11: the PYDOC tutorial request (its documented body: test_wire.py)."""
    _check(strategies.RequestInputs(TUTORIAL_NAME, TUTORIAL_GLOBALS, TUTORIAL_PRODUCTS))
