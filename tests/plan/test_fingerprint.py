"""The fingerprint's text is the JSON scheme 1 defines, written without ``json.dumps``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reconciler.plan.fingerprint import FINGERPRINT_SCHEME, fingerprint, norm, text

VALUES: list[Any] = [
    "snapshot", "", "GRB 200416A", 'a "quoted" \\ name', "tab\there", "Žemaitė ☄", "\x7f\x00",
    True, False, 0, 1, -7, 10**20, 20.0, -0.0, 0.1, 1e-7, 1e20, 1.5e300, -85.0, 335.6985,
    ("powerlaw", "blackbody"), (1.0, 2.5), (), None, float("inf"), float("nan"),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_text_is_json_dumps_of_the_scheme_1_body(value: Any) -> None:
    explicit = {("globals", "RA"): 1.5, ("LightCurve", "x"): value, ("Spectrum", "y"): value,
                ("globals", "targ"): "00000001"}
    directives = ["getTargs", "getCoords"]
    body = [FINGERPRINT_SCHEME, "LightCurve",
            sorted([list(k), norm(v)] for k, v in explicit.items()), sorted(directives)]
    assert text("LightCurve", explicit, directives) == \
        json.dumps(body, separators=(",", ":"), sort_keys=True)


def test_equal_values_in_any_spelling_give_one_fingerprint_and_others_another() -> None:
    base = fingerprint("Spectrum", {("globals", "posErr"): 1, ("Spectrum", "z"): 20.0}, [])
    assert base == fingerprint("Spectrum", {("Spectrum", "z"): 20, ("globals", "posErr"): 1.0},
                               [])
    assert base != fingerprint("Spectrum", {("globals", "posErr"): 1, ("Spectrum", "z"): 20.5},
                               [])
    assert base != fingerprint("Spectrum", {("globals", "posErr"): 1, ("Spectrum", "z"): 20.0},
                               ["getCoords"])
    assert len(base) == 16 and int(base, 16) >= 0
