"""What the command line says about itself: the overview, and per command a description, the
options it takes, examples and exit codes. Data in one place, read by the parser
(:mod:`reconciler.cli`) and kept honest by the tests (every command has examples and exit
codes; an option is offered only where it does something).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from .protocol.catalogue import DEFAULT_SERVER

#: the options every command may take, if it uses them
SERVER, USER, VERBOSE, COLOR = "server", "user", "verbose", "color"
COMMON_HELP = {
    SERVER: f"the UKSSDC base URL (default {DEFAULT_SERVER}); 'sim' runs the embedded "
            "simulator, with its state in .xrt-reconcile/ beside the spec",
    USER: "your e-mail address registered with the UKSSDC; beats XRT_USER and the spec's user:",
    VERBOSE: "more detail",
    COLOR: "no colour, even on a terminal (so does the NO_COLOR environment variable)",
}
COMMON_FLAGS = {SERVER: "--server URL|sim", USER: "--user EMAIL", VERBOSE: "-v, --verbose",
                COLOR: "--no-color"}


@dataclass(frozen=True)
class Command:
    name: str
    summary: str
    description: str
    #: (command line, what it does)
    examples: tuple[tuple[str, str], ...]
    #: (code, meaning)
    exits: tuple[tuple[int, str], ...]
    #: which common options it takes, and what -v does for it
    common: tuple[str, ...] = ()
    verbose: str = ""


_ERROR = (1, "an error: a bad spec, lock or option, or the server failed; the message says "
             "where and why")

COMMANDS: tuple[Command, ...] = (
    Command(
        "validate", "check specs against the parameter catalogue (no network)",
        "Check spec files: their YAML, every key and value against the parameter catalogue, "
        "and the rules a request must follow. Every problem is reported in one pass, one line "
        "each with file:line:col, what is wrong and how to fix it. Files given together are "
        "one workspace: a source name may appear in only one of them.",
        (("xrt-reconcile validate sources.yaml", "check one spec"),
         ("xrt-reconcile validate specs/*.yaml", "check several, as one workspace"),
         ("xrt-reconcile validate --payloads sources.yaml",
          "print the exact JSON each source's submission would carry"),
         ("cat sources.yaml | xrt-reconcile validate -", "check a spec on standard input")),
        ((0, "valid (warnings allowed)"), (1, "errors, all listed")),
        common=(USER,),
    ),
    Command(
        "plan", "show what apply would do",
        "Compare each source's products in the spec with the jobs on the server (one "
        "listOldJobs, then only the per-job requests the lock and the cache cannot answer) and "
        "say, per product, what apply would do: + create, -/+ replace (with old -> new per "
        "parameter), ~ rebuild, <= adopt a matching job, - forget. Nothing on the server is "
        "changed.",
        (("xrt-reconcile plan sources.yaml", "show the plan"),
         ("xrt-reconcile plan sources.yaml --detailed-exitcode --no-color",
          "in CI: exit 2 when there are changes"),
         ("xrt-reconcile plan sources.yaml --out plan.json",
          "save it, to apply exactly this plan later"),
         ("xrt-reconcile --server sim plan examples/grb-followup.yaml",
          "against the embedded simulator")),
        ((0, "done (no changes, or changes without --detailed-exitcode)"),
         (1, _ERROR[1] + "; with --fail-on-drift, also a server default that moved"),
         (2, "with --detailed-exitcode: there are changes")),
        common=(SERVER, USER, VERBOSE, COLOR),
        verbose="list every other and unmanaged job, not only the first few",
    ),
    Command(
        "apply", "carry out a plan under the server's limits",
        "Compute the plan (or read one saved with plan --out), show it, ask for 'yes', then "
        "submit in spec order under the spec's limits: never more active jobs than "
        "max_active_jobs, never faster than submissions_per_minute, polling no faster than "
        "poll_interval. Each submission is recorded in the lock before and after it is sent, "
        "so a crash or a lost answer never leads to a job submitted twice. Ctrl-C finishes "
        "the request in flight, writes the lock and stops.",
        (("xrt-reconcile apply sources.yaml", "plan, confirm, submit"),
         ("xrt-reconcile apply sources.yaml --auto-approve --wait --download products",
          "unattended: submit, wait for every product, download them"),
         ("xrt-reconcile apply plan.json", "apply a saved plan, unless what it was computed "
          "from has moved")),
        ((0, "done"), _ERROR, (3, "done, but some product failed (with --wait)"),
         (130, "interrupted (Ctrl-C); the lock is written, run apply again to carry on")),
        common=(SERVER, USER, VERBOSE, COLOR),
        verbose="list every other and unmanaged job in the plan shown",
    ),
    Command(
        "status", "the job behind each product, and how it stands",
        "A table of source, product, the job serving it, the attempt in flight, its status "
        "and age: one listOldJobs, plus a status request for each attempt not known to be "
        "finished. The lock is not changed.",
        (("xrt-reconcile status sources.yaml", "the table"),
         ("xrt-reconcile status sources.yaml --json", "the same, as JSON")),
        ((0, "done"), _ERROR),
        common=(SERVER, USER, COLOR),
    ),
    Command(
        "download", "fetch the finished products",
        "Download the product archive of every (source, product) from the job that serves it "
        "into DIR/<source>/<product>.<format>: streamed to a temporary file, checked to be a "
        "whole archive, then moved into place. Existing files are kept unless --clobber; "
        "--extract unpacks them beside, and nothing may land outside DIR.",
        (("xrt-reconcile download sources.yaml products", "tar.gz archives"),
         ("xrt-reconcile download sources.yaml products --format zip --extract",
          "zip archives, unpacked")),
        ((0, "done"), _ERROR),
        common=(SERVER, USER),
    ),
    Command(
        "import", "write a spec and its lock from the jobs already on the server",
        "For each job name (or those matching --name), the newest job that did not fail "
        "becomes a source, written with only the values that differ from the defaults; its "
        "lock is written too, so an immediate plan shows no changes. Other jobs of a name are "
        "reported.",
        (("xrt-reconcile import --user you@example.org --output sources.yaml",
          "every job name"),
         ("xrt-reconcile import --user you@example.org --name 'GRB*' --output grbs.yaml",
          "only the GRBs")),
        ((0, "done"), _ERROR),
        common=(SERVER, USER),
    ),
    Command(
        "schema", "print the spec's JSON Schema (or the lock's)",
        "Print the JSON Schema of specs, for editors: save it beside your specs and point the "
        "'# yaml-language-server: $schema=spec.schema.json' comment at it to get completion, "
        "descriptions and checks as you type.",
        (("xrt-reconcile schema > spec.schema.json", "the spec schema"),
         ("xrt-reconcile schema --lock > lock.schema.json", "the lockfile schema")),
        ((0, "done"),),
    ),
    Command(
        "sim serve", "run the UKSSDC simulator",
        "Serve the UKSSDC XRT product API on loopback, for demos and tests. Clients use the "
        "base URL http://HOST:PORT/user_objects. State is kept in the SQLite file --db, so a "
        "restart carries on; the server stops on Ctrl-C or SIGTERM, or by itself after "
        "--max-seconds or --max-requests.",
        (("xrt-reconcile sim serve --port 8765 --job-seconds 5",
          "products finish in 15 seconds"),
         ("xrt-reconcile sim serve --fail-rate 0.2 --drop-rate 0.05 --seed 1",
          "a flaky server, the same flakiness each time")),
        ((0, "stopped"), (1, "a bad option, or the port or state file cannot be used")),
        common=(VERBOSE,),
        verbose="log every request",
    ),
)

BY_NAME = {c.name: c for c in COMMANDS}


_WIDTH = 79


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)


def description(command: Command) -> str:
    return "\n".join(_wrap(command.description, ""))


def epilog(command: Command) -> str:
    lines = ["examples:"]
    for line, what in command.examples:
        lines += [f"  {line}", *_wrap(what, "      ")]
    lines += ["", "exit codes:"]
    for code, meaning in command.exits:
        wrapped = _wrap(meaning, "       ")
        lines += [f"  {code:<4} {wrapped[0].strip()}", *wrapped[1:]]
    return "\n".join(lines)


def overview(version: str) -> str:
    width = max(len(c.name) for c in COMMANDS)
    flags = max(len(f) for f in COMMON_FLAGS.values())
    lines = [
        f"xrt-reconcile {version}: declarative Swift-XRT product requests for the UKSSDC.",
        *_wrap("Specs in git say which products should exist per source; plan compares them "
               "with the jobs on the server, apply submits only what is missing or changed, "
               "under the server's limits, and records what exists in a lockfile beside the "
               "spec.", ""),
        "",
        "usage: xrt-reconcile [common options] COMMAND [arguments]",
        "",
        "commands:",
        *(f"  {c.name.ljust(width)}  {c.summary}" for c in COMMANDS),
        "",
        "common options (before or after the command, where it uses them):",
    ]
    for key, flag in COMMON_FLAGS.items():
        wrapped = _wrap(COMMON_HELP[key], " " * (flags + 4))
        lines += [f"  {flag.ljust(flags)}  {wrapped[0].strip()}", *wrapped[1:]]
    lines += [
        f"  {'-h, --help'.ljust(flags)}  help on a command: xrt-reconcile COMMAND --help",
        f"  {'--version'.ljust(flags)}  the version",
        "",
        "start here:",
        "  xrt-reconcile --server sim apply examples/grb-followup.yaml --auto-approve \\",
        "      --wait --download products",
        "      the whole workflow against the embedded simulator, no account needed",
        "  xrt-reconcile validate sources.yaml",
        "      check your own spec (the README's quick start shows one)",
    ]
    return "\n".join(lines) + "\n"
