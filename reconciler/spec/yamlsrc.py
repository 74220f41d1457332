"""A YAML file read with the place of every key and value, for errors that point at the text.

ruamel.yaml's round-trip loader keeps line and column of each key and value; this module reads
the file (refusing, with a location, what is not a readable UTF-8 YAML document), converts the
tree to plain Python values for validation, and answers "where is the thing at this path?".
The node graph is checked before anything is constructed: for what ruamel's constructor would
crash on, and for duplicate keys and tags, so that *all* of those are reported at once. The
composer counts nodes as it reads, aliases expanded, and stops at the budget of ``bounds``.

A valid spec is read by ``fastyaml`` instead; this reader is for the files with something to
locate, and for the places the fast one leaves to it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean
from ruamel.yaml.scanner import Scanner

from ..protocol.values import show
from . import bounds, fastyaml, yamlsyntax
from .diagnostics import Diagnostic, SpecError

Path_ = tuple[str | int, ...]
Position = tuple[int, int]

_TAG_PREFIX = "tag:yaml.org,2002:"
_MERGE_TAG, _STR_TAG, _MAP_TAG, _SEQ_TAG, _INT_TAG = (
    _TAG_PREFIX + t for t in ("merge", "str", "map", "seq", "int"))
#: Python refuses to read an integer written with more digits than this
_MAX_INT_TEXT = 4000


@dataclass(frozen=True)
class Duplicate:
    """A key given twice in one mapping; ``path`` is the mapping's path."""

    path: Path_
    key: str
    first: Position
    again: Position


@dataclass
class YamlDoc:
    """A parsed file: ``data`` is plain Python (dict/list/str/int/float/bool/None/date)."""

    file: str
    lines: list[str]
    root: Any
    data: Any
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    #: paths whose values were dropped because of ``problems`` (not to be reported again)
    bad_paths: set[Path_] = field(default_factory=set)

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """1-based (line, col) of the value at ``path`` (of its key with ``key=True``).

        Where the path does not exist (a missing parameter), the key of the deepest part that
        does, so the error points at the block the user has to add to.
        """
        node = self.root
        found: Position = (1, 1)
        for depth, step in enumerate(path):
            last = depth == len(path) - 1
            try:
                if isinstance(node, CommentedMap) and step in node:
                    key_pos, value_pos = node.lc.key(step), node.lc.value(step)
                elif isinstance(node, CommentedSeq) and isinstance(step, int) \
                        and 0 <= step < len(node):
                    key_pos = value_pos = node.lc.item(step)
                else:
                    return found
            except (KeyError, TypeError, AttributeError, IndexError):
                return found  # a key merged in with '<<' has no place of its own
            empty = node[step] is None  # ruamel places an empty value at the next token
            chosen = key_pos if (key or not last or empty) else value_pos
            found = (chosen[0] + 1, chosen[1] + 1)
            node = node[step]
        return found

    def exists(self, path: Path_) -> bool:
        node = self.root
        for step in path:
            if isinstance(node, CommentedMap) and step in node:
                node = node[step]
            elif isinstance(node, CommentedSeq) and isinstance(step, int) \
                    and 0 <= step < len(node):
                node = node[step]
            else:
                return False
        return True

    def raw_text(self, path: Path_) -> str | None:
        """The scalar at ``path`` exactly as written (``00030842`` before YAML made it 30842)."""
        if not self.exists(path):
            return None
        line, col = self.position(path)
        text = self.lines[line - 1][col - 1:]
        if text[:1] in ("'", '"'):  # a quoted scalar runs to its closing quote
            end = text.find(text[0], 1)
            return text[: end + 1] if end > 0 else text
        for stop in (" #", ",", "}", "]"):
            text = text.split(stop, 1)[0]
        return text.strip() or None


class _OverBudget(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _CountingComposer(Composer):
    """ruamel's composer, counting nodes as ``fastyaml`` does: one per node, the whole size of
    the block an alias repeats (1 for an alias inside its own block, refused later), in
    document order; past the budget it stops at the event that crossed it."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.count = 0
        self.budget: int = getattr(loader, "node_budget", bounds.MAX_NODES)
        self.sizes: dict[Any, int] = {}  # anchor -> size of its latest block

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        anchor = event.anchor
        if isinstance(event, AliasEvent):
            self.count += self.sizes.get(anchor, 1)
        else:
            self.count += 1
        if self.count > self.budget:
            raise _OverBudget(event.start_mark)
        if isinstance(event, AliasEvent) or anchor is None:
            return super().compose_node(parent, index)
        before = self.count - 1
        self.sizes[anchor] = 1  # an alias inside the block itself
        node = super().compose_node(parent, index)
        self.sizes[anchor] = self.count - before
        return node


def _yaml(budget: int = bounds.MAX_NODES) -> YAML:
    """The round-trip loader (it keeps every line and column) with the plain scanner and
    parser: comments are not needed, and ruamel's comment tracking crashes on valid YAML
    ('a:  # note' with its value on the next line, then a blank line)."""
    yaml = YAML(typ="rt")
    yaml.Scanner, yaml.Parser, yaml.Composer = Scanner, Parser, _CountingComposer
    yaml.node_budget = budget  # type: ignore[attr-defined]
    yaml.allow_duplicate_keys = True  # found on the node graph instead, all at once
    return yaml


def read(path: str | Path, content: bytes | None = None, *, max_bytes: int | None = None,
         budget: int = bounds.MAX_NODES) -> YamlDoc:
    """Read and parse ``path``; SpecError (with a location where there is one) if it cannot.
    ``content``: the bytes, when they come from elsewhere (standard input) and ``path`` only
    names them in messages. ``max_bytes``: refuse a larger file before parsing it."""
    return parse(str(path), text_of(path, content, max_bytes), budget)


def text_of(path: str | Path, content: bytes | None = None,
            max_bytes: int | None = None) -> str:
    """The text of ``path`` (or ``content``, named ``path``); SpecError if it cannot be read,
    is larger than ``max_bytes`` or is not UTF-8."""
    shown = str(path)
    if content is None:
        content = _read_bytes(Path(path), shown, max_bytes)
    elif max_bytes is not None and len(content) > max_bytes:
        raise SpecError([bounds.too_large(shown, max_bytes)])
    return _decode(content, shown)


def parse(shown: str, text: str, budget: int = bounds.MAX_NODES) -> YamlDoc:
    """``text`` (the file ``shown``) parsed with every place kept; SpecError if it cannot be."""
    fastyaml.measure(text, shown, budget)
    yaml = _yaml(budget)
    doc = YamlDoc(shown, text.splitlines() or [""], None, None)
    try:
        with warnings.catch_warnings():  # an anchor defined twice is legal YAML: the later wins
            warnings.simplefilter("ignore", ReusedAnchorWarning)
            graph = yaml.compose(text)
        _walk(doc, graph, yaml.resolver)
        # the graph is built once: the data is constructed from it as YAML.load would
        doc.root = yaml.constructor.construct_document(graph) if graph is not None else None
    except ReaderError as error:  # control characters: the reader knows the offset only
        line, col = _offset_position(text, error.position)
        raise SpecError([Diagnostic(
            shown, line, col,
            f"the file contains a character YAML does not allow (#x{error.character:04x})",
            "remove it (control characters must be written as escapes inside double quotes)",
        )]) from None
    except MarkedYAMLError as error:
        raise SpecError([yamlsyntax.diagnose(shown, doc.lines, error)]) from None
    except YAMLError:  # pragma: no cover - every ruamel parse error is marked
        raise SpecError([Diagnostic(shown, 1, 1, "YAML syntax error: YAML cannot read this "
                                    "file")]) from None
    except RecursionError:  # ruamel's composer recurses once per level of nesting
        raise SpecError([fastyaml.too_deep(shown, text=text)]) from None
    except _OverBudget as over:
        raise SpecError([bounds.too_many_nodes(shown, over.mark.line + 1, over.mark.column + 1,
                                               budget)]) from None
    doc.data = _plain(doc.root, (), doc)
    return doc


def _read_bytes(path: Path, shown: str, max_bytes: int | None) -> bytes:
    try:
        with path.open("rb") as stream:
            if max_bytes is None:
                return stream.read()
            return bounds.read_limited(stream, shown, max_bytes)
    except FileNotFoundError:
        raise SpecError([Diagnostic(shown, 0, 0, "no such file",
                                    "check the path (specs are YAML files, e.g. sources.yaml)")]) \
            from None
    except IsADirectoryError:
        raise SpecError([Diagnostic(shown, 0, 0, "is a directory, not a spec file",
                                    f"name the YAML files in it, e.g. {shown.rstrip('/')}/*.yaml")]) \
            from None
    except OSError as error:
        raise SpecError([Diagnostic(shown, 0, 0, f"cannot read the file: {error.strerror}")]) \
            from None


def _decode(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise SpecError([Diagnostic(
            shown, line, col, f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x})",
            "save the file as UTF-8",
        )]) from None


def _offset_position(text: str, offset: int) -> Position:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _walk(doc: YamlDoc, graph: Node | None, resolver: Any) -> None:
    """One pass over the node graph, before anything is constructed. What ruamel cannot
    construct is refused with its place: a mapping or list used as a key, an alias inside its
    own anchor (legal YAML that no spec needs). Keys given twice are collected, and so are
    explicit tags, whose nodes are made plain again (``!!int x`` would crash the constructor)."""
    done: set[int] = set()

    def refuse(mark: Any, message: str, fix: str) -> NoReturn:
        raise SpecError([Diagnostic(doc.file, mark.line + 1, mark.column + 1, message, fix)])

    def untag(node: Node, path: Path_) -> None:
        """'!!str' (a way to keep leading zeros) is welcome; any other tag, or a number too
        long for Python to read, is a problem and its value is dropped."""
        if isinstance(node, ScalarNode):
            usual = str(resolver.resolve(ScalarNode, node.value, (node.style is None, False)))
        else:
            usual = _MAP_TAG if isinstance(node, MappingNode) else _SEQ_TAG
        if node.tag == _INT_TAG and len(node.value) > _MAX_INT_TEXT:  # int() would refuse it
            drop(node, path, f"a number with {len(node.value):,} digits is too long to read",
                 "no parameter takes such a number; quote it if it is text")
        elif node.tag == usual:
            return
        elif node.tag != _STR_TAG or not isinstance(node, ScalarNode):
            drop(node, path, f"unsupported YAML tag {str(node.tag).replace(_TAG_PREFIX, '!!')}",
                 "remove the tag; specs use plain YAML values")
        node.tag = _STR_TAG if isinstance(node, ScalarNode) else usual

    def drop(node: Node, path: Path_, message: str, fix: str) -> None:
        """A value reported here and left out of the data."""
        mark = node.start_mark
        doc.problems.append(Diagnostic(doc.file, mark.line + 1, mark.column + 1, message, fix))
        doc.bad_paths.add(path)

    enclosing: set[int] = set()  # the blocks around the node being walked

    def walk(node: Node, path: Path_, mark: Any) -> None:
        if id(node) in enclosing:
            refuse(mark, "a YAML alias refers to the block that contains it",
                   "remove the recursive '*' alias")
        if id(node) in done:
            return  # an alias of a node walked already
        done.add(id(node))
        untag(node, path)
        enclosing.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[tuple[str, str], Position] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    refuse(key_node.start_mark, "a key must be a plain name, not a mapping or a "
                           "list", "write the key as text (quote it if it contains ':', '{' or '[')")
                if key_node.tag == _MERGE_TAG:  # '<<': its keys land in this mapping
                    walk(value_node, path, key_node.start_mark)
                    continue
                untag(key_node, (*path, key_node.value))
                ident = (str(key_node.tag), key_node.value)
                here = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                if ident in first:
                    doc.duplicates.append(Duplicate(path, key_node.value, first[ident], here))
                else:
                    first[ident] = here
                walk(value_node, (*path, key_node.value), key_node.start_mark)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index), node.start_mark)
        enclosing.discard(id(node))

    if graph is not None:
        walk(graph, (), graph.start_mark)


def _plain(node: Any, path: Path_, doc: YamlDoc) -> Any:
    """ruamel's round-trip types -> plain Python; odd keys become problems, values already
    reported (``bad_paths``) are dropped."""
    if path in doc.bad_paths:
        return None
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not isinstance(key, str):
                _bad_key(doc, node, key, path)  # dropped: nothing below it is checked
                continue
            out[key] = _plain(value, (*path, key), doc)
        return out
    if isinstance(node, CommentedSeq):
        return [_plain(item, (*path, i), doc) for i, item in enumerate(node)]
    if isinstance(node, (bool, ScalarBoolean)):  # an anchored boolean is a ScalarBoolean (an int)
        return bool(node)
    if isinstance(node, TaggedScalar):  # '!!str "x"': any other tag was refused by _walk
        return str(node.value)
    for plain in (int, float, str):
        if isinstance(node, plain):
            return plain(node)  # ruamel's ScalarInt, ScalarFloat, quoted strings...
    return node  # None or a date


def _bad_key(doc: YamlDoc, node: CommentedMap, key: Any, path: Path_) -> None:
    try:
        line, col = node.lc.key(key)
        where = (line + 1, col + 1)
    except (KeyError, TypeError, AttributeError):
        where = doc.position(path, key=True)
    raw = doc.lines[where[0] - 1][where[1] - 1:].split(":", 1)[0].strip()
    if key is None and raw in ("", "?"):
        doc.problems.append(Diagnostic(doc.file, *where, "a key is missing before the ':'",
                                       "write the name before the ':'"))
        return
    doc.problems.append(Diagnostic(
        doc.file, *where, f"the key {repr(raw) if raw else show(key)} is not text",
        f"quote it: \"{raw}\":" if raw else "use a text key",
    ))
