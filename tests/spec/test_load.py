"""The spec loader: merging, the desired requests, and located, actionable errors."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler import spec
from reconciler.protocol import catalogue
from reconciler.protocol.catalogue import Kind
from reconciler.spec import durations, paramdoc
from reconciler.spec.diagnostics import SpecError

HEADER = """\
    version: 1
    defaults:
      centroid: true
      posErr: 1
      useSXPS: false
"""  # indented like the tests' own text, which is dedented as a whole


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(text: str, name: str = "spec.yaml") -> str:
    Path(name).write_text(textwrap.dedent(text), encoding="utf-8")
    return name


def problems(text: str) -> list[str]:
    loaded, found = spec.check(write(text))
    assert (loaded is None) == any(not d.warning for d in found)
    return [d.render() for d in found]


def load(text: str) -> spec.LoadedSpec:
    return spec.load(write(text))


# --- the desired state ----------------------------------------------------------------------------

DESIGN_SKETCH = """\
version: 1
user: me@example.org
limits:
  max_active_jobs: 5
  submissions_per_minute: 6
  poll_interval: 60s
defaults:
  centroid: true
  posErr: 1
  useSXPS: false
  LightCurve: {binMeth: counts, pcCounts: 20, wtCounts: 30, dynamic: true}
templates:
  grb: {LightCurve: {}, Spectrum: {hasRedshift: false}, StandardPos: {}}
sources:
  GRB 200416A:
    use: [grb]
    getCoords: true
    getTargs: true
    getT0: true
  GK Per:
    RA: 52.7990
    Dec: 43.9047
    targ: "00030842"
    LightCurve: {binMeth: snapshot}
    rebuild: {max_age: 30d}
"""


def test_design_sketch_loads_into_one_request_per_source() -> None:
    loaded = load(DESIGN_SKETCH)
    assert loaded.user == "me@example.org"
    assert loaded.limits.max_active_jobs == 5
    assert loaded.limits.poll_interval == timedelta(seconds=60)
    assert list(loaded.sources) == ["GRB 200416A", "GK Per"]
    grb = loaded.sources["GRB 200416A"].request
    assert grb.globals == {"name": "GRB 200416A", "centroid": True, "posErr": 1,
                           "useSXPS": False, "getCoords": True, "getTargs": True, "getT0": True}
    assert grb.products == {
        "LightCurve": {"binMeth": "counts", "pcCounts": 20, "wtCounts": 30, "dynamic": True},
        "Spectrum": {"hasRedshift": False},
        "StandardPos": {},
    }
    gk = loaded.sources["GK Per"]
    # the defaults' LightCurve values are merged under the source's own, per parameter
    assert gk.request.products == {"LightCurve": {"binMeth": "snapshot", "pcCounts": 20,
                                                  "wtCounts": 30, "dynamic": True}}
    assert gk.request.globals["targ"] == "00030842"
    assert gk.request.globals["getTargs"] is False  # implied by targ, as swifttools does
    assert gk.rebuild == spec.RebuildPolicy(max_age=timedelta(days=30))
    assert gk.position == (20, 3)
    assert loaded.sources["GRB 200416A"].rebuild == spec.RebuildPolicy(None, False, False)


def test_a_product_block_in_defaults_never_requests_the_product() -> None:
    loaded = load(HEADER + """\
      Image: {energies: "0.3-2"}
    sources:
      A: {RA: 1.5, Dec: 2.5, targ: "00012345", StandardPos: {}}
      B: {RA: 1.5, Dec: 2.5, targ: "00012345", Image: {}}
    """)
    assert list(loaded.sources["A"].request.products) == ["StandardPos"]
    assert loaded.sources["B"].request.products == {"Image": {"energies": "0.3-2"}}


def test_merge_order_defaults_then_templates_in_use_order_then_the_source() -> None:
    loaded = load(HEADER + """\
      LightCurve: {binMeth: counts, pcCounts: 1, wtCounts: 1, dynamic: true, minSig: 1}
    templates:
      first: {LightCurve: {pcCounts: 2, wtCounts: 2, minSig: 2}, posErr: 2}
      second: {LightCurve: {pcCounts: 3}, posErr: 3}
    sources:
      X:
        RA: 1.0
        Dec: 1.0
        targ: "00000001"
        use: [first, second]
        LightCurve: {wtCounts: 4}
      Y:
        RA: 1.0
        Dec: 1.0
        targ: "00000001"
        use: [second, first]
    """)
    x = loaded.sources["X"].request
    assert x.products["LightCurve"] == {"binMeth": "counts", "minSig": 2, "pcCounts": 3,
                                        "wtCounts": 4, "dynamic": True}
    assert x.globals["posErr"] == 3
    y = loaded.sources["Y"].request
    assert y.products["LightCurve"]["pcCounts"] == 2
    assert y.globals["posErr"] == 2


def test_implications_of_a_later_layer_override_inherited_values() -> None:
    loaded = load(HEADER + """\
      getTargs: true
      getCoords: true
    templates:
      afterglow: {Spectrum: {hasRedshift: false}}
    sources:
      GRB 221009A:
        use: [afterglow]
        targ: "01126853"
        Spectrum: {redshift: 0.151}
    """)
    request = loaded.sources["GRB 221009A"].request
    assert request.products["Spectrum"] == {"hasRedshift": True, "redshift": 0.151,
                                            "galactic": True}
    assert request.globals["getTargs"] is False
    assert request.globals["getCoords"] is True


def test_a_contradiction_within_one_block_is_still_an_error() -> None:
    found = problems(HEADER + """\
    sources:
      X:
        getCoords: true
        getTargs: true
        Spectrum: {hasRedshift: false, redshift: 0.3}
    """)
    assert found == [
        "spec.yaml:10:29: source 'X', Spectrum: hasRedshift is false, but setting redshift "
        "to 0.3 means hasRedshift must be true — remove hasRedshift or redshift",
    ]


def test_source_detection_only_needs_no_position_centroid_or_sxps() -> None:
    loaded = load("""\
    version: 1
    sources:
      Field: {targ: "00637212", SourceDet: {whichData: all}}
    """)
    assert loaded.sources["Field"].request.globals == {"name": "Field", "targ": "00637212",
                                                      "getTargs": False}


def test_every_catalogue_parameter_can_be_set_from_a_spec() -> None:
    """Each parameter reaches the request with its canonical value (the loader drops none)."""
    def sample(param: catalogue.Param) -> object:
        if param.kind is Kind.LIST:
            return [param.choices[-1]]
        if param.choices:
            return param.choices[0]
        if param.kind in (Kind.INT, Kind.FLOAT, Kind.NUMBER) and param.has_default:
            return param.default  # within bounds, and in order with its partners' defaults
        lo, _ = param.bounds
        if lo is not None:
            return int(lo) if param.kind is Kind.INT else lo
        return {Kind.STR: "abc", Kind.INT: 5, Kind.FLOAT: 2.5, Kind.NUMBER: 3,
                Kind.BOOL: True}[param.kind]

    def yaml(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str):
            return f'"{value}"'
        if isinstance(value, list):
            return "[" + ", ".join(yaml(v) for v in value) + "]"
        return repr(value)

    reached = 0
    skipped: list[str] = []
    for scope in ("globals", *catalogue.ALL_PRODUCTS):
        table = catalogue.GLOBALS if scope == "globals" else catalogue.PRODUCTS[scope].params
        for name, param in table.items():
            if name == "name" or param.fills:
                continue
            value = sample(param)
            block = f"{name}: {yaml(value)}" if scope == "globals" else \
                f"{scope}: {{{name}: {yaml(value)}}}"
            text = ("version: 1\ndefaults:\n  centroid: false\n  useSXPS: false\n"
                    "  getCoords: true\n  getTargs: true\n"
                    "  LightCurve: {binMeth: snapshot}\n  Spectrum: {hasRedshift: false}\n"
                    "  SourceDet: {whichData: all}\n"
                    "sources:\n  X:\n"
                    + ("    StandardPos: {}\n" if scope == "globals" else "")
                    + f"    {block}\n")
            loaded, found = spec.check(write(text))
            refused = ("unknown", ", not ", "is not a valid value", "outside the allowed range")
            assert not any(word in d.message for d in found for word in refused), \
                (scope, name, [d.render() for d in found])
            if loaded is None:  # a request rule needs a partner value; the loader took it
                skipped.append(f"{scope}.{name}")
                continue
            params = loaded.sources["X"].request.globals if scope == "globals" else \
                loaded.sources["X"].request.products[scope]
            assert params[name] == (tuple(value) if isinstance(value, list) else value)
            reached += 1
    # refused by request rules only: RA/Dec beside an inherited getCoords, and values whose
    # rule needs a partner (centroid: true -> posErr, counts -> pcCounts, ...)
    assert skipped == ["globals.RA", "globals.Dec", "globals.centroid", "LightCurve.binMeth",
                       "Spectrum.hasRedshift"]
    assert reached == sum(len(paramdoc.spec_params(s)) for s in ("globals",
                                                                 *catalogue.ALL_PRODUCTS)) \
        - sum(1 for p in catalogue.GLOBALS.values() if p.fills) - len(skipped)


def test_effective_user_precedence() -> None:
    assert spec.effective_user("spec@x.org", None, {}) == "spec@x.org"
    assert spec.effective_user("spec@x.org", None, {"XRT_USER": "env@x.org"}) == "env@x.org"
    assert spec.effective_user("spec@x.org", "cli@x.org", {"XRT_USER": "env@x.org"}) \
        == "cli@x.org"
    assert spec.effective_user(None, None, {"XRT_USER": ""}) is None


# --- errors: the four the issue names -------------------------------------------------------------

def test_misspelled_parameter() -> None:
    found = problems(HEADER + """\
    sources:
      GK Per:
        RA: 52.7990
        Dec: 43.9047
        targ: "00030842"
        LightCurve:
          binMeth: counts
          pcCount: 20
    """)
    # the typo is not also 'pcCounts is required'; what else counts binning needs still is
    assert found == [
        "spec.yaml:11:5: source 'GK Per', LightCurve: wtCounts is required when binMeth is "
        "'counts' — add wtCounts: <number>",
        "spec.yaml:11:5: source 'GK Per', LightCurve: dynamic is required when binMeth is "
        "'counts' — add dynamic: true or false",
        "spec.yaml:13:7: source 'GK Per', LightCurve: unknown parameter 'pcCount' — did you "
        "mean 'pcCounts'?",
    ]


def test_a_broken_value_does_not_hide_the_source_s_other_problems() -> None:
    # The typo is reported once (pcCounts is not also 'required'), and the rules still judge
    # the rest of the source (the Spectrum contradiction) and of the file.
    found = problems(HEADER + """\
    sources:
      GK Per:
        RA: 52.7990
        Dec: 43.9047
        targ: "00030842"
        LightCurve: {binMeth: counts, pcCount: 20, wtCounts: 30, dynamic: true}
        Spectrum: {redshift: 0.5, hasRedshift: false}
      V404 Cyg:
        RA: "306.0"
        Dec: 33.867
        targ: "00031757"
        Spectrum: {}
    """)
    assert found == [
        "spec.yaml:11:35: source 'GK Per', LightCurve: unknown parameter 'pcCount' — did you "
        "mean 'pcCounts'?",
        "spec.yaml:12:44: source 'GK Per', Spectrum: hasRedshift is false, but setting redshift "
        "to 0.5 means hasRedshift must be true — remove hasRedshift or redshift",
        "spec.yaml:14:9: source 'V404 Cyg': RA must be a number, not '306.0' — write a number "
        "without quotes",
        "spec.yaml:17:5: source 'V404 Cyg', Spectrum: hasRedshift is required — add "
        "hasRedshift: true or false",
    ]


def test_an_unknown_template_hides_only_what_it_might_have_supplied() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        use: [gbr]
        RA: 1.0
        Dec: 1.0
        targ: "1"
        getTargs: true
    """)
    assert found == [
        "spec.yaml:8:11: source 'A': unknown template 'gbr' — define it under templates:",
        "spec.yaml:12:15: source 'A': getTargs is true, but setting targ to '1' means getTargs "
        "must be false — remove getTargs or targ",
    ]


def test_wrong_type_targ_as_a_number_keeps_its_digits_in_the_fix() -> None:
    found = problems(HEADER + """\
    sources:
      GK Per:
        RA: 52.7990
        Dec: 43.9047
        targ: 00030842
        StandardPos: {}
    """)
    assert found == [
        "spec.yaml:10:11: source 'GK Per': targ must be text, but YAML reads 00030842 as the "
        "number 30842 — quote it: targ: \"00030842\"",
    ]


def test_wrong_type_and_bad_choice() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        RA: north
        Dec: 1.0
        targ: "1"
        LightCurve: {binMeth: count}
    """)
    assert found == [
        "spec.yaml:8:9: source 'A': RA must be a number, not 'north' — write a number without "
        "quotes",
        "spec.yaml:11:27: source 'A', LightCurve: 'count' is not a valid value for binMeth — "
        "did you mean 'counts'? allowed values: 'counts', 'time', 'snapshot', 'obsid'",
    ]


def test_missing_mandatory_parameter_points_at_the_product_block() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve: {}
    """)
    assert found == [
        "spec.yaml:11:5: source 'A', LightCurve: binMeth is required — add binMeth: one of "
        "'counts', 'time', 'snapshot', 'obsid'",
    ]


def test_missing_global_points_at_the_source_key() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        Dec: 1.0
        getTargs: true
        StandardPos: {}
    """)
    assert found == [
        "spec.yaml:7:3: source 'A': RA is required — add RA: <number>, or getCoords: true",
    ]


def test_broken_yaml_tab() -> None:
    found = problems("version: 1\nsources:\n  A:\n\tRA: 1\n")
    assert found == [
        "spec.yaml:4:1: YAML syntax error: a tab is used for indentation — indent with spaces: "
        "YAML does not allow tabs",
    ]


@pytest.mark.parametrize("text, at", [
    ("version: 1\nsources:\n  ? {a: 1}\n  : x\n", "3:5"),
    ("version: 1\nsources:\n  [a, b]: 1\n", "3:3"),
])
def test_a_mapping_or_list_as_a_key_is_located_not_a_crash(text: str, at: str) -> None:
    assert problems(text) == [
        f"spec.yaml:{at}: a key must be a plain name, not a mapping or a list — write the key "
        "as text (quote it if it contains ':', '{' or '[')",
    ]


@pytest.mark.parametrize("text, at", [
    ("version: 1\nsources: &s\n  A: *s\n", "3:3"),
    ("version: 1\nsources:\n  A: &x {<<: *x, targ: \"1\"}\n", "3:10"),  # crashed ruamel
    ("version: 1\nsources:\n  A: &x {use: [*x]}\n", "3:15"),
])
def test_an_alias_inside_its_own_anchor_is_located_not_a_crash(text: str, at: str) -> None:
    assert problems(text) == [
        f"spec.yaml:{at}: a YAML alias refers to the block that contains it — remove the "
        "recursive '*' alias",
    ]


def test_nesting_too_deep_for_the_parser_is_located_not_a_crash() -> None:
    flow = "version: 1\nsources:\n  A: {notify: " + "[" * 300 + "]" * 300 + "}\n"
    assert problems(flow) == [
        "spec.yaml:3:314: the YAML is nested 303 levels deep here, too deep to read — a spec "
        "needs a few levels: look for runaway brackets",
    ]
    block = "version: 1\nsources:\n" + "".join(f"{'  ' * i}a:\n" for i in range(1, 400))
    assert problems(block + "  " * 400 + "x: 1\n") == [
        "spec.yaml:402:801: the YAML is nested 401 levels deep here, too deep to read — a spec "
        "needs a few levels: look for runaway brackets",
    ]


def test_anchors_aliases_and_merge_keys_are_plain_values() -> None:
    loaded = load(HEADER + """\
      notify: &yes true
    templates:
      t: &t {LightCurve: {binMeth: snapshot}}
    sources:
      A: {<<: *t, RA: 1.0, Dec: 1.0, targ: "1", use: [t], getT0: *yes}
    """)
    request = loaded.sources["A"].request
    assert request.globals["notify"] is True and request.globals["getT0"] is True
    assert request.products == {"LightCurve": {"binMeth": "snapshot"}}


def test_broken_yaml_unclosed_flow_mapping() -> None:
    found = problems("version: 1\nsources:\n  A: {RA: 1, Dec: 2\n  B: {}\n")
    assert found == [
        "spec.yaml:3:6: YAML syntax error: this '{' is never closed — add the '}' that ends it "
        "(before the next key)",
    ]


# --- errors: where inherited values point ---------------------------------------------------------

def test_an_inherited_value_is_reported_where_it_is_written() -> None:
    found = problems("""\
    version: 1
    defaults:
      centroid: true
      posErr: 1
      useSXPS: false
      EnhancedPos: {whichData: hours}
    templates:
      pos: {EnhancedPos: {}}
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos], StandardPos: {whichData: all}}
      B: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos], StandardPos: {whichData: all}}
    """)
    # the shared position parameter disagrees with the default's value: reported at the
    # default's line, once, naming both sources
    assert found == [
        "spec.yaml:6:28: sources 'A' and 'B', EnhancedPos: whichData is shared by all position "
        "products, but StandardPos sets it to 'all' and EnhancedPos to 'hours' — give whichData "
        "one value (it applies to StandardPos, EnhancedPos)",
    ]


def test_one_broken_default_is_one_line_for_all_sources() -> None:
    found = problems("""\
    version: 1
    defaults:
      centroid: true
      posErr: 1
      useSXPS: false
      StandardPos: {posRadius: 10}
      EnhancedPos: {posRadius: 20}
    templates:
      pos: {StandardPos: {}, EnhancedPos: {}}
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos]}
      B: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos]}
      C: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos]}
      D: {RA: 1.0, Dec: 1.0, targ: "1", use: [pos]}
    """)
    assert found == [
        "spec.yaml:7:28: sources 'A', 'B', 'C' and 1 more, EnhancedPos: posRadius is shared by "
        "all position products, but StandardPos sets it to 10 and EnhancedPos to 20 — give "
        "posRadius one value (it applies to StandardPos, EnhancedPos)",
    ]


def test_missing_parameter_required_by_a_default_points_at_each_source() -> None:
    found = problems("""\
    version: 1
    defaults:
      centroid: true
      posErr: 1
      useSXPS: false
      Spectrum: {timeslice: user}
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: "1", Spectrum: {hasRedshift: false}}
      B: {RA: 1.0, Dec: 1.0, targ: "1", Spectrum: {hasRedshift: false}}
    """)
    assert found == [
        "spec.yaml:8:37: source 'A', Spectrum: rname1 is required when timeslice is 'user' — "
        "add rname1: \"...\"",
        "spec.yaml:8:37: source 'A', Spectrum: gti1 is required when timeslice is 'user' — "
        "add gti1: \"...\"",
        "spec.yaml:9:37: source 'B', Spectrum: rname1 is required when timeslice is 'user' — "
        "add rname1: \"...\"",
        "spec.yaml:9:37: source 'B', Spectrum: gti1 is required when timeslice is 'user' — "
        "add gti1: \"...\"",
    ]


def test_missing_value_of_a_template_product_points_at_the_source() -> None:
    found = problems(HEADER + """\
      LightCurve: {binMeth: counts}
    templates:
      lc: {LightCurve: {}}
    sources:
      A:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        use: [lc]
    """)
    assert found == [
        "spec.yaml:10:3: source 'A', LightCurve: pcCounts is required when binMeth is "
        "'counts' — add pcCounts: <number>",
        "spec.yaml:10:3: source 'A', LightCurve: wtCounts is required when binMeth is "
        "'counts' — add wtCounts: <number>",
        "spec.yaml:10:3: source 'A', LightCurve: dynamic is required when binMeth is "
        "'counts' — add dynamic: true or false",
    ]


# --- errors: all at once, one per mistake ---------------------------------------------------------

def test_all_problems_are_reported_in_one_pass_in_file_order() -> None:
    found = problems("""\
    version: 1
    usr: me@example.org
    limits: {max_active_jobs: 0, poll_interval: 60}
    defaults: {centroid: true, posErr: 1, useSXPS: false}
    templates:
      grb: {LightCurve: {binMeth: snapshot}}
    sources:
      GRB 200416A:
        use: [gbr]
        getCoords: true
        getTargs: true
      GK Per:
        cent: true
        binMeth: counts
        RA: 52.799
        Dec: 43.9047
        targ: "00030842"
        LightCurve: {centroid: true}
      V404 Cyg:
        RA: 306.0162
        Dec: 33.8673
        getTargs: true
        Spectrum: yes
      Nothing:
        RA: 1.0
        Dec: 2.0
        targ: "1"
    """)
    assert found == [
        "spec.yaml:2:1: unknown top-level key 'usr' — did you mean 'user'?",
        "spec.yaml:3:27: limits: max_active_jobs is 0, must be at least 1",
        "spec.yaml:3:45: limits: a duration needs a unit, not 60 — write it as 90s, 10m, 12h "
        "or 30d",
        "spec.yaml:6:3: warning: template 'grb' is not used by any source — remove it, or add "
        "it to a source's use list",
        "spec.yaml:9:11: source 'GRB 200416A': unknown template 'gbr' — did you mean 'grb'?",
        "spec.yaml:13:5: source 'GK Per': unknown parameter 'cent' — did you mean 'centroid'? "
        "('cent' is its name on the wire)",
        "spec.yaml:14:5: source 'GK Per': unknown parameter 'binMeth' — binMeth is a parameter "
        "of LightCurve: put it under LightCurve:",
        "spec.yaml:18:18: source 'GK Per', LightCurve: unknown parameter 'centroid' — centroid "
        "is a global parameter: move it out of LightCurve to the source level",
        "spec.yaml:23:15: source 'V404 Cyg': Spectrum must be a mapping, not 'yes' — write "
        "Spectrum: {} to request it with default parameters",
        "spec.yaml:24:3: source 'Nothing': requests no product — name a product (e.g. "
        "LightCurve: {}) or use a template that does",
    ]


def test_duplicate_source_names_are_all_reported() -> None:
    found = problems(HEADER + """\
    sources:
      GK Per: {RA: 1.0, Dec: 1.0, targ: "1", StandardPos: {}}
      GK Per: {RA: 1.0, Dec: 1.0, targ: "1", StandardPos: {}}
      V404 Cyg: {RA: 1.0, Dec: 1.0, targ: "1", StandardPos: {}, RA: 2.0}
      gk  per: {RA: 1.0, Dec: 1.0, targ: "1", StandardPos: {}}
    """)
    assert found == [
        "spec.yaml:8:3: two sources named 'GK Per' (the first is at line 7) — a source name "
        "is its job Name on the server: rename or merge them",
        "spec.yaml:9:61: source 'V404 Cyg': 'RA' is given twice (the first is at line 9) — "
        "keep one of them",
        "spec.yaml:10:3: sources 'GK Per' (line 7) and 'gk  per' differ only in case or "
        "spacing — jobs are matched by name on the server: use one spelling",
    ]


def test_name_is_not_a_parameter_and_wire_names_are_explained() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        name: other
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve: {binMeth: snapshot, lcobs: all, timeType: m}
    """)
    assert found == [
        "spec.yaml:8:5: source 'A': unknown parameter 'name' — the source key is the job name; "
        "rename the key instead",
        "spec.yaml:12:37: source 'A', LightCurve: unknown parameter 'lcobs' — did you mean "
        "'whichData'? ('lcobs' is its name on the wire)",
        "spec.yaml:12:49: warning: source 'A', LightCurve: timeType is deprecated — rename it "
        "to timeFormat",
    ]


def test_deprecated_alias_warns_and_maps_to_the_current_name() -> None:
    loaded, found = spec.check(write(HEADER + """\
    sources:
      A:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve: {binMeth: snapshot, timeType: m}
    """))
    assert loaded is not None
    assert [d.render() for d in found] == [
        "spec.yaml:11:37: warning: source 'A', LightCurve: timeType is deprecated — rename it "
        "to timeFormat",
    ]
    assert loaded.sources["A"].request.products["LightCurve"]["timeFormat"] == "m"
    assert loaded.warnings == found


def test_alias_and_current_name_together_is_an_error() -> None:
    found = problems(HEADER + """\
    sources:
      A:
        RA: 1.0
        Dec: 1.0
        targ: "1"
        LightCurve: {binMeth: snapshot, timeType: m, timeFormat: s}
    """)
    assert found == [
        "spec.yaml:11:37: source 'A', LightCurve: both timeFormat and its deprecated alias "
        "timeType are given — remove timeType",
    ]


def test_a_source_named_like_a_product_or_rebuild_is_still_a_source() -> None:
    found = problems("""\
    version: 1
    sources:
      LightCurve: {targ: 0001, SourceDet: {whichData: all}, targz: 2}
      rebuild: {targ: "1", SourceDet: {whichData: all}, rebuild: {max_agee: 1d}, cent: 1}
      Image: yes
    """)
    assert found == [
        "spec.yaml:3:22: source 'LightCurve': targ must be text, but YAML reads 0001 as the "
        "number 1 — quote it: targ: \"0001\"",
        "spec.yaml:3:57: source 'LightCurve': unknown parameter 'targz' — did you mean 'targ'?",
        "spec.yaml:4:63: source 'rebuild': unknown key 'max_agee' in rebuild — did you mean "
        "'max_age'?",
        "spec.yaml:4:78: source 'rebuild': unknown parameter 'cent' — did you mean 'centroid'? "
        "('cent' is its name on the wire)",
        "spec.yaml:5:10: source 'Image': Image must be a mapping, not 'yes' — indent its entries "
        "under it, as 'key: value' lines",
    ]


def test_parameter_of_another_product() -> None:
    found = problems("""\
    version: 1
    sources:
      F: {targ: "1", SourceDet: {whichData: all, binMeth: counts}}
    """)
    assert found == [
        "spec.yaml:3:46: source 'F', SourceDet: unknown parameter 'binMeth' — binMeth is a "
        "parameter of LightCurve, not of SourceDet",
    ]


def test_template_and_use_problems() -> None:
    found = problems(HEADER + """\
    templates:
      lc: {LightCurve: {binMeth: snapshot}, use: [other]}
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: "1", use: lc}
      B: {RA: 1.0, Dec: 1.0, targ: "1", use: [lc, lc]}
    """)
    assert found == [
        "spec.yaml:7:41: template 'lc': unknown parameter 'use' — use is only allowed in a "
        "source",
        "spec.yaml:9:42: source 'A': use must be a list of template names — write use: [lc]",
        "spec.yaml:10:47: source 'B': template 'lc' is listed twice in use — list it once",
    ]


@pytest.mark.parametrize(("text", "expected"), [
    ("", "spec.yaml:1:1: the spec is empty — start with 'version: 1' and a 'sources:' mapping "
         "(see examples/)"),
    ("# nothing here\n", "spec.yaml:1:1: the spec is empty — start with 'version: 1' and a "
                         "'sources:' mapping (see examples/)"),
    ("- a\n- b\n", "spec.yaml:1:1: a spec is a mapping (version:, sources:, ...), not a list — "
                   "see examples/ for the layout"),
    ("version: 1\n", "spec.yaml:1:1: sources is missing — add a 'sources:' mapping with at "
                     "least one source"),
    ("version: 2\nsources: {}\n", "spec.yaml:1:10: unsupported spec version 2 — this "
                                  "xrt-reconcile reads version: 1"),
    ("sources: {}\n", "spec.yaml:1:1: version is missing — add 'version: 1' at the top of the "
                      "file"),
    ("version: 1\nsources: [a]\n", "spec.yaml:2:10: sources must be a mapping, not ['a'] — "
                                   "indent its entries under it, as 'key: value' lines"),
    ("version: 1\nsources:\n  A: !secret x\n", "spec.yaml:3:6: unsupported YAML tag !secret — "
                                               "remove the tag; specs use plain YAML values"),
    ("version: 1\nsources:\n  A: !!int x\n", "spec.yaml:3:6: unsupported YAML tag !!int — remove "
                                            "the tag; specs use plain YAML values"),  # crashed
    ("version: 1\nsources:\n  A: !<tag:yaml.org,2002:bool> maybe\n",
     "spec.yaml:3:6: unsupported YAML tag !!bool — remove the tag; specs use plain YAML values"),
    ("version: 1\nsources:\n  !!float x: {}\n", "spec.yaml:3:3: unsupported YAML tag !!float — "
                                               "remove the tag; specs use plain YAML values"),
    ("version: 1\nsources:\n  1987: {}\n", "spec.yaml:3:3: the key '1987' is not text — quote "
                                          "it: \"1987\":"),
    ("version: 1\nsources:\n  ' A': {}\n", "spec.yaml:3:3: source name ' A' starts or ends with "
                                           "spaces — write it as 'A'"),
    ("version: 1\nsources:\n  \"A\\tB\": {}\n", "spec.yaml:3:3: source name 'A\\tB' contains a "
                                             "control character — remove it"),
    ("version: 1\nuser: someone\nsources: {}\n",
     "spec.yaml:2:7: user must be the e-mail address registered with the UKSSDC, not "
     "'someone' — write user: you@example.org"),
    ("version: 1\nuser: |\n  me@example.org\nsources: {}\n",  # a UserID ending in a newline
     "spec.yaml:2:7: user must be the e-mail address registered with the UKSSDC, not "
     "'me@example.org\\n' — write user: you@example.org"),
    ("version: 1\nserver: \"http://x.org\\n\"\nsources: {}\n",
     "spec.yaml:2:9: server must be an http(s) URL or the word sim, not 'http://x.org\\n' — "
     "e.g. server: https://www.swift.ac.uk/user_objects"),
])
def test_shape_errors(text: str, expected: str) -> None:
    assert [line for line in problems(text) if ": warning: " not in line] == [expected]


def test_empty_sources_is_valid_with_a_warning() -> None:
    loaded, found = spec.check(write("version: 1\nsources: {}\n"))
    assert loaded is not None and loaded.sources == {}
    assert [d.render() for d in found] == [
        "spec.yaml:2:1: warning: no sources — add a source under sources:"]


def test_a_comment_after_a_key_whose_value_is_on_the_next_line() -> None:
    # valid YAML that ruamel's comment tracking crashed on ('overlap in comment')
    loaded = load("version: 1\nuser:  # the registered e-mail\n  me@example.org\n\nsources: {}\n")
    assert loaded.user == "me@example.org"


def test_str_tag_keeps_leading_zeros() -> None:
    loaded = load(HEADER + """\
    sources:
      A: {RA: 1.0, Dec: 1.0, targ: !!str 00030842, StandardPos: {}}
    """)
    assert loaded.sources["A"].request.globals["targ"] == "00030842"


@pytest.mark.parametrize(("value", "expected"), [
    ("90s", timedelta(seconds=90)), ("10m", timedelta(minutes=10)),
    ("12h", timedelta(hours=12)), ("30d", timedelta(days=30)),
    ("0.2s", timedelta(milliseconds=200)), ("1.5m", timedelta(seconds=90)),
    ("0.5d", timedelta(hours=12)), ("0.000001s", timedelta(microseconds=1)),
])
def test_durations(value: str, expected: timedelta) -> None:
    loaded = load(f"version: 1\nlimits: {{poll_interval: {value}}}\nsources: {{}}\n")
    assert loaded.limits.poll_interval == expected


@pytest.mark.parametrize(("duration", "text"), [
    (timedelta(milliseconds=200), "0.2s"), (timedelta(seconds=90), "90s"),
    (timedelta(hours=24), "1d"), (timedelta(seconds=1.5), "1.5s"),
    (timedelta(days=1, microseconds=1), "86400.000001s"),
])
def test_durations_are_spelled_shortest_and_exact(duration: timedelta, text: str) -> None:
    assert durations.spell(duration) == text


@given(st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=10**6)))
def test_a_spelled_duration_reads_back_as_itself(duration: timedelta) -> None:
    assert durations.parse(durations.spell(duration)) == duration


@pytest.mark.parametrize(("value", "message"), [
    ("1w", "'1w' is not a duration — write it as 90s, 10m, 12h or 30d"),
    ("PT1M", "'PT1M' is not a duration — write it as 90s, 10m, 12h or 30d"),
    ("0s", "the duration '0s' is zero — use a positive duration"),
    ("0.0s", "the duration '0.0s' is zero — use a positive duration"),
    ("-5s", "'-5s' is negative — use a positive duration"),
    ("1.5", "a duration needs a unit, not 1.5 — write it as 90s, 10m, 12h or 30d"),
    ("'1.s'", "'1.s' is not a duration — write it as 90s, 10m, 12h or 30d"),
    ("99999999999999d", "'99999999999999d' is too long a duration — write it as 90s, 10m, 12h "
                        "or 30d"),
])
def test_bad_durations(value: str, message: str) -> None:
    found = problems(f"version: 1\nsources:\n  A: {{rebuild: {{max_age: {value}}}, targ: '1', "
                     "SourceDet: {whichData: all}}\n")
    assert found == [f"spec.yaml:3:26: source 'A': {message}"]


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_submission_rate_must_be_a_finite_number(value: str) -> None:
    found = problems(f"version: 1\nlimits: {{submissions_per_minute: {value}}}\nsources: {{}}\n")
    assert found == [f"spec.yaml:2:34: limits: submissions_per_minute must be a number, not "
                     f"{value} — write submissions_per_minute: <number>",
                     "spec.yaml:3:1: warning: no sources — add a source under sources:"]


def test_an_empty_poll_interval_is_empty_not_none() -> None:
    found = problems("version: 1\nlimits:\n  poll_interval:\nsources: {}\n")
    assert found[0] == "spec.yaml:3:3: limits: the duration is empty — write it as 90s, 10m, " \
                       "12h or 30d"


def test_limits_have_documented_defaults() -> None:
    loaded = load("version: 1\nsources: {}\n")
    assert (loaded.limits.max_active_jobs, loaded.limits.submissions_per_minute,
            loaded.limits.poll_interval, loaded.limits.max_submissions_per_run) == \
        (5, 6, timedelta(seconds=60), 100)


def test_the_per_run_submission_cap_is_a_whole_number_of_at_least_one() -> None:
    loaded = load("version: 1\nlimits: {max_submissions_per_run: 3}\nsources: {}\n")
    assert loaded.limits.max_submissions_per_run == 3
    found = problems("version: 1\nlimits: {max_submissions_per_run: 0}\nsources:\n"
                     "  A: {targ: '1', SourceDet: {whichData: all}}\n")
    assert found == ["spec.yaml:2:35: limits: max_submissions_per_run is 0, must be at least 1"]


REBUILD_LAYERS = """\
version: 1
defaults:
  rebuild: {max_age: 30d, expired: true}
  SourceDet: {whichData: all}
templates:
  t: {rebuild: {failed: true}}
  u: {rebuild: {max_age: 7d}}
sources:
  A: {targ: "1", SourceDet: {}, use: [t, u]}
  B: {targ: "1", SourceDet: {}, use: [u, t], rebuild: {expired: false, max_age: null}}
  C: {targ: "1", SourceDet: {}}
"""


def test_rebuild_is_merged_per_key_defaults_then_templates_in_use_order_then_the_source() -> None:
    sources = load(REBUILD_LAYERS).sources
    policy = spec.RebuildPolicy
    assert sources["A"].rebuild == policy(max_age=timedelta(days=7), expired=True, failed=True)
    assert sources["B"].rebuild == policy(max_age=None, expired=False, failed=True)
    assert sources["C"].rebuild == policy(max_age=timedelta(days=30), expired=True, failed=False)


def test_rebuild_switches_are_true_or_false() -> None:
    found = problems(REBUILD_LAYERS.replace("{failed: true}", "{failed: yes, maxage: 1d}"))
    assert found == [
        "spec.yaml:6:25: template 't': failed must be true or false, not 'yes' — write "
        "failed: true or failed: false",
        "spec.yaml:6:30: template 't': unknown key 'maxage' in rebuild — did you mean "
        "'max_age'?",
    ]


@pytest.mark.parametrize(("setup", "expected"), [
    (lambda: None, "nope.yaml: no such file — check the path (specs are YAML files, e.g. "
                   "sources.yaml)"),
    (lambda: Path("nope.yaml").mkdir(), "nope.yaml: is a directory, not a spec file — name "
                                        "the YAML files in it, e.g. nope.yaml/*.yaml"),
    (lambda: Path("nope.yaml").write_bytes(b"version: 1\nsources:\n  Caf\xe9: {}\n"),
     "nope.yaml:3:6: the file is not UTF-8 text (byte 0xe9) — save the file as UTF-8"),
    (lambda: Path("nope.yaml").write_bytes(b"version: 1\x07\n"),
     "nope.yaml:1:11: the file contains a character YAML does not allow (#x0007) — remove it "
     "(control characters must be written as escapes inside double quotes)"),
])
def test_unreadable_files(setup, expected: str) -> None:  # type: ignore[no-untyped-def]
    setup()
    loaded, found = spec.check("nope.yaml")
    assert loaded is None
    assert [d.render() for d in found] == [expected]


def test_load_raises_with_every_problem() -> None:
    write(HEADER + """\
    sources:
      A: {RA: x, Dec: y, targ: "1", StandardPos: {}}
    """)
    with pytest.raises(SpecError) as caught:
        spec.load("spec.yaml")
    assert [d.line for d in caught.value.diagnostics] == [7, 7]
    assert str(caught.value).endswith("2 errors")


def test_utf8_bom_and_non_ascii_names_are_fine() -> None:
    Path("spec.yaml").write_bytes("\ufeffversion: 1\nsources:\n  Nova Sco 2023 – V1716 Sco: "
                                  "{targ: \"1\", SourceDet: {whichData: all}}\n".encode())
    loaded = spec.load("spec.yaml")
    assert list(loaded.sources) == ["Nova Sco 2023 – V1716 Sco"]


# --- never a traceback ------------------------------------------------------------------------------

_EXAMPLE_TEXT = (Path(__file__).resolve().parents[2] / "examples" / "grb-followup.yaml").read_text(
    encoding="utf-8")
_NOISE = [*" :\t\n-{}[],'\"#&*!|>%@`?0123456789abcxyz<",  # and YAML's odder corners:
          "&a ", "*a", "<<: *a", "!!int ", "!!str ", "? ", "  # note\n  ", "[" * 300]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(_EXAMPLE_TEXT) - 1), st.sampled_from(_NOISE),
                                st.sampled_from(["replace", "delete", "insert"])),
                      min_size=1, max_size=8))
def test_a_mangled_spec_gives_located_diagnostics_never_an_exception(edits) -> None:
    chars = list(_EXAMPLE_TEXT)
    for position, char, op in edits:
        position = min(position, len(chars) - 1)
        if op == "replace":
            chars[position] = char
        elif op == "delete":
            del chars[position]
        else:
            chars.insert(position, char)
    Path("mangled.yaml").write_text("".join(chars), encoding="utf-8")
    loaded, found = spec.check("mangled.yaml")
    assert (loaded is None) == any(not d.warning for d in found)
    line_count = max(1, len("".join(chars).splitlines()))
    for diagnostic in found:
        assert 1 <= diagnostic.line <= line_count + 1
        assert diagnostic.render().startswith(f"mangled.yaml:{diagnostic.line}:")


def test_a_value_the_yaml_reader_refused_does_not_skip_its_source() -> None:
    found = problems("""\
    version: 1
    defaults: {centroid: true, useSXPS: false}
    sources:
      A: {RA: !!binary x, Dec: 1.0, targ: "1", StandardPos: {}}
      B: {targ: "1", SourceDet: !!set {whichData: all}}
    """)
    # the tagged RA is not also 'required', nor is B's product missing, but posErr still is
    assert found == [
        "spec.yaml:4:3: source 'A': posErr is required when centroid is true — add posErr: "
        "<number>",
        "spec.yaml:4:11: unsupported YAML tag !!binary — remove the tag; specs use plain YAML "
        "values",
        "spec.yaml:5:3: source 'B': posErr is required when centroid is true — add posErr: "
        "<number>",
        "spec.yaml:5:29: unsupported YAML tag !!set — remove the tag; specs use plain YAML "
        "values",
    ]
