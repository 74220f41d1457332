"""Hostile spec input (issue 9, item 3): whatever a spec file holds, `validate` and `plan` answer
with located errors, never an exception; aliases cannot blow up; no tag builds an object; a
file over the size limit is refused before it is parsed."""

from __future__ import annotations

import io
import sys
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reconciler import spec
from reconciler.cli import main
from reconciler.protocol import catalogue
from reconciler.spec import bounds, fastyaml, yamlsrc
from reconciler.spec.diagnostics import SpecError, errors
from reconciler.spec.load import check_fast
from reconciler.spec.models import LIMIT_KEYS, REBUILD_KEYS, TOP_KEYS
from tests.plan.support import Server, plan
from tests.strategies import request_inputs


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def located(text: str | bytes, name: str = "spec.yaml") -> tuple[Any, list[str]]:
    """check() of the text: the spec, and the diagnostics, each asserted to be located."""
    Path(name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    loaded, found = spec.check(name)
    assert (loaded is None) == bool(errors(found))
    lines = len((text if isinstance(text, str) else text.decode("utf-8", "replace"))
                .splitlines()) + 1
    for diagnostic in found:
        assert 1 <= diagnostic.line <= lines and diagnostic.col >= 1, diagnostic
        assert diagnostic.render().startswith(f"{name}:{diagnostic.line}:{diagnostic.col}: ")
    return loaded, [d.render() for d in found]


def planned(loaded: spec.LoadedSpec) -> None:
    """The plan of a loaded spec against an empty history: every source created."""
    result = plan(loaded.sources, Server())
    assert {s.source for s in result.sources} == set(loaded.sources)


# --- generated documents -----------------------------------------------------------------------

_PARAMS = sorted({n for scope in (catalogue.GLOBAL_SCOPE, *catalogue.ALL_PRODUCTS)
                  for n in catalogue.python_names(scope)})
_KEYS = st.one_of(st.sampled_from([*_PARAMS, *catalogue.ALL_PRODUCTS, *TOP_KEYS, *LIMIT_KEYS,
                                   *REBUILD_KEYS, "use", "rebuild", "<<"]),
                  st.text(max_size=12), st.integers(-5, 5), st.booleans(), st.none())
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["counts", "snapshot", "all", "user", "30d", "0.5s", "-1m", "00030842", "1e3",
                     "yes", "~", "2024-01-31", "x" * 3000, "1" * 5000]),
    st.dates(),
)
_DATA = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=5)), max_leaves=25)


#: what a block of a generated spec outline holds: parameter names, products and others
_BLOCK_KEYS = st.lists(st.sampled_from([*_PARAMS[:40], *catalogue.ALL_PRODUCTS, "use", "rebuild",
                                        "nope"]), max_size=6, unique=True)
_BLOCK_VALUES = st.one_of(_SCALARS, st.dictionaries(st.sampled_from(_PARAMS), _SCALARS,
                                                    max_size=3), _DATA)
_NAMES = st.one_of(st.text(max_size=10), st.integers(0, 9))
#: valid requests, drawn from the catalogue
_REQUESTS = st.lists(request_inputs(), min_size=1, max_size=2)


@st.composite
def _spec_shaped(draw: st.DrawFn) -> dict[Any, Any]:
    """A spec's outline with anything in it: known keys and unknown ones, right and wrong
    types, products holding anything, templates used or not."""
    def block() -> Any:
        if draw(st.integers(0, 9)) == 0:
            return draw(st.sampled_from([None, [], "x"]))
        return {k: draw(_BLOCK_VALUES) for k in draw(_BLOCK_KEYS)}
    doc: dict[Any, Any] = {"version": draw(st.sampled_from([1, 1, 1, 2, "1", None]))}
    if draw(st.booleans()):
        doc["user"] = draw(st.sampled_from(["a@b.org", "nope", 5, None]))
    if draw(st.booleans()):
        doc["limits"] = draw(st.dictionaries(st.sampled_from([*LIMIT_KEYS, "x"]), _SCALARS,
                                             max_size=3))
    if draw(st.booleans()):
        doc["defaults"] = block()
    if draw(st.booleans()):
        doc["templates"] = {draw(_NAMES): block() for _ in range(draw(st.integers(0, 2)))}
    doc["sources"] = {draw(_NAMES): block() for _ in range(draw(st.integers(0, 4)))}
    if draw(st.integers(0, 4)) == 0:
        doc[draw(st.text(max_size=8))] = draw(_DATA)
    return doc


@st.composite
def _nearly_valid(draw: st.DrawFn) -> dict[str, Any]:
    """A valid spec (requests drawn from the catalogue), then perhaps a change or two: a wrong
    type, an unknown key, a key gone, a product block emptied to null."""
    sources = {}
    for inputs in draw(_REQUESTS):
        block: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v
                                 for k, v in inputs.globals.items()}
        block.update({p: {k: list(v) if isinstance(v, tuple) else v for k, v in ps.items()}
                      for p, ps in inputs.products.items()})
        sources[inputs.name] = block
    doc: dict[str, Any] = {"version": 1, "sources": sources}
    for _ in range(draw(st.integers(0, 2))):
        name = draw(st.sampled_from(sorted(sources)))
        block = sources[name]
        change = draw(st.sampled_from(["value", "unknown", "gone", "null product", "top"]))
        if change == "value" and block:
            block[draw(st.sampled_from(sorted(block)))] = draw(_DATA)
        elif change == "unknown":
            block[draw(st.text(min_size=1, max_size=8))] = draw(_SCALARS)
        elif change == "gone" and block:
            del block[draw(st.sampled_from(sorted(block)))]
        elif change == "null product":
            block[draw(st.sampled_from(catalogue.ALL_PRODUCTS))] = None
        else:
            doc[draw(st.sampled_from([*TOP_KEYS, "extra"]))] = draw(_DATA)
    return doc


def _dump(data: Any, flow: bool | None) -> str:
    return yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, width=60)


_TOKENS = [*"-:{}[],'\"#&*!|>%?@`~\t\n ", "a", "1", "key: ", "- ", "  ", "&a ", "*a", "<<: ",
           "!!str ", "!!python/object:os.system ", "!foo ", "---\n", "...\n", "%YAML 1.2\n",
           "version: 1\n", "sources:\n", "  A:\n", "    RA: 1\n", "    LightCurve: {}\n",
           "\u2028", "\x85", "\r", "\ufeff", "\x00", "\x07", "é", "\U0001f600"]

_DOCUMENTS = st.one_of(
    st.tuples(_nearly_valid(), st.sampled_from([None, True, False])).map(lambda t: _dump(*t)),
    st.tuples(_spec_shaped(), st.sampled_from([None, True, False])).map(lambda t: _dump(*t)),
    st.tuples(_DATA, st.sampled_from([None, True, False])).map(lambda t: _dump(*t)),
    st.lists(st.sampled_from(_TOKENS), max_size=40).map("".join),
    st.tuples(st.sampled_from(["[", "{a: ", "- ", "a:\n "]), st.integers(1, 3000)).map(
        lambda t: t[0] * t[1] + "x"),
    st.text(max_size=200),
)


@settings(max_examples=1000, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(text=_DOCUMENTS)
def test_any_document_gives_located_errors_or_a_spec_that_plans(text: str) -> None:
    loaded, found = located(text)
    event("planned" if loaded is not None else "refused" if found else "no diagnostics")
    if loaded is not None:
        planned(loaded)


def test_a_valid_spec_as_a_yaml_dumper_writes_it_plans() -> None:
    loaded, found = located(_dump({"version": 1, "defaults": {"centroid": False,
                                                              "useSXPS": False},
                                   "sources": {"A": {"targ": "1", "RA": 1, "Dec": 2,
                                                     "Image": None}}}, None))
    assert found == [] and loaded is not None
    planned(loaded)


@pytest.mark.parametrize("text", [
    "version: 1\nsources:\n  A: {targ: '1', RA: 1, Dec: 2, centroid: false, useSXPS: false, "
    "Image: {}, name: " + "n" * 200_000 + "}\n",
    "version: 1\nsources:\n  " + "S" * 300_000 + ": {targ: '1', SourceDet: {}}\n",
    "version: 1\nsources:\n  A: {targ: '" + "1" * 500_000 + "', SourceDet: {}}\n",
    "version: 1\nsources:\n  A: {RA: 1" + "0" * 5000 + ", Dec: 1, targ: '1', Image: {}}\n",
    "version: 1\nsources: " + "[" * 50_000 + "\n",
    "version: 1\nsources:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1500)),
    "version: 1\nsources:\n  A: " + "- " * 5000 + "x\n",
])
def test_huge_values_and_deep_nesting_are_located_errors(text: str) -> None:
    loaded, found = located(text)
    assert loaded is None and found


def test_a_huge_valid_value_still_plans() -> None:
    targ = "1" * 100_000
    loaded, found = located(f"version: 1\nsources:\n  A: {{targ: '{targ}', "
                            "SourceDet: {whichData: all}}\n")
    assert found == [] and loaded is not None
    assert loaded.sources["A"].request.globals["targ"] == targ
    planned(loaded)


def test_a_number_too_long_for_python_is_refused_by_both_readers() -> None:
    text = "version: 1\nsources:\n  A:\n    RA: " + "1" * 5000 + "\n    SourceDet: {}\n"
    Path("spec.yaml").write_text(text, encoding="utf-8")
    expected = ("spec.yaml:4:9: a number with 5,000 digits is too long to read — no parameter "
                "takes such a number; quote it if it is text")
    for check in (spec.check, spec.check_located):
        loaded, found = check("spec.yaml")
        assert loaded is None and expected in [d.render() for d in found]


# --- aliases --------------------------------------------------------------------------------------

#: the classic: ten anchors of ten aliases each, 10**10 nodes from a few hundred bytes
LAUGHS = "".join(
    [f"l0: &l0 [{', '.join(['lol'] * 10)}]\n"]
    + [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 10)]
)


_MAPS = "version: 1\nsources:\n" + "".join(
    f"  S{n}: &s{n} {{{', '.join(f'k{k}: *s{n - 1}' if n else f'k{k}: 1' for k in range(10))}}}\n"
    for n in range(10))
_ONE_LINE = "version: 1\nsources: {" + ", ".join(
    f"a{n}: &a{n} [{', '.join([f'*a{n - 1}' if n else 'x'] * 10)}]" for n in range(10)) + "}\n"


@pytest.mark.parametrize(("text", "where"), [
    # l5 = [*l4 x 10], l4 being 111,111 nodes: its eighth alias crosses a million
    (f"version: 1\n{LAUGHS}sources: {{}}\n", (7, 45)),
    (_MAPS, (8, 43)),
    (_ONE_LINE, (2, 335)),
])
def test_an_alias_bomb_is_refused_where_it_crosses_the_budget(text: str,
                                                              where: tuple[int, int]) -> None:
    assert len(text) < 2000
    tracemalloc.start()
    try:
        loaded, found = located(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded is None and len(found) == 1
    assert found[0] == (f"spec.yaml:{where[0]}:{where[1]}: the YAML grows past 1,000,000 values "
                        "here (each '*' alias counts the whole block it repeats) — write the "
                        "blocks out, or use templates; no spec needs this many")
    assert peak < 20 * 1024 * 1024  # nothing was expanded
    # the located reader alone counts the same and stops at the same alias
    assert [d.render() for d in spec.check_located("spec.yaml")[1]] == found


def test_a_bomb_behind_something_the_fast_reader_leaves_alone_is_refused_before_ruamel(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # a tag sends the file to the located reader; libyaml's count refuses it before ruamel
    monkeypatch.setattr(yamlsrc, "_yaml", lambda *a, **k: pytest.fail("parsed by ruamel"))
    loaded, found = located(f"version: !!int 1\n{LAUGHS}")
    assert loaded is None and found[0].startswith("spec.yaml:7:45: the YAML grows past")


def test_aliases_within_the_budget_are_read_alike_by_both_readers() -> None:
    text = ("version: 1\ndefaults: &d {centroid: true, posErr: 1, useSXPS: false}\nsources:\n"
            "  A: &a {RA: 1, Dec: 2, targ: '1', LightCurve: &lc {binMeth: snapshot}}\n"
            "  B: {RA: 3, Dec: 4, targ: '2', LightCurve: *lc, StandardPos: {}}\n")
    loaded, found = located(text)
    assert found == [] and loaded is not None and check_fast("spec.yaml") == loaded
    assert loaded.sources["B"].request.products["LightCurve"] == {"binMeth": "snapshot"}


# --- tags -----------------------------------------------------------------------------------------

_UNSUPPORTED = "unsupported YAML tag "
_TAGS = [
    ("!!python/object/apply:os.system [touch pwned]", _UNSUPPORTED),
    ("!!python/object/apply:builtins.open [pwned, w]", _UNSUPPORTED),
    ("!!python/object/new:builtins.open [pwned, w]", _UNSUPPORTED),
    ("!!python/object:builtins.object {}", _UNSUPPORTED),
    ("!!python/name:os.system", _UNSUPPORTED),
    ("!!python/module:os", _UNSUPPORTED),
    ("!!python/tuple [1, 2]", _UNSUPPORTED),
    ("!<tag:yaml.org,2002:python/object/apply:os.system> [touch pwned]", _UNSUPPORTED),
    ("!!binary aGVsbG8=", _UNSUPPORTED),
    ("!!set {a: null}", _UNSUPPORTED),
    ("!!omap [a: 1]", _UNSUPPORTED),
    ("!!float 1", _UNSUPPORTED),
    ("!local x", _UNSUPPORTED),
    # tags YAML itself gives these values: plain values, judged as such
    ("!!timestamp 2024-01-31", "RA must be a number, not 2024-01-31"),
    ("! x", "RA must be a number, not 'x'"),
]


@pytest.mark.parametrize(("tagged", "message"), _TAGS)
def test_no_tag_builds_an_object_in_either_reader(tagged: str, message: str) -> None:
    text = ("version: 1\ndefaults: {centroid: false, useSXPS: false}\nsources:\n  A:\n"
            f"    targ: '1'\n    RA: {tagged}\n    Dec: 1\n    Image: {{}}\n")
    Path("spec.yaml").write_text(text, encoding="utf-8")
    assert fastyaml.read(text, "spec.yaml") is None  # the fast reader never reads a tag
    for check in (spec.check, spec.check_located):
        loaded, found = check("spec.yaml")
        assert loaded is None and (found[0].line, found[0].col) == (6, 9)
        assert found[0].message.startswith(message)
    plain = (str, int, float, bool, type(None), dict, list, date)
    assert all(type(v) in plain for v in yamlsrc.read("spec.yaml").data["sources"]["A"].values())
    assert not Path("pwned").exists()


def test_a_tag_directive_cannot_reach_python_either() -> None:
    text = ("%TAG !p! tag:yaml.org,2002:python/object/apply:\n---\nversion: 1\n"
            "sources:\n  A: {targ: !p!os.system [touch pwned], SourceDet: {}}\n")
    loaded, found = located(text)
    assert loaded is None and found[0].startswith("spec.yaml:5:13: unsupported YAML tag")
    assert not Path("pwned").exists()


# --- the size limit -------------------------------------------------------------------------------

VALID = "version: 1\nsources:\n  A: {targ: '1', SourceDet: {whichData: all}}\n"
TOO_LARGE = ("spec.yaml: the file is larger than 8 MiB, the most a spec may be — split the "
             "sources into several spec files (validate and plan each; see 'Several spec files' "
             "in the README)")


def _padded(size: int) -> bytes:
    """VALID, made exactly ``size`` bytes long by a comment."""
    head = VALID.encode() + b"# "
    return head + b"x" * (size - len(head) - 1) + b"\n"


def test_a_spec_at_the_size_limit_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded, found = located(_padded(bounds.MAX_BYTES))
    assert found == [] and loaded is not None


def test_a_spec_over_the_size_limit_is_refused_before_it_is_parsed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    Path("spec.yaml").write_bytes(_padded(bounds.MAX_BYTES + 1))
    monkeypatch.setattr(fastyaml, "read", lambda *a, **k: pytest.fail("parsed"))
    monkeypatch.setattr(yamlsrc, "parse", lambda *a, **k: pytest.fail("parsed"))
    for check in (spec.check, spec.check_located):
        loaded, found = check("spec.yaml")
        assert loaded is None and [d.render() for d in found] == [TOO_LARGE]


def test_validate_refuses_an_endless_file_and_standard_input_over_the_limit(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if Path("/dev/zero").exists():  # the project's machines are Linux; elsewhere, stdin only
        assert main(["validate", "/dev/zero"]) == 1
        assert capsys.readouterr().err.startswith("/dev/zero: the file is larger than 8 MiB")
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"#" * len(buffer)
            return len(buffer)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Endless()),
                                                       encoding="utf-8"))
    assert main(["validate", "-"]) == 1
    assert capsys.readouterr().err.startswith("<stdin>: the file is larger than 8 MiB, the most")


def test_the_budget_and_the_limit_are_far_above_a_large_real_spec() -> None:
    # 10,000 sources as the benchmark writes them: 1.5 MB and 180,000 nodes
    text = "".join(f"  S{i:05d}:\n    RA: 1.0\n    Dec: 2.0\n    targ: \"{i:08d}\"\n"
                   f"    LightCurve: {{pcCounts: 25}}\n    Spectrum: {{}}\n    StandardPos: {{}}\n"
                   for i in range(10_000))
    assert len(text.encode()) * 5 < bounds.MAX_BYTES
    fastyaml.read("sources:\n" + text, "f", budget=bounds.MAX_NODES // 5)  # no SpecError
    with pytest.raises(SpecError):
        fastyaml.read("sources:\n" + text, "f", budget=150_000)  # 16 nodes a source
