"""Terminal output shared by the commands: colour only on a terminal and never with
``--no-color`` or ``NO_COLOR``, no wrapping or guessing at highlights, stdout or stderr."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterable, TextIO

from rich.console import Console
from rich.text import Text


def console(args: argparse.Namespace, file: TextIO | None = None) -> Console:
    plain = bool(getattr(args, "no_color", False)) or "NO_COLOR" in os.environ
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True,
                   no_color=plain or None, emoji=False, markup=False)


def lines(out: Console, texts: Iterable[Text]) -> None:
    for text in texts:
        out.print(text)
