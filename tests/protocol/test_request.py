"""The catalogue's request rules as request.build applies them: triggers, sharing, problems."""

from __future__ import annotations

from typing import Any

from reconciler.protocol.request import Problem, Request, build

BASE: dict[str, Any] = {"RA": 1.0, "Dec": 2.0, "targ": "00000001", "centroid": True,
                        "posErr": 1, "useSXPS": False}


def rules(products: dict[str, dict[str, Any]], **globals_: Any) -> list[Problem]:
    return build("X", {**BASE, **globals_}, products)[1]


def messages(problems: list[Problem]) -> list[tuple[tuple[str, ...], str, str | None]]:
    return [(p.path, p.message, p.fix) for p in problems]


def test_a_complete_request_has_no_problems_and_keeps_catalogue_order() -> None:
    request, problems = build("GK Per", {"useSXPS": False, "posErr": 1, "centroid": True,
                                         "Dec": 43.9, "RA": 52.8, "targ": "00030842"},
                              {"StandardPos": {}, "LightCurve": {"dynamic": True,
                                                                 "binMeth": "counts",
                                                                 "wtCounts": 30,
                                                                 "pcCounts": 20}})
    assert problems == []
    assert list(request.globals) == ["name", "targ", "RA", "Dec", "centroid", "posErr",
                                     "useSXPS", "getTargs"]
    assert request.globals["getTargs"] is False  # targ implies it
    assert list(request.products) == ["LightCurve", "StandardPos"]
    assert list(request.products["LightCurve"]) == ["binMeth", "pcCounts", "wtCounts", "dynamic"]


def test_no_product() -> None:
    assert messages(rules({})) == [
        ((), "requests no product", "name a product (e.g. LightCurve: {}) or use a template "
                                    "that does"),
    ]


def test_required_globals_and_their_directives() -> None:
    problems = build("X", {}, {"StandardPos": {}})[1]
    assert messages(problems) == [
        (("targ",), "targ is required", 'add targ: "...", or getTargs: true'),
        (("RA",), "RA is required", "add RA: <number>, or getCoords: true"),
        (("Dec",), "Dec is required", "add Dec: <number>, or getCoords: true"),
        (("centroid",), "centroid is required", "add centroid: true or false"),
        (("useSXPS",), "useSXPS is required", "add useSXPS: false"),
    ]
    assert build("X", {"getTargs": True, "getCoords": True, "centroid": False,
                       "useSXPS": False}, {"StandardPos": {}})[1] == []


def test_source_detection_only_needs_a_target_only() -> None:
    assert messages(build("X", {}, {"SourceDet": {"whichData": "all"}})[1]) == [
        (("targ",), "targ is required", 'add targ: "...", or getTargs: true'),
    ]
    assert build("X", {"targ": "1"}, {"SourceDet": {"whichData": "all"}})[1] == []
    # with another product the usual globals come back
    assert len(build("X", {"targ": "1"}, {"SourceDet": {"whichData": "all"},
                                          "Image": {}})[1]) == 4


def test_directive_beside_the_value_it_fills() -> None:
    assert messages(rules({"StandardPos": {}}, getCoords=True)) == [
        (("RA",), "RA and Dec given while getCoords is true: the server would overwrite them",
         "remove getCoords, or remove RA and Dec"),
    ]
    # targ implies getTargs: false, so the contradiction is reported as such, once
    assert messages(rules({"StandardPos": {}}, getTargs=True)) == [
        (("getTargs",), "getTargs is true, but setting targ to '00000001' means getTargs must "
                        "be false", "remove getTargs or targ"),
    ]


def test_mandatory_and_conditional_product_parameters() -> None:
    assert messages(rules({"LightCurve": {}, "Spectrum": {}})) == [
        (("LightCurve", "binMeth"), "LightCurve binMeth is required",
         "add binMeth: one of 'counts', 'time', 'snapshot', 'obsid'"),
        (("Spectrum", "hasRedshift"), "Spectrum hasRedshift is required", "add hasRedshift: true or false"),
    ]
    assert messages(rules({"LightCurve": {"binMeth": "counts", "pcCounts": 5}})) == [
        (("LightCurve", "wtCounts"), "LightCurve wtCounts is required when binMeth is 'counts'",
         "add wtCounts: <number>"),
        (("LightCurve", "dynamic"), "LightCurve dynamic is required when binMeth is 'counts'",
         "add dynamic: true or false"),
    ]


def test_centroid_needs_pos_err() -> None:
    problems = build("X", {k: v for k, v in BASE.items() if k != "posErr"},
                     {"StandardPos": {}})[1]
    assert messages(problems) == [
        (("posErr",), "posErr is required when centroid is true", "add posErr: <number>"),
    ]


def test_which_data_user_needs_use_obs_and_use_obs_implies_user() -> None:
    assert messages(rules({"Image": {"whichData": "user"}})) == [
        (("Image", "useObs"), "Image useObs is required when whichData is 'user'",
         'add useObs: "..."'),
    ]
    request, problems = build("X", BASE, {"Image": {"useObs": "00012345001"}})
    assert problems == []
    assert request.products["Image"] == {"whichData": "user", "useObs": "00012345001"}


def test_explicit_contrary_value_is_a_problem() -> None:
    assert messages(rules({"Image": {"whichData": "all", "useObs": "00012345001"}})) == [
        (("Image", "useObs"), "Image useObs is '00012345001', but setting whichData to 'all' "
                              "means useObs must be unset", "remove useObs"),
        (("Image", "whichData"), "Image whichData is 'all', but setting useObs to "
                                 "'00012345001' means whichData must be 'user'",
         "remove whichData or useObs"),
    ]


def test_redshift_triggers() -> None:
    request, problems = build("X", BASE, {"Spectrum": {"redshift": 1.2}})
    assert problems == []
    assert request.products["Spectrum"] == {"hasRedshift": True, "redshift": 1.2,
                                            "galactic": True}
    # galactic is only suggested: an explicit value wins
    request, _ = build("X", BASE, {"Spectrum": {"redshift": 1.2, "galactic": False}})
    assert request.products["Spectrum"]["galactic"] is False
    request, problems = build("X", BASE, {"Spectrum": {"doNotFit": True}})
    assert problems == [] and request.products["Spectrum"]["hasRedshift"] is False


def test_position_products_share_their_parameters() -> None:
    request, problems = build("X", BASE, {"StandardPos": {"posRadius": 10},
                                          "AstromPos": {"useAllObs": True}, "EnhancedPos": {}})
    assert problems == []
    for product in ("StandardPos", "EnhancedPos", "AstromPos"):
        assert request.products[product]["posRadius"] == 10
    assert "useAllObs" not in request.products["StandardPos"]
    assert messages(rules({"StandardPos": {"posRadius": 10}, "EnhancedPos": {"posRadius": 12}})) \
        == [(("EnhancedPos", "posRadius"), "posRadius is shared by all position products, but "
             "StandardPos sets it to 10 and EnhancedPos to 12",
             "give posRadius one value (it applies to StandardPos, EnhancedPos)")]


def test_one_wire_key_for_two_products_must_agree() -> None:
    base_products = {"LightCurve": {"binMeth": "snapshot", "srcrad": 10},
                     "Spectrum": {"hasRedshift": False, "srcrad": 12}}
    assert messages(rules(base_products)) == [
        (("Spectrum", "srcrad"), "Spectrum srcrad (12) and LightCurve srcrad (10) travel as the "
                                 "one wire key 'srcrad'", "give both the same value"),
    ]
    base_products["Spectrum"]["srcrad"] = 10
    assert rules(base_products) == []


def test_build_does_not_mutate_its_inputs_and_sets_the_name() -> None:
    globals_ = dict(BASE)
    products = {"Image": {"useObs": "1"}}
    request, _ = build("My Source", globals_, products)
    assert globals_ == BASE and products == {"Image": {"useObs": "1"}}
    assert request == Request("My Source", {"name": "My Source", **_ordered_base(),
                                            "getTargs": False},
                              {"Image": {"whichData": "user", "useObs": "1"}})
    assert not request.source_detection_only


def _ordered_base() -> dict[str, Any]:
    return {k: BASE[k] for k in ("targ", "RA", "Dec", "centroid", "posErr", "useSXPS")}


def test_problems_are_unique() -> None:
    problems = rules({"LightCurve": {"binMeth": "counts"}, "Spectrum": {"timeslice": "user"}})
    keys = [(p.path, p.message) for p in problems]
    assert len(keys) == len(set(keys))


def test_the_ends_of_an_energy_band_must_be_in_order() -> None:
    lc = {"binMeth": "snapshot"}
    assert rules({"LightCurve": {**lc, "minEnergy": 2, "maxEnergy": 8, "softLo": 2,
                                 "softHi": 3, "hardLo": 3, "hardHi": 8}}) == []
    problems = rules({"LightCurve": {**lc, "softLo": 2, "softHi": 1.5, "minEnergy": 5,
                                     "maxEnergy": 5, "hardHi": 9}})
    assert messages(problems) == [
        (("LightCurve", "minEnergy"), "LightCurve minEnergy (5) must be below maxEnergy (5)",
         "lower minEnergy or raise maxEnergy"),
        (("LightCurve", "softLo"), "LightCurve softLo (2) must be below softHi (1.5)",
         "lower softLo or raise softHi"),
        (("LightCurve", "minEnergy"), "LightCurve minEnergy (5) must be at most softLo (2)",
         "lower minEnergy or raise softLo"),
        (("LightCurve", "hardHi"), "LightCurve hardHi (9) must be at most maxEnergy (5)",
         "lower hardHi or raise maxEnergy"),
    ]
    assert {p.follows_from for p in problems} >= {(("LightCurve", "softLo"),
                                                   ("LightCurve", "softHi"))}
    # an end left to the server's default is not judged; the server judges no order at all
    assert rules({"LightCurve": {**lc, "softLo": 2}}) == []
    assert build("X", BASE, {"LightCurve": {**lc, "softLo": 2, "softHi": 1.5}},
                 server_rules=True)[1] == []


def test_every_problem_says_what_it_follows_from() -> None:
    problems = build("X", {"targ": "1", "centroid": True}, {"LightCurve": {"binMeth": "counts"},
                                                           "Spectrum": {}})[1]
    follows = {p.message: p.follows_from for p in problems}
    assert follows["posErr is required when centroid is true"] == (("posErr",), ("centroid",))
    assert follows["RA is required"] == (("RA",), ("getCoords",), ("SourceDet",))
    assert follows["LightCurve pcCounts is required when binMeth is 'counts'"] == (
        ("LightCurve", "pcCounts"), ("LightCurve", "binMeth"))
    assert follows["Spectrum hasRedshift is required"] == (("Spectrum", "hasRedshift"),)
    nothing = build("X", BASE, {})[1]
    assert nothing[0].follows_from == tuple((p,) for p in ("LightCurve", "Spectrum",
                                                           "StandardPos", "EnhancedPos",
                                                           "AstromPos", "Image", "SourceDet"))
