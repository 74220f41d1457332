"""The README's "Guarantees" section names, for each promise of issue 9, the tests that check
it: every name must be a test that exists, so the list cannot silently go stale."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Guarantees\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_the_guarantees_name_exists() -> None:
    named = REFERENCE.findall(section())
    assert len(named) >= 20
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).is_file() or name not in functions_in(ROOT / path)]
    assert missing == []


def test_each_of_the_seven_promises_names_its_tests_or_says_it_is_pending() -> None:
    items = re.split(r"\n(?=\d\. \*\*)", section())[1:]
    assert [item.split(".", 1)[0] for item in items] == [str(n) for n in range(1, 8)]
    for item in items:
        assert REFERENCE.search(item) or "*Pending*" in item, item[:60]
