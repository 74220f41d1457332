"""``xrt-reconcile import --user EMAIL [--name GLOB] [--output SPEC]``: a spec and its lock
from the jobs already on the server, so that an immediate plan shows no changes."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from datetime import datetime, timezone
from pathlib import Path

from .. import api
from ..errors import UserError
from ..protocol.catalogue import DEFAULT_SERVER
from ..session import open_at
from ..state import lockfile
from ..state.importer import import_jobs


def _stdout_file() -> Path | None:
    """The file standard output is redirected to (``> spec.yaml``), if it is one."""
    try:
        if not stat.S_ISREG(os.fstat(sys.stdout.fileno()).st_mode):
            return None
        path = Path(os.readlink(f"/proc/self/fd/{sys.stdout.fileno()}"))
    except (OSError, ValueError, AttributeError):
        return None
    return path if path.is_file() else None


def run(args: argparse.Namespace) -> int:
    user = args.user or os.environ.get("XRT_USER")
    if not user:
        raise UserError("import needs --user EMAIL (or XRT_USER): whose jobs to import")
    server = (args.server or DEFAULT_SERVER).rstrip("/")
    target = Path(args.output) if args.output else _stdout_file()
    if args.output and target is not None and target.exists():
        raise UserError(f"{target} exists already; import writes a new spec (and its lock), "
                        "so give another --output")
    where = target or Path.cwd() / "imported.yaml"
    if target is not None and lockfile.lock_path(target).exists():
        raise UserError(f"{lockfile.lock_path(target)} exists already; import would replace "
                        "it. Move it aside first")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    header = [f"# Imported by xrt-reconcile from {server} on {stamp}."]
    with open_at(where, server, user) as session, session.client() as client:
        imported = import_jobs(client, user, None if server == DEFAULT_SERVER else server,
                               args.name, header)
        for note in imported.notes:
            print(f"import: {note}", file=sys.stderr)
        if args.output:
            target.write_text(imported.text, encoding="utf-8")  # type: ignore[union-attr]
        else:
            sys.stdout.write(imported.text)
            sys.stdout.flush()
        if target is None:
            print("import: the spec went to standard output, so no lock was written; use "
                  "--output SPEC to write both (a first plan will then adopt the jobs)",
                  file=sys.stderr)
            return 0
        spec = api.load(target)
        plan = api.plan_in(spec, session, api.options(spec, None, False, False))
        lockfile.write(lockfile.lock_path(target), plan.lock)
    print(f"import: {len(imported.sources)} source{'s' if len(imported.sources) != 1 else ''} "
          f"written to {target}, with its lock {lockfile.lock_path(target)}", file=sys.stderr)
    return 0
