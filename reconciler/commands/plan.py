"""``xrt-reconcile plan SPEC``: what apply would do, as text, JSON, or a saved plan."""

from __future__ import annotations

import argparse
import json
import sys

from .. import api
from ..plan.render_json import as_json
from ..plan.render_text import render
from ..spec.diagnostics import summary
from ..state import planfile
from . import output

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    spec = api.load(args.spec)
    if spec.warnings:
        print(summary(spec.warnings), file=sys.stderr)
    options = api.options(spec, args.target, args.retry_failed, args.refresh_resolved)
    with api.open_session(spec, args.server, args.user) as session:
        plan = api.plan_in(spec, session, options)
    if args.out:
        planfile.save(args.out, plan, spec.path, options)
    if args.json:
        json.dump(as_json(plan), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        title = f"Plan for {spec.path} on {plan.server} as {plan.user}:"
        output.lines(output.console(args), render(plan, verbose=bool(args.verbose), title=title))
        if args.out:
            print(f"\nSaved the plan to {args.out}; apply it with: xrt-reconcile apply {args.out}")
    if args.fail_on_drift and plan.drift:
        print(f"error: {len(plan.drift)} server default(s) moved (see 'drift' above); write "
              "the values into the spec to settle them", file=sys.stderr)
        return EXIT_ERROR
    if args.detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
