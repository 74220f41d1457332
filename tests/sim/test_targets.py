"""The built-in target catalogue standing in for SIMBAD and the Swift target database."""

from __future__ import annotations

import re

import pytest

from reconciler.sim import targets
from reconciler.sim.targets import (
    CATALOGUE,
    by_name,
    covering,
    resolve_coords,
    resolve_t0,
    resolve_targets,
    separation,
)


def test_catalogue_is_large_varied_and_well_formed() -> None:
    assert len(CATALOGUE) >= 25
    assert {t.kind for t in CATALOGUE} >= {"GRB", "nova", "XRB", "AGN"}
    names = [targets.normalise(a) for t in CATALOGUE for a in (t.name, *t.aliases)]
    assert len(names) == len(set(names)), "names and aliases must be unambiguous"
    for t in CATALOGUE:
        assert 0 <= t.ra < 360 and -90 <= t.dec <= 90, t
        assert t.targets and all(re.fullmatch(r"\d{8}", i) for i in t.targets), t
        assert 0 < t.t0 < 1e9, t  # Swift MET


def test_grb_target_ids_are_trigger_numbers_and_t0_is_the_trigger() -> None:
    grb = by_name("GRB 200416A")
    assert grb is not None
    assert (grb.ra, grb.dec, grb.targets, grb.t0) == (335.6985, -7.5179, ("00966554",),
                                                      608713541.952)


def test_gk_per_matches_the_documented_reply() -> None:
    gk = by_name("GK Per")
    assert gk is not None
    assert (gk.ra, gk.dec) == (52.7990, 43.9047)
    assert "00030842" in gk.targets and len(gk.targets) == 25


@pytest.mark.parametrize("typed", ["GRB 200416A", "grb200416a", "GRB_200416A", " GRB  200416A "])
def test_names_match_regardless_of_case_and_spacing(typed: str) -> None:
    assert resolve_coords(typed) == (335.6985, -7.5179)


def test_aliases_resolve() -> None:
    assert resolve_coords("GK Persei") == resolve_coords("GK Per")


def test_unknown_name_resolves_to_nothing() -> None:
    assert resolve_coords("Not A Real Object") is None
    assert resolve_targets("Not A Real Object", None, None) == []
    assert resolve_t0("Not A Real Object", None, None) is None


def test_targets_by_name_then_by_field() -> None:
    # Unknown name, but the position lies 5 arcmin from GRB 200416A: its field covers it.
    assert resolve_targets("my source", 335.6985, -7.5179 + 5 / 60) == ["00966554"]
    # 20 arcmin away: outside the XRT field.
    assert resolve_targets("my source", 335.6985, -7.5179 + 20 / 60) == []
    # A known name plus a position near another target gives both, named first, no repeats.
    mrk = by_name("Mrk 421")
    assert mrk is not None
    found = resolve_targets("GRB 200416A", mrk.ra, mrk.dec)
    assert found == ["00966554", *mrk.targets]


def test_t0_by_name_else_nearest_covering_target() -> None:
    assert resolve_t0("GK Per", None, None) == 124048802.40058
    assert resolve_t0("nameless", 52.80, 43.90) == 124048802.40058


def test_separation_and_covering() -> None:
    assert separation(10, 0, 11, 0) == pytest.approx(1.0)
    assert separation(359.9, 0, 0.1, 0) == pytest.approx(0.2)
    assert separation(0, 89.9, 180, 89.9) == pytest.approx(0.2)
    assert [t.name for t in covering(52.7990, 43.9047)] == ["GK Per"]
