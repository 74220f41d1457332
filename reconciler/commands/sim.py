"""``xrt-reconcile sim serve``: the UKSSDC simulator in the foreground.

It runs until Ctrl-C or SIGTERM, or by itself after ``--max-seconds``/``--max-requests``; its
state is the SQLite file ``--db``, so a restart carries on where it left off.
"""

from __future__ import annotations

import argparse
import signal
import sqlite3
import sys
from types import FrameType

from ..errors import UserError
from ..sim.config import SimConfig
from ..sim.defaults import parse as parse_default
from ..sim.server import Simulator


def _config(args: argparse.Namespace) -> SimConfig:
    try:
        moved = dict(parse_default(text) for text in args.defaults)
    except ValueError as exc:
        raise UserError(f"sim serve: {exc}.") from None
    config = SimConfig(
        host=args.host, port=args.port, job_seconds=args.job_seconds,
        max_queued=args.max_queued, fail_rate=args.fail_rate, drop_rate=args.drop_rate,
        latency=args.latency, seed=args.seed, expire_seconds=args.expire_seconds,
        fail_products=tuple(args.fail_product), product_fail_rate=args.product_fail_rate,
        manual_clock=args.manual_clock, max_requests=args.max_requests,
        max_seconds=args.max_seconds, defaults=moved, retry_after=args.retry_after,
        error_codes=tuple(args.error_code) or SimConfig.error_codes,
    )
    problems = config.problems()
    if problems:
        raise UserError("sim serve: " + "; ".join(problems) + ".")
    return config


def _simulator(args: argparse.Namespace, config: SimConfig) -> Simulator:
    """The simulator, or a UserError naming the option at fault: --db or --port."""
    state = f"sim serve: cannot keep the simulator's state in {args.db} ({{}}); choose another --db."
    try:
        return Simulator(args.db, config, verbose=bool(args.verbose))
    except sqlite3.Error as exc:
        raise UserError(state.format(exc)) from None
    except OSError as exc:
        if exc.filename is not None:  # making the state file's directory; a bind names no file
            raise UserError(state.format(exc.strerror)) from None
        raise UserError(f"sim serve: cannot listen on {config.host}:{config.port} "
                        f"({exc.strerror}); choose another --port, or 0 for any free one."
                        ) from None


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    sim = _simulator(args, _config(args))
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    sim.start()
    print(f"UKSSDC simulator at {sim.base_url} (state in {args.db}); Ctrl-C to stop.",
          file=sys.stderr, flush=True)
    try:
        while not sim.wait(0.5):
            pass
        print("simulator stopped: request or time limit reached", file=sys.stderr)
    except KeyboardInterrupt:
        print("simulator stopped", file=sys.stderr)
    finally:
        sim.stop()
        signal.signal(signal.SIGTERM, previous)
    return 0
