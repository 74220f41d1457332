"""``xrt-reconcile apply SPEC|PLAN``: carry out a plan under the server's limits."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from rich.table import Table

from .. import api
from ..apply.pace import Pace
from ..apply.progress import LiveReporter, PlainReporter
from ..apply.runner import Result, carry_out, check_size
from ..errors import UserError
from ..plan.basis import moved
from ..plan.model import Plan
from ..plan.render_text import render
from ..spec.diagnostics import summary
from ..state import applock, planfile
from . import output

EXIT_OK, EXIT_ERROR, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 3, 130


def _plan(args: argparse.Namespace, session: api.Session, spec: api.LoadedSpec,
          saved: planfile.SavedPlan | None) -> Plan:
    if saved is None:
        return api.plan_in(spec, session, api.options(spec, args.target, args.retry_failed,
                                                      args.refresh_resolved))
    fresh = api.plan_in(spec, session, saved.options)
    changed = moved(saved.plan.basis, fresh.basis)
    if changed:
        raise UserError(
            f"{args.spec} was computed from a state that has moved since ({', '.join(changed)} "
            "changed); nothing was done. Make a new plan and apply that"
        )
    return saved.plan


def _confirm(args: argparse.Namespace) -> None:
    if args.auto_approve:
        return
    if not sys.stdin.isatty():
        raise UserError("apply asks for confirmation on a terminal; this is not one, so pass "
                        "--auto-approve to apply without asking (nothing was done)")
    answer = input("\nDo you want to perform these actions? Only 'yes' will be accepted: ")
    if answer.strip() != "yes":
        raise UserError("apply cancelled; nothing was done")


def run(args: argparse.Namespace) -> int:
    path = Path(args.spec)
    saved = planfile.load(path) if planfile.is_plan_file(path) else None
    spec = api.load(saved.spec if saved else path)
    if spec.warnings:
        print(summary(spec.warnings), file=sys.stderr)
    out = output.console(args)
    with applock.holding(spec.path), api.open_session(spec, args.server, args.user) as session:
        plan = _plan(args, session, spec, saved)
        pace = Pace.of(spec.limits, loopback=session.loopback, time_scale=session.time_scale)
        output.lines(out, render(plan, verbose=bool(args.verbose),
                                 title=f"Plan for {spec.path} on {plan.server} as {plan.user}:"))
        check_size(plan, pace, args.allow_large)
        if plan.submissions or plan.has_changes:
            _confirm(args)
        stop = threading.Event()
        reporter: Any = (LiveReporter(output.console(args, sys.stderr)) if sys.stderr.isatty()
                         else PlainReporter(sys.stderr))
        previous = signal.signal(signal.SIGINT, _stopper(stop, reporter))
        try:
            result = carry_out(
                spec, session, plan, pace, reporter, wait_for=args.wait or bool(args.download),
                download_to=Path(args.download) if args.download else None, fmt=args.format,
                extract=args.extract, clobber=args.clobber, cancel_superseded=not args.no_cancel,
                stop=stop)
        finally:
            signal.signal(signal.SIGINT, previous)
            reporter.close()
    return _report(out, result, stop.is_set())


def _stopper(stop: threading.Event, reporter: Any) -> Any:
    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop at once
        stop.set()
        reporter.note("stopping after the request in flight (Ctrl-C again to stop at once)")
    return handler


def _report(out: Any, result: Result, interrupted: bool) -> int:
    outcome = result.outcome
    if result.statuses:
        table = Table(title="Products", title_justify="left")
        for column in ("source", "product", "job", "status"):
            table.add_column(column)
        for job, words in sorted(result.statuses.items()):
            watched = result.watched[job]
            for product in watched.products:
                table.add_row(watched.source, product, str(job), words.get(product, "?"))
        out.print(table)
    for fetched in result.fetched:
        where = f" -> {fetched.path}" if fetched.path else ""
        out.print(f"{fetched.source}: {fetched.product}: {fetched.outcome}{where}")
    done = len(outcome.submitted)
    out.print(f"Apply: {done} job{'s' if done != 1 else ''} submitted, "
              f"{len(outcome.adopted)} adopted, {len(outcome.refused)} refused.")
    if interrupted:
        left = ", ".join(s.source for s in outcome.left) or "none"
        print(f"interrupted; the lock is written. Not submitted yet: {left}. Run apply again "
              "to carry on.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.error:
        print(f"error: {outcome.error}. The lock is written; run apply again to carry on.",
              file=sys.stderr)
        return EXIT_ERROR
    for submission, why in outcome.refused:
        print(f"error: {submission.source}: {why}", file=sys.stderr)
    if outcome.refused:
        return EXIT_ERROR
    if result.failed:
        for source, product, job, word in result.failed:
            print(f"{source}: {product} {word} in job {job}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
