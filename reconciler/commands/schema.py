"""``xrt-reconcile schema [--lock]``: print the spec JSON Schema (what
schemas/spec.schema.json holds), or the lockfile's (schemas/lock.schema.json)."""

from __future__ import annotations

import argparse
import sys

from ..spec import schema


def run(args: argparse.Namespace) -> int:
    if getattr(args, "lock", False):
        from ..state.lock import schema_text
        sys.stdout.write(schema_text())
    else:
        sys.stdout.write(schema.text())
    return 0
