"""The fast path (libyaml's parser, lean block checks) gives exactly what the located path
(ruamel, pydantic, every place kept) gives: the same LoadedSpec for a valid file, and for any
other file it steps aside, so the diagnostics are the located path's own."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler import spec
from reconciler.protocol import catalogue
from reconciler.protocol.catalogue import GLOBAL_SCOPE, Kind
from reconciler.spec import bounds, fastyaml, lean, yamlsrc
from reconciler.spec.diagnostics import SpecError
from reconciler.spec.load import check_fast
from reconciler.spec.models import Defaults, Source, Template
from tests.strategies import RequestInputs, param_values, request_inputs

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
BENCH = ROOT / "bench" / "spec_load.py"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def both_ways(text: str, name: str = "spec.yaml") -> tuple[Any, Any]:
    """(check, check_located) of ``text``, written byte for byte (CRLF stays CRLF)."""
    Path(name).write_bytes(text.encode("utf-8"))
    return spec.check(name), spec.check_located(name)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_takes_the_fast_path_to_the_located_spec(path: Path) -> None:
    fast = check_fast(path)
    located, diagnostics = spec.check_located(path)
    assert fast is not None and located is not None and diagnostics == []
    assert fast == located
    assert spec.check(path) == (fast, [])


def _bench() -> ModuleType:
    module_spec = importlib.util.spec_from_file_location("spec_load", BENCH)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_small_and_checks_its_answers(
        capsys: pytest.CaptureFixture[str]) -> None:
    # the generated spec loads to the requests the generator meant, `xrt-reconcile validate`
    # says it is valid, and the located path alone gives the same LoadedSpec (--located)
    assert _bench().main(["--sources", "120", "--repeat", "1", "--located"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("120 sources, ") and "median ratios: load" in out
    assert "located reader alone" in out and err == ""


def test_the_benchmark_spec_takes_the_fast_path(tmp_path: Path) -> None:
    bench = _bench()
    path = tmp_path / "sources.yaml"
    path.write_text(bench.spec_text(40), encoding="utf-8")
    fast = check_fast(path)
    assert fast is not None and fast == spec.check_located(path)[0]
    assert [s.request for s in fast.sources.values()] == [bench.expected(i) for i in range(40)]
    assert fast.sources["SRC 00003"].position == (11 + 3 * 7, 3)  # 10 lines of head


# --- generated specs, written in the ways people write YAML -------------------------------------

def _scalar(param: catalogue.Param, value: Any, rnd: random.Random) -> str:
    """``value`` (canonical) as YAML text, plain or quoted as a user might."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_scalar(param, v, rnd) for v in value) + "]"
    quoted = json.dumps(value)
    return rnd.choice([quoted, "'" + value.replace("'", "''") + "'", "!!str " + quoted])


def _mapping(entries: list[tuple[str, str]], indent: int, flow: bool) -> list[str]:
    """``key: value`` entries as a flow mapping on one line, or as block lines."""
    if flow or not entries:
        return ["{" + ", ".join(f"{k}: {v}" for k, v in entries) + "}"]
    return ["", *(f"{' ' * indent}{k}: {v}" for k, v in entries)]


def render(sources: list[RequestInputs], seed: int) -> str:
    """A spec asking for ``sources``, laid out at random: flow or block blocks, quoted keys,
    anchors and aliases of repeated product blocks, comments, CRLF, a document start."""
    rnd = random.Random(seed)
    lines = ["---"] if rnd.random() < 0.3 else []
    lines += ["# generated", "version: 1", "user: gen@example.org", "sources:"]
    anchors: dict[str, str] = {}
    for index, inputs in enumerate(sources):
        key = rnd.choice([json.dumps(inputs.name), "'" + inputs.name.replace("'", "''") + "'"])
        items: list[tuple[str, Any]] = [*inputs.globals.items(), *inputs.products.items()]
        rnd.shuffle(items)  # before anchoring: an alias comes after its anchor
        entries: list[tuple[str, str]] = []
        for name, value in items:
            if name in catalogue.GLOBALS:
                entries.append((name, _scalar(catalogue.GLOBALS[name], value, rnd)))
                continue
            table = catalogue.PRODUCTS[name].params
            inner = [(n, _scalar(table[n], v, rnd)) for n, v in value.items()]
            block = _mapping(inner, 6, flow=True)[0]
            if block in anchors:
                entries.append((name, "*" + anchors[block]))
            elif rnd.random() < 0.3:
                anchors[block] = f"p{len(anchors)}"
                entries.append((name, f"&{anchors[block]} {block}"))
            elif rnd.random() < 0.5 and inner:
                entries.append((name, "\n".join(_mapping(inner, 6, flow=False))))
            else:
                entries.append((name, block))
        flow = rnd.random() < 0.3 and not any("\n" in v for _, v in entries)
        body = _mapping(entries, 4, flow)
        if flow:
            lines.append(f"  {key}: {body[0]}" + ("  # a note" if rnd.random() < 0.3 else ""))
        else:
            lines.append(f"  {key}:")
            lines += body[1:]
        if index % 3 == 2:
            lines.append("")
    newline = "\r\n" if rnd.random() < 0.2 else "\n"
    return newline.join(lines) + newline


@st.composite
def _specs(draw: st.DrawFn) -> tuple[list[RequestInputs], str]:
    sources = draw(st.lists(request_inputs(), min_size=1, max_size=4,
                            unique_by=lambda s: " ".join(s.name.split()).casefold()))
    sources = [s for s in sources if s.name == s.name.strip()]
    return sources, render(sources, draw(st.integers(0, 2**32)))


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
@given(case=_specs())
def test_generated_specs_load_the_same_both_ways(case: tuple[list[RequestInputs], str]) -> None:
    sources, text = case
    (loaded, diagnostics), (located, located_diagnostics) = both_ways(text)
    assert (loaded, diagnostics) == (located, located_diagnostics), text
    if not sources:
        return
    # a valid spec, read by the fast path (nothing here is beyond it) to the requests asked
    assert diagnostics == [] and loaded is not None, text
    assert check_fast("spec.yaml") == loaded
    assert [s.request for s in loaded.sources.values()] == [s.build()[0] for s in sources]


# --- anything else: the located path's own answer -----------------------------------------------

_BASE = (ROOT / "examples" / "grb-followup.yaml").read_text(encoding="utf-8")
_EDITS = [*" :\t\n-{}[],'\"#&*!|>%?~", "&a ", "*a", "<<: *a", "!!int ", "!!str ", "!!float ",
          "? ", "yes", "0x1F", "0o17", "017", "1_000", "1e3", ".inf", ".nan", "2024-01-01",
          "\r", "\r\n", "\u2028", "\\", "null", "~", "=", "%YAML 1.1\n---\n", "--- ", "\n---\n",
          "'a\n b'", "|\n  x\n", "True", "FALSE", "+5", "-0.0", "0.", ".5", "1e999"]


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, len(_BASE)), st.sampled_from(_EDITS),
                                st.sampled_from(["replace", "insert"])), min_size=1, max_size=6))
def test_any_edit_of_a_spec_gives_the_located_answer(edits: list[tuple[int, str, str]]) -> None:
    text = _BASE
    for position, edit, op in edits:
        end = position + (len(edit) if op == "replace" else 0)
        text = text[:position] + edit + text[end:]
    fast_first, located = both_ways(text)
    assert fast_first == located, text


@pytest.mark.parametrize("value", [
    "!!str 5", "'5'", "&x 5", "0x1F", "0o17", "017", "1_000", "1e3", "+5", "-0.0", ".5", "0.",
    ".inf", "-.inf", ".nan", "yes", "True", "~", "null", "", "2024-01-31", "12:30", "1" * 4500,
])
def test_each_way_of_writing_a_value_reads_the_same_both_ways(value: str) -> None:
    text = ("version: 1\ndefaults: {centroid: true, posErr: 1, useSXPS: false}\nsources:\n"
            f"  A:\n    RA: {value}\n    Dec: 1.5\n    targ: {value}\n    SourceDet: {{}}\n"
            f"  B: {{Dec: {value}, RA: 2, targ: \"1\", Image: {{}}}}\n")
    fast_first, located = both_ways(text)
    assert fast_first == located


def test_the_fast_reader_reads_only_what_both_readers_agree_on() -> None:
    plain = "a: 1\nb: [x, 'y', 2.5, true, ~]\nc: {d: e}\n"
    read = fastyaml.read(plain, "f")
    assert read is not None and read.data == {"a": 1, "b": ["x", "y", 2.5, True, None],
                                              "c": {"d": "e"}}
    for text in ["a: !!int 1\n", "a: !foo x\n", "%YAML 1.1\n---\na: 1\n", "<<: {a: 1}\n",
                 "a: |\n  x\n", "a: 'x\n  y'\n", "1: x\n", "a: 1\na: 2\n", "? [a]\n: 1\n",
                 "a: &x [*x]\n", "a: *nothing\n", "a: 1\n---\nb: 2\n", "", "a: 0x1F\n",
                 "a: 2024-01-31\n", "a: .inf\n", "a: 1_000\n", "*x : 1\n", "a: [\n",
                 "!!str k: 1\n"]:
        assert fastyaml.read(text, "f") is None, text


# --- the lean block checks are the models' --------------------------------------------------------

def _raw_values(param: catalogue.Param) -> st.SearchStrategy[Any]:
    wrong = st.sampled_from([None, "x", "", 0, 1, -1, 2.5, True, [], ["x"], {}, {"a": 1},
                             float("nan"), 10**30])
    return st.one_of(param_values(param).map(lambda v: list(v) if isinstance(v, tuple) else v),
                     wrong)


@st.composite
def _blocks(draw: st.DrawFn, model: Any) -> dict[str, Any]:
    names = [n for n in model.model_fields]
    block: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(names + ["nope"]), max_size=6, unique=True)):
        if name in catalogue.PRODUCTS:
            table = catalogue.PRODUCTS[name].params
            inner = draw(st.lists(st.sampled_from([*table, "nope"]), max_size=3, unique=True))
            block[name] = draw(st.sampled_from([None, {}, [], "x"])) if not inner else {
                n: draw(_raw_values(table[n])) if n in table else 1 for n in inner}
        elif name == "rebuild":
            block[name] = draw(st.sampled_from([None, {}, {"max_age": "30d"}, {"expired": True},
                                                {"max_age": 5}, {"nope": 1}, "x"]))
        elif name == "use":
            block[name] = draw(st.sampled_from([[], ["t"], ["t", "u"], "t", [1], None]))
        elif name == "nope":
            block[name] = 1
        else:
            param = catalogue.lookup(GLOBAL_SCOPE, name)
            assert param is not None
            block[name] = draw(_raw_values(param))
    return block


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(case=st.sampled_from([Defaults, Template, Source]).flatmap(
    lambda model: st.tuples(st.just(model), _blocks(model))))
def test_a_lean_block_check_is_the_model_s_validation(case: tuple[Any, dict[str, Any]]) -> None:
    model, raw = case
    try:
        expected = model.model_validate(raw).model_dump(exclude_unset=True)
    except ValueError:
        expected = None
    got = lean.Blocks().validate(model, raw)
    assert got == expected
    if got is not None:  # in the models' order, with the models' types
        assert list(got) == list(expected)
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]


def test_list_parameters_keep_their_canonical_form() -> None:
    scope, param = next((scope, p) for scope in (GLOBAL_SCOPE, *catalogue.ALL_PRODUCTS)
                        for p in catalogue.params_of(scope).values() if p.kind is Kind.LIST)
    block = {param.name: [param.choices[0]]}
    raw = block if scope == GLOBAL_SCOPE else {scope: block}
    expected = Source.model_validate(raw).model_dump(exclude_unset=True)
    assert lean.Blocks().validate(Source, raw) == expected


# --- the node budget is counted alike ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b, *b]\n",
    "a: &a {k: [1, 2], l: 3}\nb: [*a, *a]\nc: {x: *a, y: [*a, *a, *a]}\n",
    "sources:\n  A: &a\n    RA: 1\n    Dec: 2\n  B: *a\n  C: *a\n  D: [*a, *a]\n",
])
def test_both_readers_stop_at_the_same_place_over_the_node_budget(text: str) -> None:
    with pytest.raises(SpecError) as fast:
        fastyaml.read(text, "f", budget=9)
    with pytest.raises(SpecError) as located:
        yamlsrc.parse("f", text, budget=9)
    assert fast.value.diagnostics == located.value.diagnostics
    assert fast.value.diagnostics[0].message.startswith("the YAML grows past 9 values here")
    # and under the budget, both read the whole document
    total = next(n for n in range(9, 200) if _reads(text, n))
    assert yamlsrc.parse("f", text, budget=total).data == fastyaml.read(text, "f", total).data
    assert bounds.MAX_NODES > 100 * total


def _reads(text: str, budget: int) -> bool:
    try:
        fastyaml.read(text, "f", budget)
    except SpecError:
        return False
    return True


def test_a_null_product_block_takes_the_fast_path_to_the_same_request() -> None:
    text = ("version: 1\ndefaults: {centroid: false, useSXPS: false, Image: {energies: '0.3-2'}}\n"
            "templates:\n  t:\n    Image:\nsources:\n  A:\n    RA: 1\n    Dec: 2\n    targ: '1'\n"
            "    StandardPos:\n  B: {RA: 1, Dec: 2, targ: '1', use: [t]}\n")
    (fast, diagnostics), (located, _) = both_ways(text)
    assert diagnostics == [] and fast == located and check_fast("spec.yaml") == fast
    assert fast.sources["A"].request.products == {"StandardPos": {}}
    assert fast.sources["B"].request.products == {"Image": {"energies": "0.3-2"}}
