"""The fast reader: a spec's YAML through libyaml (PyYAML's C parser), from its events straight
to plain Python, for the files that need no error located.

The located reader (``yamlsrc``: ruamel's round-trip loader) keeps the place of every key and
value, and takes tens of seconds over a 10,000-source spec; this one keeps only the places of
the keys one level under the top (source names, for messages about a source) and reads the
same file in a fraction of what PyYAML's own ``CSafeLoader`` takes. As DVC does, the fast
parser reads, and the round-trip one is used only where there is something to locate.

It answers only where both readers are sure to read the same: plain YAML 1.2 as ruamel reads
it (its own resolver table decides what ``yes``, ``1e3`` or ``0x1f`` are), text keys given
once, aliases of finished blocks. For anything else (a tag other than ``!!str`` on a value, a
directive, a merge key, a multi-line or block scalar, a number in an unusual spelling, a key
that is not text, a duplicate, a YAML error) :func:`read` returns None and the caller reads
the file with the located reader, which knows how to say what is wrong and where. It never
constructs an object from a tag. The node budget (``bounds.MAX_NODES``) is counted as the
located reader counts it, and a file over it is refused here, at the same place and with the
same error. :func:`measure` is the located reader's first step: the same count, and the
depth, from libyaml's events, before ruamel spends time and memory on a file it would refuse.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.resolver import VersionedResolver
from yaml import YAMLError
from yaml._yaml import CParser
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from . import bounds
from .diagnostics import Diagnostic, SpecError

Position = tuple[int, int]

_STR_TAG = "tag:yaml.org,2002:str"
#: ruamel's own table of implicit types for YAML 1.2, by first character: the same rules
#: decide what a plain scalar is in both readers
_RESOLVERS: dict[str, list[tuple[str, Any]]] = VersionedResolver((1, 2)).versioned_resolver
#: line breaks that only one of the readers may count as such: positions could differ
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]|\r(?!\n)")


class Unplaced(LookupError):
    """A place the fast reader did not keep: only the located reader can tell it."""


@dataclass
class FastDoc:
    """A file read by the fast reader, as the spec checker reads a document: its data, nothing
    refused, and the place of each key one level under a top-level key (``("sources", "GK
    Per")`` -> (line, col), 1-based)."""

    file: str
    data: Any
    key_positions: dict[tuple[str, str], Position]
    problems: tuple[()] = ()
    duplicates: tuple[()] = ()
    bad_paths: frozenset[tuple[str | int, ...]] = frozenset()

    def position(self, path: tuple[str | int, ...], *, key: bool = False) -> Position:
        """The place of a key one level under a top-level key; Unplaced for anything else."""
        place = self.key_positions.get(path) if key else None  # type: ignore[call-overload]
        if place is None:
            raise Unplaced(path)
        return place


class _GiveUp(Exception):
    """Something the located reader must read."""


_OPEN = object()  # an anchor whose block is still being read (an alias to it is recursive)
_NO_KEY = object()


def read(text: str, shown: str, budget: int = bounds.MAX_NODES) -> FastDoc | None:
    """``text`` as plain Python, or None where the located reader must read it; SpecError
    if it grows past ``budget`` nodes (see ``bounds``)."""
    if _ODD_BREAKS.search(text):
        return None
    parser = CParser(text)
    try:
        return _build(parser, shown, budget)
    except (_GiveUp, YAMLError):
        return None
    finally:
        parser.dispose()


def measure(text: str, shown: str, budget: int = bounds.MAX_NODES,
            max_depth: int = bounds.MAX_DEPTH) -> None:
    """Before the located reader reads ``text``: SpecError if its first document grows past
    ``budget`` nodes (at the node that crosses it, counted as both readers count) or is nested
    deeper than ``max_depth`` (at its deepest place). ruamel would build large nodes first,
    recurse once per level and scan deep brackets in quadratic time; libyaml's events cost
    little, and stop at its own limit of 1,000 levels."""
    scan = _scan(text, budget)
    if scan.deepest > max_depth:
        raise SpecError([too_deep(shown, scan)])
    if scan.crossed is not None:
        _refuse(shown, scan.crossed, budget)


def too_deep(shown: str, scan: _Scan | None = None, text: str = "") -> Diagnostic:
    """Where ``text`` (or the scan of it) is nested deepest, as a diagnostic."""
    scan = scan or _scan(text, None)
    line, col = (scan.mark.line + 1, scan.mark.column + 1) if scan.mark else (1, 1)
    depth = scan.deepest if scan.deepest <= LIBYAML_MAX_DEPTH else f"more than {LIBYAML_MAX_DEPTH}"
    return bounds.too_deep(shown, depth, line, col)


#: libyaml refuses to read deeper
LIBYAML_MAX_DEPTH = 1000


@dataclass
class _Scan:
    deepest: int = 0
    mark: Any = None  # where the nesting is deepest
    crossed: Any = None  # the event that took the count past the budget


def _scan(text: str, budget: int | None) -> _Scan:
    """One pass over the events of the first document, to its end, a YAML error, an alias
    the located reader would refuse as undefined, or the budget."""
    parser = CParser(text)
    get = parser.get_event
    scan = _Scan()
    sizes: dict[str, int] = {}  # anchor -> size of its latest block (1 while it is open)
    opened: list[tuple[Any, int]] = []  # (anchor, count before) of the open blocks
    count = 0
    try:
        while True:
            event = get()
            kind = type(event)
            if kind is ScalarEvent:
                count += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                count += 1
                opened.append((event.anchor, count - 1))
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                if len(opened) > scan.deepest:
                    scan.deepest, scan.mark = len(opened), event.start_mark
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                anchor, before = opened.pop()
                if anchor is not None:
                    sizes[anchor] = count - before
            elif kind is AliasEvent:
                if event.anchor not in sizes:
                    break
                count += sizes[event.anchor]
            elif kind is DocumentEndEvent or kind is StreamEndEvent:
                break
            if budget is not None and count > budget:
                scan.crossed = event
                break
    except YAMLError as error:  # broken further on: what was found so far stands
        if getattr(error, "problem", None) == "exceeded maximum nesting depth":
            scan.deepest = LIBYAML_MAX_DEPTH + 1
            scan.mark = getattr(error, "problem_mark", None)
    finally:
        parser.dispose()
    return scan


def _build(parser: Any, shown: str, budget: int) -> FastDoc | None:
    """One pass over the events; the hot loop of a large spec, so kept flat."""
    get = parser.get_event
    get()  # the stream's start
    start = get()
    if type(start) is not DocumentStartEvent or start.version is not None or start.tags:
        return None  # no document (the located reader says it is empty), or a directive
    resolved: dict[str, Any] = {}  # plain scalars read so far, by their text
    anchors: dict[str, Any] = {}
    positions: dict[tuple[str, str], Position] = {}
    #: the containers being filled, outermost first: (container, key in its parent, anchor,
    #: count before it)
    stack: list[tuple[Any, Any, Any, int]] = []
    current: Any = None
    key: Any = _NO_KEY
    root: Any = _NO_KEY
    count = 0
    while True:
        event = get()
        kind = type(event)
        if kind is ScalarEvent:
            count += 1
            if count > budget:
                _refuse(shown, event, budget)
            tagged = event.tag is not None
            if tagged and event.tag != _STR_TAG:
                return None
            style = event.style
            if style == "|" or style == ">" or event.start_mark.line != event.end_mark.line:
                return None  # folding rules: the located reader reads those
            value = event.value
            if not style and not tagged:
                if value in resolved:
                    value = resolved[value]
                else:
                    value = resolved[value] = _plain(value)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            count += 1
            if count > budget:
                _refuse(shown, event, budget)
            if event.tag is not None or (current is not None and key is _NO_KEY
                                         and type(current) is dict):
                return None  # a tag, or a mapping or list used as a key
            if len(stack) >= bounds.MAX_DEPTH:
                return None  # the located reader says how deep
            new: Any = {} if kind is MappingStartEvent else []
            if current is None:
                if root is not _NO_KEY:
                    return None
                root = new
            elif type(current) is dict:
                current[key] = new
            else:
                current.append(new)
            if event.anchor is not None:
                anchors[event.anchor] = _OPEN
            stack.append((current, key, event.anchor, count - 1))
            current, key = new, _NO_KEY
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = current
            current, _, anchor, before = stack.pop()
            if anchor is not None:
                anchors[anchor] = (done, count - before)
            key = _NO_KEY  # the block was placed when it started
            continue
        elif kind is AliasEvent:
            entry = anchors.get(event.anchor)
            if entry is None or entry is _OPEN or (type(current) is dict and key is _NO_KEY):
                return None  # undefined, recursive, or a key (placed at its anchor)
            value, size = entry
            tagged = False
            count += size
            if count > budget:
                _refuse(shown, event, budget)
        elif kind is DocumentEndEvent:
            break
        else:  # pragma: no cover - libyaml gives no other event inside a document
            return None
        # a scalar or an alias: place it
        if current is None:
            if root is not _NO_KEY:
                return None
            root = value
        elif type(current) is dict:
            if key is _NO_KEY:
                if tagged or type(value) is not str or value in current:
                    return None  # a tagged key, a key that is not text, or one given twice
                key = value
                if len(stack) == 2 and type(stack[1][1]) is str:
                    mark = event.start_mark
                    positions[(stack[1][1], value)] = (mark.line + 1, mark.column + 1)
            else:
                current[key] = value
                key = _NO_KEY
        else:
            current.append(value)
    if type(get()) is not StreamEndEvent:
        return None  # a second document
    return FastDoc(shown, None if root is _NO_KEY else root, positions)


def _refuse(shown: str, event: Any, budget: int) -> None:
    mark = event.start_mark
    raise SpecError([bounds.too_many_nodes(shown, mark.line + 1, mark.column + 1, budget)])


_WORDS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
          "FALSE": False}


def _plain(text: str) -> Any:
    """A plain scalar as the located reader reads it; _GiveUp where that needs its care."""
    for tag, pattern in _RESOLVERS.get(text[:1], ()):
        if not pattern.match(text):
            continue
        kind = tag.rsplit(":", 1)[-1]
        if kind == "null":
            return None
        if kind == "bool":
            return _WORDS[text]
        if "_" in text:
            raise _GiveUp
        if kind == "int":
            digits = text.lstrip("+-")
            if (len(digits) > 1 and digits[0] == "0") or len(digits) > 4000:
                raise _GiveUp  # 0x1f, 0o17, 007: ruamel's own ways
            return int(text)
        if kind == "float":
            try:
                number = float(text)
            except ValueError:  # .inf, .nan
                raise _GiveUp from None
            if not math.isfinite(number):  # 1e999
                raise _GiveUp
            return number
        raise _GiveUp  # a timestamp, '<<' (merge), '=' (value)
    return text
