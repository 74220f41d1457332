"""Command-line entry point: argument parsing and dispatch only.

Each command lives in ``reconciler.commands.<name>`` with ``run(args) -> int`` and is imported
only when used, so ``validate`` never loads the HTTP or simulator code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn, Sequence

from . import __version__
from .errors import UserError
from .protocol.catalogue import DEFAULT_SERVER, DOWNLOAD_FORMATS
from .sim.config import SimConfig
from .spec import USER_ENV
from .spec.diagnostics import SpecError, summary
from .spec.models import server_problem, server_url, user_problem

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_FAILED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, but 2 means "changes present" here: a usage error is
    an error like any other, exit 1."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _common(top: bool) -> _Parser:
    """Options accepted before or after the command. Only the top level sets defaults, so a
    subcommand's parser never overwrites what was given before the command name."""
    common = _Parser(add_help=False)
    default = (lambda value: value) if top else (lambda value: argparse.SUPPRESS)
    common.add_argument("--server", metavar="URL", default=default(None),
                        help="server base URL (default: the UKSSDC); 'sim' = embedded simulator")
    common.add_argument("--user", metavar="EMAIL", default=default(None),
                        help="registered UKSSDC e-mail (UserID)")
    common.add_argument("-v", "--verbose", action="count", default=default(0), help="more output")
    common.add_argument("--no-color", action="store_true", default=default(False),
                        help="plain output")
    return common


def _selection(p: argparse.ArgumentParser) -> None:
    """The options that choose what a plan covers (plan and apply)."""
    p.add_argument("--target", action="append", metavar="NAME",
                   help="only this source (repeatable)")
    p.add_argument("--refresh-resolved", action="store_true",
                   help="let the server resolve RA/Dec, targ and T0 again (with --target)")
    p.add_argument("--retry-failed", action="store_true",
                   help="resubmit products whose last job failed or was cancelled")


def build_parser() -> _Parser:
    common = _common(top=False)
    parser = _Parser(
        prog="xrt-reconcile", parents=[_common(top=True)],
        description="Declarative Swift-XRT product requests for the UKSSDC.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                parser_class=_Parser)

    p = sub.add_parser("validate", parents=[common], help="check specs (no network)")
    p.add_argument("specs", nargs="+", metavar="SPEC",
                   help="spec files; - reads one from standard input")
    p.add_argument("--payloads", action="store_true",
                   help="print each source's exact submission payload as JSON")
    p.set_defaults(module="validate")

    p = sub.add_parser("schema", parents=[common], help="print the spec JSON Schema")
    p.add_argument("--lock", action="store_true",
                   help="the lockfile's JSON Schema instead (schemas/lock.schema.json)")
    p.set_defaults(module="schema")

    p = sub.add_parser("plan", parents=[common], help="show what apply would do")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--out", metavar="PLAN", help="save the plan, to apply it later")
    p.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 with no changes, 2 with changes, 1 on error")
    _selection(p)
    p.add_argument("--fail-on-drift", action="store_true",
                   help="exit 1 when a server default has moved")
    p.set_defaults(module="plan")

    p = sub.add_parser("apply", parents=[common], help="carry out a plan under the limits")
    p.add_argument("spec", metavar="SPEC|PLAN", help="a spec, or a plan saved with plan --out")
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument("--wait", action="store_true",
                   help="wait until every submitted product has finished")
    p.add_argument("--download", metavar="DIR", help="then download the products into DIR")
    p.add_argument("--format", choices=DOWNLOAD_FORMATS, default="tar.gz",
                   help="archive format for --download (default: %(default)s)")
    p.add_argument("--extract", action="store_true", help="unpack the downloaded archives")
    p.add_argument("--clobber", action="store_true", help="overwrite downloaded files")
    p.add_argument("--no-cancel", action="store_true",
                   help="keep superseded products of replaced jobs running")
    p.add_argument("--allow-large", action="store_true",
                   help="allow more submissions than limits.max_submissions_per_run")
    _selection(p)
    p.set_defaults(module="apply")

    p = sub.add_parser("status", parents=[common], help="the jobs behind each product")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    p.set_defaults(module="status")

    p = sub.add_parser("download", parents=[common], help="fetch the finished products")
    p.add_argument("spec", metavar="SPEC")
    p.add_argument("dir", metavar="DIR", help="folder to save them in (one folder per source)")
    p.add_argument("--format", choices=DOWNLOAD_FORMATS, default="tar.gz",
                   help="archive format (default: %(default)s)")
    p.add_argument("--extract", action="store_true", help="unpack the archives")
    p.add_argument("--clobber", action="store_true", help="overwrite existing files")
    p.set_defaults(module="download")

    p = sub.add_parser("import", parents=[common],
                       help="write a spec and its lock from jobs already on the server")
    p.add_argument("--name", default="*", metavar="GLOB",
                   help="only jobs whose name matches, e.g. 'GRB*' (default: all)")
    p.add_argument("--output", "-o", metavar="SPEC",
                   help="write the spec here, and its lock beside it (default: standard "
                        "output; the lock too when that is a file)")
    p.set_defaults(module="import_jobs")

    sim = sub.add_parser("sim", parents=[common], help="the UKSSDC simulator")
    sim_sub = sim.add_subparsers(dest="sim_command", metavar="SIM_COMMAND", required=True,
                                 parser_class=_Parser)
    p = sim_sub.add_parser(
        "serve", parents=[common], help="run the simulator in the foreground",
        description="Serve the UKSSDC XRT product API on loopback, for demos and tests. "
                    "Clients use the base URL http://HOST:PORT/user_objects. State is kept in "
                    "the SQLite file --db, so a restart carries on; the server stops on Ctrl-C "
                    "or SIGTERM, or by itself after --max-seconds or --max-requests.",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="loopback address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8765,
                   help="port to listen on, 0 for any free one (default: %(default)s)")
    p.add_argument("--db", metavar="PATH", default=".xrt-reconcile/sim.sqlite3",
                   help="SQLite state file (default: %(default)s)")
    p.add_argument("--job-seconds", type=float, default=60.0, metavar="S",
                   help="seconds each product spends in each status (default: %(default)s)")
    p.add_argument("--max-queued", type=int, default=SimConfig.max_queued, metavar="N",
                   help="per-user limit of queued+running jobs (default: %(default)s)")
    p.add_argument("--fail-rate", type=float, default=0.0, metavar="R",
                   help="fraction of requests answered with an HTTP error (--error-code)")
    p.add_argument("--error-code", type=int, action="append", default=[], metavar="CODE",
                   help="HTTP status of those answers, e.g. 503, or 429 for 'too busy'; "
                        "repeatable (default: one of "
                        f"{', '.join(map(str, SimConfig.error_codes))})")
    p.add_argument("--retry-after", type=int, default=None, metavar="S",
                   help="whole seconds sent as Retry-After with 429 and 503 answers")
    p.add_argument("--drop-rate", type=float, default=0.0, metavar="R",
                   help="fraction of requests whose connection is closed with no answer")
    p.add_argument("--latency", type=float, default=0.0, metavar="S",
                   help="seconds added to every answer")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="seed for the fault injection")
    p.add_argument("--expire-seconds", type=float, default=SimConfig.expire_seconds,
                   metavar="S", help="products are removed (hasProd false) this long after a "
                                     "job finished (default: %(default)s, 30 days)")
    p.add_argument("--fail-product", action="append", default=[], metavar="[NAME:]PRODUCT",
                   help="products that end with status -3 (globs, e.g. lc or 'GRB*:spec'); "
                        "repeatable")
    p.add_argument("--product-fail-rate", type=float, default=0.0, metavar="R",
                   help="fraction of products that fail (-3), seeded")
    p.add_argument("--default", action="append", default=[], metavar="WIRE=VALUE",
                   dest="defaults",
                   help="move the server's default for a parameter, by wire name (e.g. "
                        "minsnr=1.5): filled in when a submission omits it; repeatable")
    p.add_argument("--manual-clock", action="store_true",
                   help="time moves only via POST /_sim/advance {\"seconds\": S}")
    p.add_argument("--max-requests", type=int, default=1_000_000, metavar="N",
                   help="stop after this many protocol requests (default: %(default)s)")
    p.add_argument("--max-seconds", type=float, default=8 * 3600.0, metavar="S",
                   help="stop after running this long (default: %(default)s, 8 hours)")
    p.set_defaults(module="sim")
    return parser


def _check_user_and_server(args: argparse.Namespace) -> None:
    """--user, XRT_USER and --server are judged by the rules of the spec's user and server."""
    checks: list[tuple[str | None, str]] = []
    if args.user is not None:
        checks.append((user_problem("--user", args.user), "e.g. --user you@example.org"))
    if os.environ.get(USER_ENV):
        checks.append((user_problem(USER_ENV, os.environ[USER_ENV]),
                       f"e.g. export {USER_ENV}=you@example.org"))
    if args.server is not None:
        checks.append((server_problem("--server", args.server),
                       f"e.g. --server {DEFAULT_SERVER}, or --server sim"))
        args.server = server_url(args.server)
    for problem, fix in checks:
        if problem:
            raise UserError(f"{problem} — {fix}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _check_user_and_server(args)
        command = importlib.import_module(f"reconciler.commands.{args.module}")
        return command.run(args)
    except SpecError as error:  # located lines, as validate prints them
        print(summary(error.diagnostics), file=sys.stderr)
        return EXIT_ERROR
    except UserError as error:
        hint = ""
        transport = sys.modules.get("reconciler.client.errors")  # loaded if it was the cause
        if transport is not None and isinstance(error, transport.TransportError) \
                and error.status is None \
                and getattr(args, "server", None) in (None, DEFAULT_SERVER):
            hint = (" (is this machine online? To try the tool without the UKSSDC, add "
                    "--server sim)")
        print(f"error: {error}{hint}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
