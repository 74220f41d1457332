"""``xrt-reconcile download SPEC DIR``: fetch the serving products, safely."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import api
from . import output


def run(args: argparse.Namespace) -> int:
    spec = api.load(args.spec)
    fetched = api.download(spec, Path(args.dir), fmt=args.format, extract=args.extract,
                           clobber=args.clobber, server=args.server, user=args.user)
    out = output.console(args)
    for item in fetched:
        where = f" -> {item.path}" if item.path else ""
        job = f" (job {item.job})" if item.job else ""
        out.print(f"{item.source}: {item.product}{job}: {item.outcome}{where}")
    saved = sum(1 for f in fetched if f.outcome in ("saved", "extracted"))
    out.print(f"Download: {saved} archive{'s' if saved != 1 else ''} saved, "
              f"{sum(1 for f in fetched if f.outcome == 'kept')} already there.")
    return 0
