"""Located problems in a spec, and how they read on a terminal.

One line per problem in the compiler style ``file:line:col: context: what — fix`` so that
editors and CI logs can jump to the place, and a user can act without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..errors import UserError


@dataclass(frozen=True)
class Diagnostic:
    """One problem. ``line``/``col`` are 1-based; 0 when the problem has no place in the text
    (a missing file). ``context`` names the part of the spec (``source 'GK Per', LightCurve``)."""

    file: str
    line: int
    col: int
    message: str
    fix: str | None = None
    context: str | None = None
    warning: bool = False

    def render(self) -> str:
        head = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        parts = [head]
        if self.warning:
            parts.append("warning")
        if self.context:
            parts.append(self.context)
        text = ": ".join(parts) + ": " + self.message
        return f"{text} — {self.fix}" if self.fix else text

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.col)


def errors(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if not d.warning]


def warnings(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.warning]


def in_order(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """File order, so the output reads top to bottom like the spec."""
    return sorted(diagnostics, key=lambda d: d.sort_key)


class SpecError(UserError):
    """A spec that cannot be used; carries every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = in_order(diagnostics)
        super().__init__(summary(self.diagnostics))


def summary(diagnostics: list[Diagnostic]) -> str:
    """The diagnostics as text, errors counted at the end."""
    lines = [d.render() for d in diagnostics]
    count = len(errors(diagnostics))
    if count:
        lines.append(f"{count} error{'s' if count != 1 else ''}")
    return "\n".join(lines)
