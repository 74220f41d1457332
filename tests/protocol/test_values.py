"""Values in their three forms: strict user input, lenient server input, wire and echo."""

from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.protocol import catalogue
from reconciler.protocol.catalogue import GLOBALS, PRODUCTS, Kind
from reconciler.protocol.values import (
    ValueProblem,
    canonical_equal,
    closest,
    from_server,
    from_user,
    server_echo,
    show,
    to_wire,
)

LC = PRODUCTS["LightCurve"].params
SPEC = PRODUCTS["Spectrum"].params


def problem(param: catalogue.Param, value: object) -> tuple[str, str | None]:
    with pytest.raises(ValueProblem) as caught:
        from_user(param, value)
    return caught.value.message, caught.value.fix


# --- from_user: strict ----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [(True, True), (False, False), (1, True),
                                                 (0, False), (1.0, True)])
def test_bool_accepts_booleans_and_0_1(value: object, expected: bool) -> None:
    assert from_user(GLOBALS["centroid"], value) is expected


@pytest.mark.parametrize(("value", "shown"), [("yes", "'yes'"), ("true", "'true'"), (2, "2"),
                                              ([True], "[true]")])
def test_bool_refuses_anything_else(value: object, shown: str) -> None:
    assert problem(GLOBALS["centroid"], value) == (
        f"centroid must be true or false, not {shown}",
        "write centroid: true or centroid: false",
    )


def test_no_value_is_empty_not_none() -> None:
    assert problem(GLOBALS["centroid"], None)[0] == "centroid is empty"
    assert problem(GLOBALS["RA"], None)[0] == "RA is empty"


@pytest.mark.parametrize(("value", "shown"), [
    (None, "null"), (True, "true"), (False, "false"), ("a b", "'a b'"), (3, "3"),
    (2.5, "2.5"), (float("nan"), ".nan"), (float("-inf"), "-.inf"), (("apec",), "['apec']"),
    ([1, None, [True]], "[1, null, [true]]"), ({"a": False}, "{'a': false}"),
    (datetime.date(2024, 1, 31), "2024-01-31"),
])
def test_values_are_shown_as_yaml_writes_them(value: object, shown: str) -> None:
    assert show(value) == shown


def test_int_accepts_whole_numbers_only() -> None:
    assert from_user(LC["pcCounts"], 20) == 20
    assert from_user(LC["pcCounts"], 20.0) == 20
    assert isinstance(from_user(LC["pcCounts"], 20.0), int)
    assert problem(LC["pcCounts"], 20.5) == ("pcCounts must be a whole number, not 20.5",
                                             "write pcCounts: <number>")
    assert problem(LC["pcCounts"], "20")[0] == "pcCounts must be a whole number, not '20'"
    assert problem(LC["pcCounts"], True)[0] == "pcCounts must be a whole number, not true"


def test_int_bounds() -> None:
    assert from_user(LC["srcrad"], 30) == 30
    assert problem(LC["srcrad"], 31) == ("srcrad is 31, outside the allowed range",
                                        "allowed: 1 to 30")


def test_number_keeps_ints_and_float_converts() -> None:
    assert from_user(GLOBALS["posErr"], 2) == 2 and isinstance(from_user(GLOBALS["posErr"], 2), int)
    assert from_user(GLOBALS["RA"], 10) == 10.0 and isinstance(from_user(GLOBALS["RA"], 10), float)
    assert problem(GLOBALS["RA"], "10") == ("RA must be a number, not '10'",
                                           "write a number without quotes")
    assert problem(GLOBALS["RA"], float("nan"))[0] == "RA must be a number, not .nan"
    assert problem(GLOBALS["Dec"], 91.0) == ("Dec is 91, outside the allowed range",
                                            "allowed: -90 to 90")
    assert problem(GLOBALS["posErr"], 0.5) == ("posErr is 0.5, outside the allowed range",
                                              "allowed: 1 to 6")


def test_list_of_models() -> None:
    models = SPEC["models"]
    assert from_user(models, ["powerlaw", "APEC"]) == ("powerlaw", "apec")
    assert from_user(models, "blackbody") == ("blackbody",)
    assert problem(models, ["powerlw"]) == (
        "'powerlw' is not a valid value for models",
        "did you mean 'powerlaw'? allowed values: 'powerlaw', 'apec', 'blackbody'",
    )
    assert problem(models, []) == ("models must be a list of names, not []",
                                   "for example models: [powerlaw]")
    assert problem(models, [1])[0] == "models must be a list of names, not [1]"


def test_choices_are_exact_with_a_suggestion() -> None:
    assert from_user(LC["binMeth"], "counts") == "counts"
    assert problem(LC["binMeth"], "Counts") == (
        "'Counts' is not a valid value for binMeth",
        "did you mean 'counts'? allowed values: 'counts', 'time', 'snapshot', 'obsid'",
    )
    assert problem(LC["binMeth"], "weekly") == (
        "'weekly' is not a valid value for binMeth",
        "allowed values: 'counts', 'time', 'snapshot', 'obsid'",
    )
    assert problem(LC["binMeth"], 3) == (
        "binMeth must be one of 'counts', 'time', 'snapshot', 'obsid', not 3", None)


def test_numeric_choices_may_be_written_as_numbers() -> None:
    assert from_user(LC["grades"], 0) == "0"
    assert from_user(LC["grades"], "4") == "4"
    assert problem(LC["grades"], 2)[0] == "grades must be one of 'all', '0', '4', not 2"


def test_text_must_be_text() -> None:
    assert from_user(GLOBALS["targ"], "00030842") == "00030842"
    assert problem(GLOBALS["targ"], 30842) == ("targ must be text, not 30842",
                                              'quote the value: targ: "30842"')
    assert problem(GLOBALS["targ"], True) == ("targ must be text, not true",
                                             'quote the value: targ: "true"')
    assert problem(GLOBALS["targ"], "  ") == ("targ is empty",
                                             "give targ a value or remove the line")


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.text(), st.booleans(),
                 st.none(), st.lists(st.text(max_size=3), max_size=3)))
def test_from_user_either_returns_canonical_or_raises_value_problem(value: object) -> None:
    """No input makes from_user fail with anything but a ValueProblem with a message."""
    for table in (GLOBALS, *(p.params for p in PRODUCTS.values())):
        for param in table.values():
            try:
                result = from_user(param, value)
            except ValueProblem as error:
                assert error.message
                continue
            kinds = {Kind.BOOL: bool, Kind.INT: int, Kind.FLOAT: float, Kind.NUMBER: (int, float),
                     Kind.STR: str, Kind.LIST: tuple}
            assert isinstance(result, kinds[param.kind]), (param.name, value, result)
            if param.choices and param.kind is Kind.STR:
                assert result in param.choices


# --- from_server: lenient -------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (1, True), ("1", True), ("yes", True), (True, True), (0, False), ("0", False),
    ("2SXPS", False), (False, False),
])
def test_server_booleans(value: object, expected: bool) -> None:
    assert from_server(GLOBALS["useSXPS"], value) is expected


def test_server_numbers_come_as_strings() -> None:
    assert from_server(LC["pcCounts"], "20") == 20
    assert from_server(LC["pcCounts"], "20.0") == 20
    with pytest.raises(ValueError):
        from_server(LC["pcCounts"], "20.5")
    assert from_server(GLOBALS["RA"], "335.6985") == 335.6985
    assert from_server(LC["minSNR"], 1.5) == 1.5
    assert from_server(LC["minEnergy"], "0.3") == 0.3


def test_server_targ_braces_and_lists() -> None:
    assert from_server(GLOBALS["targ"], "{00010873,00010907}") == "00010873,00010907"
    assert from_server(SPEC["models"], "powerlaw, APEC") == ("powerlaw", "apec")
    assert from_server(SPEC["models"], ["Blackbody"]) == ("blackbody",)


# --- wire and echo --------------------------------------------------------------------------------

def test_to_wire() -> None:
    assert to_wire(GLOBALS["centroid"], True) == 1
    assert to_wire(GLOBALS["centroid"], False) == 0
    assert to_wire(SPEC["models"], ("powerlaw",)) == ["powerlaw"]
    assert to_wire(LC["pcCounts"], 20) == 20


def test_server_echo_mimics_the_real_server() -> None:
    assert server_echo(GLOBALS["RA"], 335.6985) == "335.6985"
    assert server_echo(GLOBALS["Dec"], -7.5) == "-7.5000"
    assert server_echo(LC["pcCounts"], 20) == "20"
    assert server_echo(LC["maxEnergy"], 10.0) == "10"
    assert server_echo(LC["minEnergy"], 0.3) == "0.3"
    assert server_echo(LC["bayesSNR"], 2.4) == 2.4  # echoed as a number
    assert server_echo(GLOBALS["sss"], False) == "0"


def test_canonical_equal() -> None:
    assert canonical_equal(GLOBALS["RA"], 335.69851, 335.69849)  # four decimals on the server
    assert not canonical_equal(GLOBALS["RA"], 335.6985, 335.6986)
    assert canonical_equal(LC["pcCounts"], 20, 20.0)
    assert canonical_equal(LC["minEnergy"], 0.3, 0.1 + 0.2)
    assert not canonical_equal(LC["minEnergy"], 0.3, 0.31)
    assert canonical_equal(SPEC["models"], ("powerlaw",), ["powerlaw"])
    assert not canonical_equal(SPEC["models"], ("powerlaw", "apec"), ("apec", "powerlaw"))
    assert canonical_equal(GLOBALS["targ"], None, None)
    assert not canonical_equal(GLOBALS["targ"], None, "1")


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_echo_then_read_is_equal(value: float) -> None:
    """What the server echoes reads back equal to what was sent, for every numeric param."""
    for table in (GLOBALS, *(p.params for p in PRODUCTS.values())):
        for param in table.values():
            if param.kind not in (Kind.FLOAT, Kind.NUMBER):
                continue
            echoed = server_echo(param, value)
            assert canonical_equal(param, from_server(param, echoed), value), (param.name, echoed)
            assert not math.isnan(float(echoed))


def test_closest() -> None:
    assert closest("pcCount", LC) == "pcCounts"
    assert closest("PCCOUNTS", LC) == "pcCounts"
    assert closest("xyzzy", LC) is None
    assert closest("grb", ["grb", "xrb"]) == "grb"
