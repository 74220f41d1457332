"""getCoords, getTargs and getT0 resolved from the built-in catalogue."""

from __future__ import annotations

from reconciler.sim.directives import resolve

from .support import request


def test_all_three_directives() -> None:
    req = request("GRB 200416A", {"getCoords": True, "getTargs": True, "getT0": True,
                                  "centroid": False, "useSXPS": False})
    resolved, failure = resolve(req)
    assert failure is None
    g = resolved.globals
    assert (g["RA"], g["Dec"], g["targ"], g["T0"]) == (335.6985, -7.5179, "00966554",
                                                       608713541.952)
    # Catalogue order is kept (RA before Dec before centroid...).
    assert list(g) == [k for k in ("name", "targ", "T0", "RA", "Dec", "centroid", "useSXPS",
                                    "getCoords", "getTargs", "getT0") if k in g]


def test_targets_use_the_resolved_position() -> None:
    req = request("GK Persei", {"getCoords": True, "getTargs": True, "centroid": False,
                                "useSXPS": False})
    resolved, failure = resolve(req)
    assert failure is None
    assert resolved.globals["targ"].split(",")[3] == "00030842"


def test_targets_from_the_field_for_an_unknown_name() -> None:
    req = request("my mystery source", {"RA": 335.70, "Dec": -7.52, "getTargs": True,
                                        "centroid": False, "useSXPS": False})
    resolved, failure = resolve(req)
    assert failure is None and resolved.globals["targ"] == "00966554"


def test_unknown_name_fails_the_submission() -> None:
    req = request("No Such Thing", {"getCoords": True, "targ": "1", "centroid": False,
                                    "useSXPS": False})
    resolved, failure = resolve(req)
    assert failure is not None and "`No Such Thing`" in failure and "RA and Dec" in failure
    assert resolved is req


def test_t0_that_cannot_be_found_fails() -> None:
    req = request("nowhere", {"RA": 100.0, "Dec": 10.0, "targ": "1", "getT0": True,
                              "centroid": False, "useSXPS": False})
    # Server errors name parameters on the wire; clients map Tstart back to T0.
    assert "Supply Tstart instead" in (resolve(req)[1] or "")


def test_without_directives_nothing_changes() -> None:
    req = request()
    resolved, failure = resolve(req)
    assert failure is None and resolved.globals == req.globals
