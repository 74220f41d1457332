"""``xrt-reconcile schema``: print the spec JSON Schema (what schemas/spec.schema.json holds)."""

from __future__ import annotations

import argparse
import sys

from ..spec import schema


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema.text())
    return 0
