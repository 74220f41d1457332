"""A YAML syntax error in people's words, at the line that is wrong.

The parser reports where it gave up, in its own terms ("expected <block end>, but found
'<block mapping start>'"), which is often the line after the mistake: a key missing its colon
is only noticed at the next key. The text around that place tells what the mistake was; each
case below reads it and says what to write instead. What no case recognises still gets a
plain message: parser words never reach the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.error import MarkedYAMLError

from .diagnostics import Diagnostic

_FIX_NEAR = "check the indentation, brackets and quotes around this place"
_TABS = "indent with spaces: YAML does not allow tabs"
_CLOSERS = {"{": "}", "[": "]"}


@dataclass(frozen=True)
class _Text:
    """The file's lines, with what the cases need to know about them."""

    lines: list[str]

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def is_content(self, index: int) -> bool:
        stripped = self.line(index).strip()
        return bool(stripped) and not stripped.startswith("#")

    def previous_content(self, index: int) -> int | None:
        """The nearest line above ``index`` that is neither blank nor only a comment."""
        for above in range(min(index, len(self.lines)) - 1, -1, -1):
            if self.is_content(above):
                return above
        return None

    def indent(self, index: int) -> int:
        text = self.line(index)
        return len(text) - len(text.lstrip(" "))

    def item(self, index: int) -> str:
        """What a line holds, as the user would name it: its key, or its list item."""
        text = self.line(index).strip()
        if text.startswith("- ") or text == "-":
            return text[:30]
        colon = _mapping_colon(text)
        return (text[:colon] if colon is not None else text)[:30]


def _mapping_colon(text: str) -> int | None:
    """Where ``key: value`` has its ':' (outside quotes and brackets), or None."""
    quote = None
    for index, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] == " "):
            return None
        elif char in "{[":
            return None
        elif char == ":" and (index + 1 == len(text) or text[index + 1] == " "):
            return index
    return None


def diagnose(shown: str, lines: list[str], error: MarkedYAMLError) -> Diagnostic:
    """The located, worded diagnostic for ``error`` in the file ``shown`` with these ``lines``."""
    text = _Text(lines)
    problem = f"{error.problem or ''} ({error.context or ''})"
    mark, context = error.problem_mark or error.context_mark, error.context_mark
    line, col = (mark.line, mark.column) if mark else (0, 0)
    for case in (_no_space_after_colon, _missing_colon, _over_indented, _colon_in_value, _tab,
                 _odd_indent, _list_in_mapping, _text_after_value, _stray_text_on_top, _flow,
                 _unclosed_quote, _other):
        found = case(text, problem, line, col, context)
        if found:
            at_line, at_col, message, fix = found
            return Diagnostic(shown, at_line + 1, at_col + 1, f"YAML syntax error: {message}", fix)
    raise AssertionError("_other always answers")  # pragma: no cover


_Found = tuple[int, int, str, str] | None


def _no_space_after_colon(text: _Text, problem: str, line: int, col: int,
                          context: Any) -> _Found:
    """``LightCurve:{binMeth: counts}``: without a space, the ':' is part of the key."""
    if "mapping values are not allowed here" not in problem:
        return None
    written = text.line(line)
    glued = re.search(r"^\s*([^\s'\"#{\[][^:#]*):([{\[])", written[:col])
    if not glued:
        return None
    key = glued.group(1).strip()
    rest = written[glued.end(1) + 1:].strip()
    return (line, glued.end(1), f"{key}:{rest[:1]}... has no space after its ':'",
            f"put a space after the ':': {key}: {rest}")


def _missing_colon(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """``GK Per`` with its block below, or ``RA 1``: the parser reads on into the next line and
    only stops at the next ':' (or misses one at the end of the key it was scanning)."""
    if "could not find expected ':'" in problem and context is not None:
        key_line = getattr(context, "line", line)
    elif "mapping values are not allowed here" in problem \
            and re.match(r"\s*[^\s:#'\"{\[][^:#]*[{\[]", text.line(line)):
        key_line = line  # 'SourceDet {whichData: all}'
    elif "mapping values are not allowed here" in problem:
        above = text.previous_content(line)
        if above is None or _mapping_colon(text.line(above).strip()) is not None:
            return None
        key_line = above
        while True:  # a plain key may run over several colon-less lines
            higher = text.previous_content(key_line)
            if higher is None or not _colon_less(text, higher) \
                    or text.indent(higher) < text.indent(key_line):
                break
            key_line = higher
        if not _colon_less(text, key_line):
            return None
    else:
        return None
    written = text.line(key_line).strip()
    below = text.previous_content(line + 1)
    opens_block = below is not None and below != key_line \
        and text.indent(below) > text.indent(key_line)
    message = f"{written[:40]!r} is missing the ':' after its key"
    if ":" in written and ": " not in written and not written.endswith(":"):
        key, value = written.split(":", 1)
        message = f"{written[:40]!r} has no space after its ':'"
        fix = f"put a space after the ':': {key}: {value}"
    elif opens_block or " " not in written:
        fix = f"write it as {written}: (a key is followed by ':')"
    else:
        cut = min((written.find(c) for c in " {[" if written.find(c) > 0), default=len(written))
        fix = f"write it as {written[:cut]}: {written[cut:].strip()}"
        if written.count(" ") > 1:
            fix += ", or start the line with '#' if it is a comment"
    return key_line, text.indent(key_line), message, fix


def _colon_less(text: _Text, index: int) -> bool:
    stripped = text.line(index).strip()
    return _mapping_colon(stripped) is None and not stripped.startswith(("-", "'", '"', "{", "["))


def _over_indented(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """``RA: 1`` then ``  Dec: 2`` indented deeper: RA already has its value."""
    if "mapping values are not allowed here" not in problem:
        return None
    above = text.previous_content(line)
    if above is None or text.indent(line) <= text.indent(above):
        return None
    written = text.line(above).strip()
    colon = _mapping_colon(written)
    if colon is None or not written[colon + 1:].strip():
        return None  # 'key:' with its block below: deeper is right
    return (line, text.indent(line),
            f"bad indentation: {text.item(line)!r} is deeper than {text.item(above)!r} above it, "
            "which already has a value",
            f"indent it to column {text.indent(above) + 1}, as {text.item(above)!r} on line "
            f"{above + 1}")


def _colon_in_value(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """``targ: a: b``: a second ': ' on one line."""
    if "mapping values are not allowed here" not in problem:
        return None
    written = text.line(line).strip()
    colon = _mapping_colon(written)
    if colon is None:
        return None
    key, value = written[:colon], written[colon + 1:].strip()
    return (line, col, "a value contains ': ', which YAML reads as the start of another key",
            f"quote the value: {key}: \"{value}\"" if '"' not in value
            else "quote the value, or remove the ':'")


def _tab(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    if "'\\t'" not in problem:
        return None
    indenting = not text.line(line)[:col].strip()
    where = "for indentation" if indenting else "between a key and its value"
    return line, col, f"a tab is used {where}", _TABS


def _odd_indent(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """A line indented to a column no block above it uses."""
    if "<block mapping start>" not in problem and "<block sequence start>" not in problem:
        return None
    levels = _open_levels(text, line)
    indent = text.indent(line)
    deeper = [lv for lv in levels if lv[0] > indent]
    shallower = [lv for lv in levels if lv[0] < indent]
    nearest = [*deeper[-1:], *shallower[:1]]
    if not nearest:
        return None
    columns = sorted({c for c, _ in nearest}, reverse=True)
    choices = " or ".join(f"{c + 1} (as {text.item(i)!r} on line {i + 1})" for c, i in nearest)
    return (line, indent,
            f"bad indentation: {text.item(line)!r} is at column {indent + 1}, but the keys above "
            f"it are at column {' or '.join(str(c + 1) for c in columns)}",
            f"indent it to column {choices}")


def _open_levels(text: _Text, line: int) -> list[tuple[int, int]]:
    """(indent, line) of each block still open above ``line``, innermost first."""
    levels: list[tuple[int, int]] = []
    index = text.previous_content(line)
    while index is not None:
        if not levels or text.indent(index) < levels[-1][0]:
            levels.append((text.indent(index), index))
            if text.indent(index) == 0:
                break
        index = text.previous_content(index)
    return levels


def _list_in_mapping(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    if "but found '-'" not in problem:
        return None
    return (line, col, f"a list item {text.item(line)!r} among 'key: value' entries",
            "write it as 'key: value', or indent the list under the key it belongs to")


def _text_after_value(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """``targ: "1" x`` or ``A: {RA: 1} x``: more after a value that had ended."""
    if "<block end>" not in problem or "<block mapping start>" in problem \
            or "<block sequence start>" in problem or "found '-'" in problem:
        return None
    return (line, col, f"unexpected text {text.line(line)[col:].strip()[:30]!r} after the value",
            "remove it, or quote the whole value")


def _stray_text_on_top(text: _Text, problem: str, line: int, col: int,
                       context: Any) -> _Found:
    """A line of text (a comment without its '#') above the first key of the file."""
    if "<document start>" not in problem:
        return None
    first = next((i for i in range(len(text.lines)) if text.is_content(i)), None)
    if first is None or first >= line:
        return None
    return (first, text.indent(first), f"{text.line(first).strip()[:40]!r} is not a "
            "'key: value' entry", "start the line with '#' if it is a comment")


def _flow(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    """Inside ``{...}`` or ``[...]``: an unclosed, mismatched or unseparated bracket."""
    found = re.match(r"expected ',' or '(.)', but got '(.+)'", problem)
    if not found or context is None:
        return None
    closer, got = found.groups()
    opener = "{" if closer == "}" else "["
    start = (getattr(context, "line", line), getattr(context, "column", col))
    if got in ("}", "]"):
        return (line, col, f"the {opener!r} at line {start[0] + 1}, column {start[1] + 1} is "
                f"closed with {got!r}", f"close it with {closer!r}")
    if got == "<stream end>" or line > start[0]:
        return (*start, f"this {opener!r} is never closed",
                f"add the {closer!r} that ends it (before the next key)")
    return (line, col, f"entries inside {opener}{closer} must be separated by ','",
            "add the missing ',', and quote any value that contains ': '")


def _unclosed_quote(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    if "end of stream" not in problem or context is None:
        return None
    start = (getattr(context, "line", line), getattr(context, "column", col))
    quote = text.line(start[0])[start[1]:start[1] + 1]
    if quote not in ("'", '"'):
        return None
    return *start, "this quote is never closed", f"add the closing {quote} on the same line"


_WORDED = (
    ("mapping keys are not allowed here", "a '?' here would start a complex key, which specs "
     "do not use", "remove the '?', or quote the value"),
    ("sequence entries are not allowed here", "a '- ' list item cannot start here",
     "put list items on lines of their own under their key, or quote the value"),
    ("while scanning an alias", "a '*' must be followed by an anchor's name",
     "remove the '*', or quote the value"),
    ("while scanning an anchor", "a '&' must be followed by an anchor's name",
     "remove the '&', or quote the value"),
    ("while scanning a directive", "a line cannot start with '%'", "quote the value"),
    ("while scanning a block scalar", "'|' and '>' start a block of text and must end "
     "the line", "quote the value instead"),
    ("but found another document", "a second YAML document starts here",
     "a spec is one YAML document: remove the extra '---'"),
    ("found undefined alias", "this '*' refers to an anchor ('&name') that is not defined "
     "before it", "define the anchor first, or quote the value if '*' is meant literally"),
)


def _other(text: _Text, problem: str, line: int, col: int, context: Any) -> _Found:
    for words, message, fix in _WORDED:
        if words in problem:
            return line, col, message, fix
    stray = re.search(r"found (?:character )?'([^\w\s<])'", problem)
    if stray:
        return line, col, f"unexpected {stray.group(1)!r} here", "remove it, or quote the value"
    return line, col, "YAML cannot read the text here", _FIX_NEAR
