"""``xrt-reconcile validate SPEC... [--payloads]``: every check that needs no network.

Files given together are one workspace: each is validated on its own, and a source name may
appear in only one of them for the same user (the server matches jobs by name, so two specs
would fight over the same jobs). ``--payloads`` prints one JSON object, source name -> the
exact submission body, for all files; it needs a user (``--user``, XRT_USER or the spec's
``user``) because the body carries it. Human output goes to stderr whenever stdout is JSON.
``-`` reads a spec from standard input (a pre-commit hook, a generator piped in); it is called
``<stdin>`` in messages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, TextIO

from .. import spec as spec_mod
from ..protocol.wire import to_payload
from ..spec import bounds
from ..spec.diagnostics import Diagnostic, errors, in_order, summary


def run(args: argparse.Namespace) -> int:
    diagnostics: list[Diagnostic] = []
    loaded: list[spec_mod.LoadedSpec] = []
    for path in _each_file_once(args.specs):
        spec, found = spec_mod.check(STDIN_NAME, _stdin()) if path == STDIN \
            else spec_mod.check(path)
        diagnostics += found
        if spec is not None:
            loaded.append(spec)
    diagnostics += _clashes(loaded, args.user, args.payloads)
    payloads: dict[str, Any] = {}
    if args.payloads and not errors(diagnostics):
        for spec in loaded:
            user = spec_mod.effective_user(spec.user, args.user)
            if user is None:
                diagnostics.append(Diagnostic(
                    str(spec.path), 0, 0, "no user known, and a payload carries the UserID",
                    f"pass --user EMAIL, set {spec_mod.USER_ENV}, or add user: to the spec",
                ))
                continue
            for name, source in spec.sources.items():
                payloads[name] = to_payload(source.request, user)
    human: TextIO = sys.stderr if args.payloads else sys.stdout
    if diagnostics:
        print(summary(diagnostics), file=sys.stderr)
    if errors(diagnostics):
        return 1
    for spec in loaded:
        n = len(spec.sources)
        print(f"{spec.path}: valid ({n} source{'s' if n != 1 else ''})", file=human)
    if args.payloads:
        json.dump(payloads, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return 0


STDIN, STDIN_NAME = "-", "<stdin>"


def _stdin() -> bytes:
    """Standard input as bytes, decoded later like a file's (UTF-8, with its errors located);
    one byte more than a spec may hold at most, so an endless stream is refused too."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        return stream.read(bounds.MAX_BYTES + 1)
    return sys.stdin.read(bounds.MAX_BYTES + 1).encode("utf-8")


def _each_file_once(paths: list[str]) -> list[str]:
    """A file named twice (``a.yaml ./a.yaml``) is checked once, not found to clash with itself;
    so is standard input."""
    unique: dict[str, str] = {}
    for path in paths:
        unique.setdefault(path if path == STDIN else os.path.realpath(path), path)
    return list(unique.values())


def _clashes(loaded: list[spec_mod.LoadedSpec], cli_user: str | None,
             payloads: bool) -> list[Diagnostic]:
    """A source name in two files for the same user; for ``--payloads``, whose output is one
    object keyed by source name, for any users."""
    seen: dict[tuple[str | None, str], spec_mod.LoadedSpec] = {}
    found = []
    for spec in loaded:
        user = spec_mod.effective_user(spec.user, cli_user)
        for name, source in spec.sources.items():
            first = seen.setdefault((None if payloads else user, name), spec)
            if first is not spec:
                other = first.sources[name].position[0]
                same_user = spec_mod.effective_user(first.user, cli_user) == user
                found.append(Diagnostic(
                    str(spec.path), *source.position,
                    f"source {name!r} is also in {first.path} (line {other})",
                    "a job name may be managed by one spec only: remove one of them" if same_user
                    else "--payloads prints one JSON object keyed by source name: run it on "
                         "each file",
                ))
    return in_order(found)
