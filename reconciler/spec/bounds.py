"""How much a spec file may hold, so that no file can keep a reader busy or fill memory.

Specs come from pull requests that the person running CI did not write. Two bounds, both far
above what a real spec needs (the 10,000-source benchmark spec is 1.5 MB and 180,000 nodes):

- :data:`MAX_BYTES`: a larger file is refused before it is parsed (reading stops there, so
  ``validate /dev/zero`` ends too);
- :data:`MAX_NODES`: the document's tree, every YAML alias counted as the whole block it
  repeats, may hold at most this many nodes (keys, values, mappings and lists). Both readers
  count while they read, before anything is expanded, so a "billion laughs" file of a few
  lines is refused at the alias that crosses the budget, in milliseconds and little memory;
- :data:`MAX_DEPTH`: deeper nesting is refused at its deepest place (deep brackets make the
  located reader's scanner quadratic and its composer recurse).
"""

from __future__ import annotations

from typing import BinaryIO

from .diagnostics import Diagnostic, SpecError

#: 8 MiB: about 55,000 sources written as the benchmark's (7 lines, 152 bytes a source)
MAX_BYTES = 8 * 1024 * 1024
#: about 55,000 sources written as the benchmark's (18 nodes a source)
MAX_NODES = 1_000_000
#: levels of nesting; a spec uses 6 (sources, a source, a product, a parameter, a list)
MAX_DEPTH = 100


def read_limited(stream: BinaryIO, shown: str, limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` bytes of ``stream``; SpecError if there are more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise SpecError([too_large(shown, limit)])
    return data


def too_large(shown: str, limit: int = MAX_BYTES) -> Diagnostic:
    return Diagnostic(
        shown, 0, 0, f"the file is larger than {_size(limit)}, the most a spec may be",
        "split the sources into several spec files (validate and plan each; see 'Several "
        "spec files' in the README)",
    )


def too_many_nodes(shown: str, line: int, col: int, limit: int = MAX_NODES) -> Diagnostic:
    """Where the running count of nodes, aliases expanded, first passes ``limit``."""
    return Diagnostic(
        shown, line, col,
        f"the YAML grows past {limit:,} values here (each '*' alias counts the whole block it "
        "repeats)",
        "write the blocks out, or use templates; no spec needs this many",
    )


def too_deep(shown: str, depth: int | str, line: int, col: int) -> Diagnostic:
    """At the deepest place of a file nested too deep."""
    return Diagnostic(shown, line, col, f"the YAML is nested {depth} levels deep here, too "
                      "deep to read", "a spec needs a few levels: look for runaway brackets")


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MiB" if count % (1024 * 1024) == 0 else f"{count:,} bytes"
