"""The README's spec reference, generated from the models and the catalogue.

``python -m reconciler.spec.reference --write README.md`` refreshes the generated block in place;
a test fails when the README and this output differ, so the reference is never stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..protocol.catalogue import ALL_PRODUCTS, GLOBAL_SCOPE, PRODUCTS
from . import durations, paramdoc
from .models import Limits, Rebuild, Source, Spec

BEGIN = "<!-- BEGIN GENERATED SPEC REFERENCE: python -m reconciler.spec.reference --write README.md -->"
END = "<!-- END GENERATED SPEC REFERENCE -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if hasattr(value, "total_seconds"):
        return f"`{durations.spell(value)}`"
    return f"`{value}`"


def _model_table(model: type[BaseModel]) -> list[str]:
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for name, info in model.model_fields.items():
        default = "required" if info.is_required() else _default(
            info.get_default(call_default_factory=False) if info.default_factory is None
            else None)
        rows.append(f"| `{name}` | {default} | {_cell(info.description or '')} |")
    return rows


def _param_table(scope: str) -> list[str]:
    rows = ["| parameter | type | default | allowed | wire | rules |", "|---|---|---|---|---|---|"]
    for name, param in paramdoc.spec_params(scope).items():
        default = paramdoc.default_text(param)
        allowed = paramdoc.allowed(param)
        rules = " ".join(paramdoc.notes(scope, param))
        rows.append(
            f"| `{name}` | {paramdoc.type_name(param)} | {f'`{default}`' if default else ''} | "
            f"{_cell(allowed)} | `{param.wire}` | {_cell(param.doc + (' ' + rules if rules else ''))} |"
        )
    return rows


def markdown() -> str:
    """The generated reference (without the markers)."""
    out: list[str] = [
        "### Top level", "", *_model_table(Spec), "",
        "### `limits`", "", *_model_table(Limits), "",
        "### `rebuild`", "",
        " ".join((Rebuild.__doc__ or "").split()), "",
        *_model_table(Rebuild), "",
        f"Durations are written {durations.EXAMPLE}; decimals such as 0.5s are allowed.", "",
        "### Source-only keys", "",
        "| key | meaning |", "|---|---|",
        f"| `use` | {_cell(Source.model_fields['use'].description or '')} |",
        "",
        "### Global parameters", "",
        "Allowed in `defaults`, in templates and in sources. The source key is the job name, so "
        "`name` is never written.", "",
        *_param_table(GLOBAL_SCOPE), "",
    ]
    for product in ALL_PRODUCTS:
        info = PRODUCTS[product]
        out += [
            f"### `{product}` ({info.label})", "",
            f"Naming `{product}` in a source or template requests it (`{product}: {{}}` for the "
            f"defaults); in `defaults` it only gives values. Wire flag `{info.flag}`.", "",
            *_param_table(product), "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"


def splice(readme: str) -> str:
    """``readme`` with its generated block replaced by the current reference."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n\n" + markdown() + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", metavar="README", type=Path,
                        help="replace the generated block in this file")
    args = parser.parse_args(argv)
    if args.write:
        args.write.write_text(splice(args.write.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
