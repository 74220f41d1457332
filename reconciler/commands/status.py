"""``xrt-reconcile status SPEC``: the jobs behind each product, and how they stand."""

from __future__ import annotations

import argparse
import json
import sys

from rich.table import Table

from .. import api
from ..state.status import age_text
from . import output


def run(args: argparse.Namespace) -> int:
    spec = api.load(args.spec)
    found = api.status(spec, server=args.server, user=args.user)
    if args.json:
        json.dump([row.as_json() for row in found], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("source", "product", "serving job", "attempt", "status", "age"):
        table.add_column(column)
    for row in found:
        table.add_row(row.source, row.product, str(row.serving or ""), str(row.attempt or ""),
                      row.status, age_text(row.age))
    output.console(args).print(table)
    return 0
