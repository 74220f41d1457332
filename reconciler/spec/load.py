"""A spec file -> the desired state (one canonical Request per source), or every problem in it.

Stages, each reporting all it finds: read the YAML (``yamlsrc``), check the shape and every
value against the models (``models``: pydantic over the catalogue), merge each source
(defaults < templates in ``use`` order < the source), then apply the catalogue's request rules
(``request.build``). Every problem is located in the text: a merged value points at the line it
came from (defaults, a template or the source), a missing one at the block it belongs in.
A broken value is left out and the rest still rule-checked, but a rule problem that may only echo
it (a typo in pcCounts making pcCounts 'required') is not shown: one mistake gives one error,
and an unrelated problem is never hidden by it (``echoes``).

Two paths, one result. Most files are valid: they are read by ``fastyaml`` (libyaml) and their
blocks checked by ``lean``, through the same merge and request rules, and the first problem of
any kind (or anything the fast reader leaves alone) sends the file down the located path, which
reads it again with ``yamlsrc`` and reports every problem at its place. A test holds both to
the same LoadedSpec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from pydantic import BaseModel, ValidationError

from ..protocol.catalogue import (
    ALL_PRODUCTS,
    ANY,
    GLOBAL_SCOPE,
    PRODUCTS,
    Kind,
    lookup,
    params_of,
)
from ..protocol.request import Problem, Request, build
from ..protocol.values import closest, must_be, show
from . import bounds, echoes, fastyaml, lean, suggest, yamlsrc
from .diagnostics import Diagnostic, SpecError, errors, in_order, warnings
from .models import (
    LIMIT_KEYS,
    REBUILD_KEYS,
    SOURCE_EXTRA_KEYS,
    TOP_KEYS,
    Defaults,
    Limits,
    Source,
    Spec,
    Template,
    name_problem,
)
from .suggest import ParamPath

USER_ENV = "XRT_USER"

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True)
class RebuildPolicy:
    """When a source's existing jobs stop counting as current, merged per key from defaults,
    templates (in ``use`` order) and the source."""

    #: rebuild products older than this whose effective whichData is all
    max_age: timedelta | None = None
    #: rebuild products the server removed (hasProd false)
    expired: bool = False
    #: resubmit a failed product by itself
    failed: bool = False


@dataclass(frozen=True)
class SourceSpec:
    """One source as the spec wants it."""

    name: str
    request: Request
    rebuild: RebuildPolicy = RebuildPolicy()
    #: (line, col) of the source's key in the spec, for messages about it
    position: tuple[int, int] = (0, 0)


@dataclass
class LoadedSpec:
    """A valid spec file. ``sources`` keeps the file's order."""

    path: Path
    user: str | None
    server: str | None
    limits: Limits
    sources: dict[str, SourceSpec]
    warnings: list[Diagnostic] = field(default_factory=list)


def effective_user(spec_user: str | None, cli_user: str | None = None,
                   environ: Mapping[str, str] | None = None) -> str | None:
    """--user beats XRT_USER beats the spec's ``user``."""
    env = (os.environ if environ is None else environ).get(USER_ENV) or None
    return cli_user or env or spec_user


def load(path: str | Path) -> LoadedSpec:
    """The valid spec at ``path``; SpecError with every problem otherwise."""
    spec, diagnostics = check(path)
    if spec is None:
        raise SpecError(diagnostics)
    return spec


def check(path: str | Path, content: bytes | None = None
          ) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """Validate ``path``: the spec (None if any error) and all diagnostics, in file order.
    ``content``: the spec's bytes when they do not come from the file ``path`` (standard
    input, with ``path`` as its name in messages). A file over ``bounds.MAX_BYTES`` is refused
    before it is parsed."""
    try:
        text = yamlsrc.text_of(path, content, bounds.MAX_BYTES)
        spec = _fast(path, text)
    except SpecError as error:
        return None, error.diagnostics
    if spec is not None:
        return spec, []
    return _located(path, text)


def check_fast(path: str | Path, content: bytes | None = None) -> LoadedSpec | None:
    """The fast path alone: the spec, or None where it leaves the file to the located path;
    SpecError for a file too large, unreadable or over the node budget."""
    return _fast(path, yamlsrc.text_of(path, content, bounds.MAX_BYTES))


def check_located(path: str | Path, content: bytes | None = None
                  ) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    """:func:`check` by the located path alone: the reference the fast path is held to."""
    try:
        text = yamlsrc.text_of(path, content, bounds.MAX_BYTES)
    except SpecError as error:
        return None, error.diagnostics
    return _located(path, text)


def _fast(path: str | Path, text: str) -> LoadedSpec | None:
    fast = fastyaml.read(text, str(path))
    return None if fast is None else _Lean(fast).quiet_run(Path(path))


def _located(path: str | Path, text: str) -> tuple[LoadedSpec | None, list[Diagnostic]]:
    try:
        doc = yamlsrc.parse(str(path), text)
    except SpecError as error:
        return None, error.diagnostics
    checker = _Checker(doc)
    spec = checker.run(Path(path))
    return (spec if not errors(checker.diagnostics) else None), in_order(checker.diagnostics)


# --- the checker ---------------------------------------------------------------------------------

_NAMED_BLOCKS = {"sources": "source", "templates": "template"}


def _split(loc: YamlPath) -> tuple[str | None, YamlPath]:
    """The block a path is in (``source 'GK Per'``, ``defaults``, ``limits``) and the path
    inside it; (None, loc) outside any. By position only: a source may be called 'Image'."""
    if len(loc) > 1 and loc[0] in _NAMED_BLOCKS:
        return f"{_NAMED_BLOCKS[str(loc[0])]} {loc[1]!r}", loc[2:]
    if loc and loc[0] in ("defaults", "limits"):
        return str(loc[0]), loc[1:]
    return None, loc


def _context(loc: YamlPath) -> str | None:
    """Which part of the spec a path is in: ``source 'GK Per', LightCurve``."""
    head, inside = _split(loc)
    if head is not None and len(inside) > 1 and inside[0] in PRODUCTS:
        return f"{head}, {inside[0]}"
    return head


def _scope(loc: YamlPath) -> str | None:
    """The parameter scope (GLOBAL_SCOPE or a product) the key at ``loc`` belongs to, if any."""
    head, inside = _split(loc)
    if head is None or loc[0] == "limits":
        return None
    if len(inside) == 1:
        return GLOBAL_SCOPE
    if len(inside) == 2 and inside[0] in PRODUCTS:
        return str(inside[0])
    return None


def _names(names: list[str]) -> str:
    shown = [repr(n) for n in names[:3]]
    more = len(names) - len(shown)
    if more:
        return ", ".join(shown) + f" and {more} more"
    return " and ".join([", ".join(shown[:-1]), shown[-1]]) if len(shown) > 1 else shown[0]


class _Checker:
    def __init__(self, doc: "yamlsrc.YamlDoc | fastyaml.FastDoc") -> None:
        self.doc = doc
        self.diagnostics: list[Diagnostic] = list(doc.problems)
        self.bad_paths = doc.bad_paths
        #: the refused values under each block (``("sources", name)``), found once
        self._bad_under: dict[YamlPath, list[YamlPath]] = {}
        for bad in self.bad_paths:
            for length in range(1, min(len(bad), 2) + 1):
                self._bad_under.setdefault(bad[:length], []).append(bad)
        #: rule problems by (place, product, message, fix) -> sources, printed grouped
        self._pending: dict[tuple[Any, ...], list[str]] = {}

    # -- reporting --

    def report(self, path: YamlPath, message: str, fix: str | None = None, *,
               key: bool = False, context: str | None = None, warning: bool = False,
               at: tuple[int, int] | None = None) -> None:
        line, col = at or self.doc.position(path, key=key)
        self.diagnostics.append(Diagnostic(
            self.doc.file, line, col, message, fix or None,
            context if context is not None else _context(path), warning,
        ))

    # -- stages --

    def run(self, path: Path) -> LoadedSpec | None:
        data = self.doc.data
        self._duplicates()
        if data is None:
            self.report((), "the spec is empty",
                        "start with 'version: 1' and a 'sources:' mapping (see examples/)")
            return None
        if not isinstance(data, dict):
            self.report((), f"a spec is a mapping (version:, sources:, ...), not a "
                            f"{type(data).__name__}", "see examples/ for the layout")
            return None
        spec = self._shape(data)
        self._name_clashes(data)
        defaults = self._valid(Defaults, data.get("defaults", {}), ("defaults",))
        templates = self._templates(data)
        sources: dict[str, SourceSpec] = {}
        used: set[str] = set()
        raw_sources = data.get("sources")
        if isinstance(raw_sources, dict):
            if not raw_sources:
                self.report(("sources",), "no sources", "add a source under sources:",
                            key=True, warning=True)
            for name, raw in raw_sources.items():
                source = self._valid(Source, raw, ("sources", name))
                if source is None or name_problem("source name", name):
                    continue  # a bad name is reported by _shape; its rules would only echo it
                self._aliases(("sources", name), source.values)
                sources[name] = self._source(name, source, defaults, templates, used)
        self._flush_grouped()
        self._unused(templates, used)
        if spec is None or errors(self.diagnostics):
            return None
        return LoadedSpec(path, spec.user, spec.server, spec.limits, sources,
                          in_order(warnings(self.diagnostics)))

    def _duplicates(self) -> None:
        for dup in self.doc.duplicates:
            where = (*dup.path, dup.key)
            if dup.path == ("sources",):
                message = f"two sources named {dup.key!r} (the first is at line {dup.first[0]})"
                fix = "a source name is its job Name on the server: rename or merge them"
            elif dup.path == ("templates",):
                message = f"two templates named {dup.key!r} (the first is at line {dup.first[0]})"
                fix = "rename or merge them"
            else:
                message = f"{dup.key!r} is given twice (the first is at line {dup.first[0]})"
                fix = "keep one of them"
            context = "" if dup.path in (("sources",), ("templates",)) else _context(where)
            self.report(where, message, fix, at=dup.again, context=context or "")

    def _shape(self, data: dict[str, Any]) -> Any:
        try:
            return Spec.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                loc = tuple(item["loc"])
                if self._refused(loc):
                    continue  # already reported by the YAML reader
                self._pydantic(loc, item)
            return None

    def _valid(self, model: type[BaseModel], raw: Any, where: YamlPath) -> "_Block | None":
        """The model for one block. A broken block (its errors are reported by ``_shape``) is
        salvaged without its broken entries, so the request rules still check the rest; what
        it left out is kept, to hold back the problems that may only echo it (``echoes``)."""
        if self._refused(where):
            return None
        data = {} if raw is None and where == ("defaults",) else raw
        left_out: set[ParamPath] = set()
        for bad in self._bad_under.get(where, ()):  # a value the YAML reader refused (a tag)
            if isinstance(data, Mapping):
                data = _without(data, bad[len(where):], left_out)
        block = str(where[0])

        def meant(scope: str, key: str) -> tuple[ParamPath, ...]:
            return suggest.guess(scope, key, block).meant

        for _ in range(_SALVAGE_ROUNDS):
            try:
                values = model.model_validate(data).model_dump(exclude_unset=True)
                return _Block(values, echoes.lost(left_out))
            except ValidationError as error:
                data = echoes.pruned(data, error, left_out, meant)
                if data is None:
                    return None
        return None

    def _refused(self, loc: YamlPath) -> bool:
        """Whether the value at ``loc`` is, or is inside, one the YAML reader refused."""
        return any(loc[:length] in self.bad_paths for length in range(len(loc) + 1))

    def _templates(self, data: dict[str, Any]) -> dict[str, "_Block | None"]:
        """Every template by name (None when unreadable); {} when ``templates`` is no mapping."""
        raw = data.get("templates", {})
        if not isinstance(raw, dict):
            return {}
        out = {}
        for name, body in raw.items():
            template = self._valid(Template, body, ("templates", name))
            out[name] = template
            if template is not None:
                self._aliases(("templates", name), template.values)
        return out

    # -- pydantic errors -> diagnostics --

    def _pydantic(self, loc: YamlPath, item: Mapping[str, Any]) -> None:
        kind = item["type"]
        ctx = item.get("ctx") or {}
        if loc and loc[-1] == "[key]":
            where = loc[:-1]
            self.report(where, ctx.get("message", item["msg"]), ctx.get("fix"), key=True,
                        context=_context(where[:-1]) or "")
            return
        name = loc[-1] if loc else "spec"
        if kind == "extra_forbidden":
            self._unknown_key(loc)
        elif kind == "value_problem":
            message, fix = ctx["message"], ctx.get("fix") or None
            message, fix = self._unquoted_text(loc, item.get("input"), message, fix)
            self.report(loc, message, fix)
        elif kind == "missing":
            fixes = {"version": "add 'version: 1' at the top of the file",
                     "sources": "add a 'sources:' mapping with at least one source"}
            self.report(loc[:-1], f"{name} is missing", fixes.get(str(name)), key=True,
                        context=_context(loc) or "")
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            if _scope(loc) == GLOBAL_SCOPE and name in PRODUCTS:
                fix = f"write {name}: {{}} to request it with default parameters"
            else:
                fix = "indent its entries under it, as 'key: value' lines"
            self.report(loc, must_be(str(name), "a mapping", item.get("input")), fix)
        else:
            self.report(loc, f"{name} cannot be {show(item.get('input'))}",
                        "see the spec reference in the README")

    def _unquoted_text(self, loc: YamlPath, value: Any, message: str,
                       fix: str | None) -> tuple[str, str | None]:
        """A number where text is wanted (targ: 00030842) loses digits: say so, quote it."""
        scope = _scope(loc)
        param = lookup(scope, str(loc[-1])) if scope else None
        if param is None or param.kind is not Kind.STR or param.choices \
                or isinstance(value, bool) or not isinstance(value, (int, float)):
            return message, fix
        raw = self.doc.raw_text(loc) or str(value)
        if raw != str(value):
            message = f"{param.name} must be text, but YAML reads {raw} as the number {value}"
        else:
            message = f"{param.name} must be text, not the number {value}"
        return message, f'quote it: {loc[-1]}: "{raw}"'

    def _unknown_key(self, loc: YamlPath) -> None:
        parent, key = loc[:-1], str(loc[-1])
        if not parent:
            self._unknown(loc, f"unknown top-level key {key!r}", TOP_KEYS)
        elif parent == ("limits",):
            self._unknown(loc, f"unknown key {key!r} in limits", LIMIT_KEYS)
        elif _split(parent)[1] == ("rebuild",):
            self._unknown(loc, f"unknown key {key!r} in rebuild", REBUILD_KEYS)
        else:
            self._unknown_param(loc, _scope(loc) or GLOBAL_SCOPE, key)

    def _unknown(self, loc: YamlPath, message: str, candidates: tuple[str, ...]) -> None:
        guess = closest(str(loc[-1]), candidates)
        fix = f"did you mean {guess!r}?" if guess else f"allowed: {', '.join(candidates)}"
        self.report(loc, message, fix, key=True)

    def _unknown_param(self, loc: YamlPath, scope: str, key: str) -> None:
        self.report(loc, f"unknown parameter {key!r}", suggest.guess(scope, key, str(loc[0])).fix,
                    key=True)

    # -- names --

    def _name_clashes(self, data: dict[str, Any]) -> None:
        raw = data.get("sources")
        if not isinstance(raw, dict):
            return
        seen: dict[str, str] = {}
        for name in raw:
            folded = " ".join(str(name).split()).casefold()
            if folded in seen:
                first = self.doc.position(("sources", seen[folded]), key=True)[0]
                self.report(("sources", name),
                            f"sources {seen[folded]!r} (line {first}) and {name!r} differ only "
                            "in case or spacing",
                            "jobs are matched by name on the server: use one spelling",
                            key=True, context="")
            else:
                seen[folded] = name

    # -- deprecated aliases --

    def _aliases(self, prefix: YamlPath, values: dict[str, Any]) -> None:
        for scope, block, where in self._blocks(prefix, values):
            for key in block:
                param = lookup(scope, key)
                if param is None or key == param.name:
                    continue
                if param.name in block:
                    self.report((*where, key), f"both {param.name} and its deprecated alias "
                                f"{key} are given", f"remove {key}", key=True)
                else:
                    self.report((*where, key), f"{key} is deprecated",
                                f"rename it to {param.name}", key=True, warning=True)

    def _blocks(self, prefix: YamlPath, values: dict[str, Any]
                ) -> list[tuple[str, dict, YamlPath]]:
        blocks = [(GLOBAL_SCOPE, {k: v for k, v in values.items() if k not in PRODUCTS}, prefix)]
        for product in ALL_PRODUCTS:
            if values.get(product):
                blocks.append((product, values[product], (*prefix, product)))
        return blocks

    # -- merging and the request rules --

    def _source(self, name: str, source: "_Block", defaults: "_Block | None",
                templates: dict[str, "_Block | None"], used: set[str]) -> SourceSpec:
        layers: list[tuple[YamlPath, dict[str, Any], bool]] = []
        left_out: set[ParamPath] = set(source.left_out)
        if defaults is None:
            left_out.add(echoes.EVERYTHING)
        else:
            left_out |= defaults.left_out
            layers.append((("defaults",), dict(defaults.values), False))
        listed: set[str] = set()
        for index, template in enumerate(source.values.get("use", ())):
            where = ("sources", name, "use", index)
            used.add(template)
            if template in listed:
                self.report(where, f"template {template!r} is listed twice in use",
                            "list it once")
                continue
            listed.add(template)
            block = templates.get(template)
            if template not in templates:
                guess = closest(template, list(templates))
                fix = (f"did you mean {guess!r}?" if guess
                       else "define it under templates:" if not templates
                       else f"defined templates: {', '.join(map(repr, templates))}")
                self.report(where, f"unknown template {template!r}", fix)
                left_out.add(echoes.EVERYTHING)
            elif block is None:
                left_out.add(echoes.EVERYTHING)  # unreadable template, already reported
            else:
                left_out |= block.left_out
                layers.append((("templates", template), dict(block.values), True))
        own = dict(source.values)
        for key in SOURCE_EXTRA_KEYS:
            own.pop(key, None)
        layers.append((("sources", name), own, True))
        policies = [layer.pop("rebuild", None) or {} for _, layer, _ in layers]
        merged = _merge(layers)
        request, problems = build(name, merged.globals, merged.products)
        lost = frozenset(left_out)
        for problem in problems:
            if not echoes.is_echo(problem, lost):
                self._problem(name, problem, merged)
        rebuild = RebuildPolicy(**{k: v for policy in policies for k, v in policy.items()})
        return SourceSpec(name, request, rebuild, self.doc.position(("sources", name), key=True))

    def _problem(self, name: str, problem: Problem, merged: "_Merged") -> None:
        path = problem.path
        origin: YamlPath | None = None
        if len(path) == 1:
            origin = merged.global_origins.get(path[0])
        elif len(path) == 2:
            origin = merged.product_origins.get(path[0], {}).get(path[1])
        if origin is not None:
            at = self.doc.position(origin)
        elif len(path) == 2 and self.doc.exists(("sources", name, path[0])):
            at = self.doc.position(("sources", name, path[0]), key=True)
        else:
            at = self.doc.position(("sources", name), key=True)
        product = path[0] if len(path) == 2 else None
        self._pending.setdefault((at, product, problem.message, problem.fix), []).append(name)

    def _flush_grouped(self) -> None:
        """One diagnostic per place and problem, naming every source it affects (a broken
        default is one line, not one per source)."""
        for (at, product, message, fix), names in self._pending.items():
            who = f"source {names[0]!r}" if len(names) == 1 else f"sources {_names(names)}"
            context = f"{who}, {product}" if product else who
            if product and message.startswith(f"{product} "):
                message = message[len(product) + 1:]  # the context names the product already
            self.diagnostics.append(Diagnostic(self.doc.file, at[0], at[1], message, fix,
                                               context))
        self._pending.clear()

    def _unused(self, templates: dict[str, "_Block | None"], used: set[str]) -> None:
        for name in templates:
            if name not in used:
                self.report(("templates", name), f"template {name!r} is not used by any source",
                            "remove it, or add it to a source's use list", key=True,
                            context="", warning=True)


_SALVAGE_ROUNDS = 5


@dataclass(frozen=True)
class _Block:
    """A validated block as its model dumps it (the values given, canonical), and what leaving
    out its broken entries may have changed. Shared by every source that uses it: copied, never
    changed."""

    values: dict[str, Any]
    left_out: frozenset[ParamPath]


class _NeedsLocating(Exception):
    """The fast path met something to report: the located path takes the file."""


class _Lean(_Checker):
    """The checker's stages for a file the fast reader read, giving up at the first thing to
    report (an error or a warning): blocks are checked by ``lean`` instead of pydantic, and the
    only places known are the keys under the top-level ones (a source's position)."""

    def __init__(self, doc: fastyaml.FastDoc) -> None:
        super().__init__(doc)
        self._lean = lean.Blocks()

    def quiet_run(self, path: Path) -> LoadedSpec | None:
        """The LoadedSpec if there is nothing at all to report, else None."""
        try:
            spec = self.run(path)
        except (_NeedsLocating, fastyaml.Unplaced):
            return None
        return spec if spec is not None and not self.diagnostics else None

    def report(self, path: YamlPath, message: str, fix: str | None = None, *,
               key: bool = False, context: str | None = None, warning: bool = False,
               at: tuple[int, int] | None = None) -> None:
        raise _NeedsLocating

    def _problem(self, name: str, problem: Problem, merged: "_Merged") -> None:
        raise _NeedsLocating

    def _shape(self, data: dict[str, Any]) -> Any:
        """The top level by the model (sources aside, each checked by ``_valid``)."""
        sources = data.get("sources")
        if not isinstance(sources, dict) \
                or any(name_problem("source name", name) for name in sources):
            raise _NeedsLocating
        try:
            return Spec.model_validate({**data, "sources": {}})
        except ValidationError:
            raise _NeedsLocating from None

    def _valid(self, model: type[BaseModel], raw: Any, where: YamlPath) -> "_Block | None":
        values = self._lean.validate(model, raw)
        if values is None:
            raise _NeedsLocating
        return _Block(values, frozenset())


def _without(data: Mapping[str, Any], inside: YamlPath,
             left_out: set[ParamPath]) -> Mapping[str, Any]:
    """A parameter block without the entry at ``inside`` (a product block's entry stays out of
    that block), noting it as left out."""
    if not inside:
        return data
    head = str(inside[0])
    out = dict(data)
    if head in PRODUCTS and len(inside) > 1 and isinstance(out.get(head), Mapping):
        out[head] = {k: v for k, v in out[head].items() if k != inside[1]}
        left_out.add((head, str(inside[1])))
    else:
        out.pop(head, None)
        left_out.add(echoes.EVERYTHING if head == "use" else (head,))
    return out


@dataclass
class _Merged:
    globals: dict[str, Any] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    global_origins: dict[str, YamlPath] = field(default_factory=dict)
    product_origins: dict[str, dict[str, YamlPath]] = field(default_factory=dict)


def _merge(layers: list[tuple[YamlPath, dict[str, Any], bool]]) -> _Merged:
    """Deep-merge blocks, later layers winning per parameter; remember where each value came
    from. Only layers that request (templates, the source) add products. A value's implications
    win over earlier layers too: a source's ``redshift`` overrides a template's
    ``hasRedshift: false`` as swifttools' trigger would, instead of contradicting it."""
    merged = _Merged()
    values: dict[str, dict[str, Any]] = {}
    requested: set[str] = set()
    for prefix, block, requests in layers:
        for key, value in block.items():
            if key in PRODUCTS:
                if requests:
                    requested.add(key)
                target = values.setdefault(key, {})
                origins = merged.product_origins.setdefault(key, {})
                for name, item in (value or {}).items():
                    param = lookup(key, name)
                    assert param is not None  # the models admit catalogue names only
                    target[param.name] = item
                    origins[param.name] = (*prefix, key, name)
                _override_implied(key, target, origins, prefix)
            else:
                param = lookup(GLOBAL_SCOPE, key)
                assert param is not None
                merged.globals[param.name] = value
                merged.global_origins[param.name] = (*prefix, key)
        _override_implied(GLOBAL_SCOPE, merged.globals, merged.global_origins, prefix)
    merged.products = {p: values.get(p, {}) for p in ALL_PRODUCTS if p in requested}
    return merged


def _override_implied(scope: str, params: dict[str, Any], origins: dict[str, YamlPath],
                      layer: YamlPath) -> None:
    """Drop inherited values that this layer's values imply something about."""
    table = params_of(scope)
    for name, value in list(params.items()):
        sets = table[name].sets
        if not sets or origins.get(name, ())[: len(layer)] != layer:
            continue
        for key in (ANY, value):  # canonical values are hashable
            for target in sets.get(key, {}):
                if target in params and origins.get(target, ())[: len(layer)] != layer:
                    del params[target]
                    origins.pop(target, None)
