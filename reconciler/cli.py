"""Command-line entry point: argument parsing and dispatch only.

Each command lives in ``reconciler.commands.<name>`` with ``run(args) -> int`` and is imported
only when used, so ``validate`` never loads the HTTP or simulator code. What each command says
about itself (description, examples, exit codes, which common options it takes) is data in
:mod:`reconciler.help`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Any, NoReturn, Sequence

from . import __version__
from . import help as texts
from .errors import UserError
from .protocol.catalogue import DEFAULT_SERVER, DOWNLOAD_FORMATS
from .sim.config import SimConfig
from .spec import USER_ENV
from .spec.diagnostics import SpecError, summary
from .spec.models import server_problem, server_url, user_problem

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_FAILED = 0, 1, 2, 3
#: the common options' destinations and their values when not given
_UNSET: dict[str, Any] = {"server": None, "user": None, "verbose": 0, "no_color": False}
_DEST = {texts.SERVER: "server", texts.USER: "user", texts.VERBOSE: "verbose",
         texts.COLOR: "no_color"}


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, but 2 means "changes present" here: a usage error is
    an error like any other, exit 1. The top level's help is the overview."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n"
                              f"(xrt-reconcile --help lists the commands)\n")

    def format_help(self) -> str:
        if self.prog == "xrt-reconcile":
            return texts.overview(__version__)
        return super().format_help()


def _common(parser: argparse.ArgumentParser, which: tuple[str, ...], top: bool,
            verbose: str = "") -> None:
    """The common options ``which``. Only the top level sets defaults, so a command's parser
    never overwrites what was given before the command name."""
    def default(name: str) -> Any:
        return _UNSET[name] if top else argparse.SUPPRESS
    if texts.SERVER in which:
        parser.add_argument("--server", metavar="URL|sim", default=default("server"),
                            help=texts.COMMON_HELP[texts.SERVER])
    if texts.USER in which:
        parser.add_argument("--user", metavar="EMAIL", default=default("user"),
                            help=texts.COMMON_HELP[texts.USER])
    if texts.VERBOSE in which:
        parser.add_argument("-v", "--verbose", action="count", default=default("verbose"),
                            help=verbose or texts.COMMON_HELP[texts.VERBOSE])
    if texts.COLOR in which:
        parser.add_argument("--no-color", action="store_true", default=default("no_color"),
                            help=texts.COMMON_HELP[texts.COLOR])


def _command(sub: Any, name: str) -> argparse.ArgumentParser:
    info = texts.BY_NAME[name]
    parser = sub.add_parser(
        name.split()[-1], help=info.summary, description=texts.description(info),
        epilog=texts.epilog(info), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(parser, info.common, top=False, verbose=info.verbose)
    parser.set_defaults(module=name.split()[0], offered=info.common, command_name=name)
    return parser


def _selection(p: argparse.ArgumentParser) -> None:
    """The options that choose what a plan covers (plan and apply)."""
    p.add_argument("--target", action="append", metavar="NAME",
                   help="only this source (repeatable)")
    p.add_argument("--refresh-resolved", action="store_true",
                   help="let the server resolve RA/Dec, targ and T0 again (with --target)")
    p.add_argument("--retry-failed", action="store_true",
                   help="resubmit products whose last job failed or was cancelled")


def build_parser() -> _Parser:
    parser = _Parser(prog="xrt-reconcile", add_help=True)
    _common(parser, tuple(_DEST), top=True)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = _command(sub, "validate")
    p.add_argument("specs", nargs="+", metavar="SPEC",
                   help="spec files; - reads one from standard input")
    p.add_argument("--payloads", action="store_true",
                   help="print each source's exact submission payload as JSON (stdout)")

    p = _command(sub, "plan")
    p.add_argument("spec", metavar="SPEC", help="the spec file")
    p.add_argument("--out", metavar="PLAN", help="save the plan, to apply it later")
    p.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    p.add_argument("--detailed-exitcode", action="store_true",
                   help="exit 0 with no changes, 2 with changes, 1 on error")
    _selection(p)
    p.add_argument("--fail-on-drift", action="store_true",
                   help="exit 1 when a server default has moved")

    p = _command(sub, "apply")
    p.add_argument("spec", metavar="SPEC|PLAN", help="a spec, or a plan saved with plan --out")
    p.add_argument("--auto-approve", action="store_true",
                   help="do not ask for confirmation (required when not on a terminal)")
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

    p = _command(sub, "status")
    p.add_argument("spec", metavar="SPEC", help="the spec file")
    p.add_argument("--json", action="store_true", help="print the table as JSON")

    p = _command(sub, "download")
    p.add_argument("spec", metavar="SPEC", help="the spec file")
    p.add_argument("dir", metavar="DIR", help="folder to save them in (one folder per source)")
    p.add_argument("--format", choices=DOWNLOAD_FORMATS, default="tar.gz",
                   help="archive format (default: %(default)s)")
    p.add_argument("--extract", action="store_true", help="unpack the archives")
    p.add_argument("--clobber", action="store_true", help="overwrite existing files")

    p = _command(sub, "import")
    p.add_argument("--name", default="*", metavar="GLOB",
                   help="only jobs whose name matches, e.g. 'GRB*' (default: all)")
    p.add_argument("--output", "-o", metavar="SPEC",
                   help="write the spec here, and its lock beside it (default: standard "
                        "output; the lock too when that is a file)")
    p.set_defaults(module="import_jobs")

    p = _command(sub, "schema")
    p.add_argument("--lock", action="store_true",
                   help="the lockfile's JSON Schema instead (schemas/lock.schema.json)")

    sim = sub.add_parser("sim", help=texts.BY_NAME["sim serve"].summary,
                         description="The UKSSDC simulator.")
    sim_sub = sim.add_subparsers(dest="sim_command", metavar="SIM_COMMAND", required=True,
                                 parser_class=_Parser)
    p = _command(sim_sub, "sim serve")
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
    return parser


def _given_but_unused(args: argparse.Namespace) -> str | None:
    """A common option given before a command that does not use it."""
    offered = getattr(args, "offered", ())
    for key, dest in _DEST.items():
        if key not in offered and getattr(args, dest, _UNSET[dest]) != _UNSET[dest]:
            flag = texts.COMMON_FLAGS[key].split(",")[-1].split()[0]
            return f"{flag} does nothing for {args.command_name}; leave it out"
    return None


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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # no command: the overview, not a usage error
        sys.stdout.write(texts.overview(__version__))
        return EXIT_OK
    unused = _given_but_unused(args)
    if unused:
        parser.error(unused)
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
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of our output went away (``... | head -1``): stop quietly. Standard output
    is pointed at /dev/null so that Python's last flush at exit does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_ERROR
